"""Software authenticators for the WebAuthn tests (soft-webauthn), and the JSON a browser would send.

soft-webauthn never sets the UV flag; ``VerifyingDevice`` sets it (WebAuthn L2 Section 6.1 flags bit 2) and
signs again, standing in for an authenticator that asked for a PIN or a fingerprint.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from soft_webauthn import SoftWebauthnDevice

UV = 0x04


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def browser_options(options: dict[str, Any]) -> dict[str, Any]:
    """What navigator.credentials receives: the JSON options with their binary fields decoded."""
    public_key = dict(options)
    public_key["challenge"] = unb64url(options["challenge"])
    if "user" in options:
        public_key["user"] = {**options["user"], "id": unb64url(options["user"]["id"])}
    return {"publicKey": public_key}


def _with_uv(auth_data: bytes) -> bytes:
    return auth_data[:32] + bytes([auth_data[32] | UV]) + auth_data[33:]


class VerifyingDevice(SoftWebauthnDevice):  # type: ignore[misc]
    def create(self, options: dict[str, Any], origin: str) -> dict[str, Any]:
        result: dict[str, Any] = super().create(options, origin)
        att = cbor.decode(result["response"]["attestationObject"])
        att["authData"] = _with_uv(att["authData"])  # "none" attestation: nothing signs authData here
        result["response"]["attestationObject"] = cbor.encode(att)
        return result

    def get(self, options: dict[str, Any], origin: str) -> dict[str, Any]:
        result: dict[str, Any] = super().get(options, origin)
        response = result["response"]
        response["authenticatorData"] = _with_uv(response["authenticatorData"])
        signed = response["authenticatorData"] + hashlib.sha256(response["clientDataJSON"]).digest()
        response["signature"] = self.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return result


def as_json(credential: dict[str, Any]) -> dict[str, Any]:
    """PublicKeyCredential.toJSON() (WebAuthn L3 Section 5.1), as the page's script builds it."""
    raw_id = credential["rawId"]
    response = {k: b64url(v) for k, v in credential["response"].items() if v is not None}
    return {"id": b64url(raw_id), "rawId": b64url(raw_id), "type": "public-key", "response": response}
