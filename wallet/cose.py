"""COSE_Sign1 (RFC 9052 Section 4.2) with ES256, and the CWT claims it carries (RFC 8392).

Only what NIXA signs and verifies: one signer, ES256 (RFC 9053 Section 2.1), the algorithm and ``kid`` in the
protected header. Parsing is strict: anything that is not exactly a tagged four-element COSE_Sign1 with a
byte-string payload is refused with ``MalformedCose``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

COSE_SIGN1_TAG = 18  # RFC 9052 Section 2
HEADER_ALG, HEADER_KID, HEADER_TYP = 1, 4, 16  # RFC 9052 Section 3.1; RFC 9596 (typ)
ALG_ES256 = -7  # RFC 9053 Section 2.1
_P256_BYTES = 32

# CWT claim keys, RFC 8392 Section 3.1.
CWT_ISS, CWT_SUB, CWT_AUD, CWT_EXP, CWT_NBF, CWT_IAT, CWT_CTI = 1, 2, 3, 4, 5, 6, 7


class MalformedCose(ValueError):
    """The bytes are not a COSE_Sign1 message NIXA understands."""


@dataclass(frozen=True)
class Sign1:
    protected: dict[int, Any]
    protected_bytes: bytes
    payload: bytes
    signature: bytes

    @property
    def kid(self) -> str | None:
        kid = self.protected.get(HEADER_KID)
        return kid.decode("utf-8", "replace") if isinstance(kid, bytes) else None

    @property
    def typ(self) -> Any:
        return self.protected.get(HEADER_TYP)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    # RFC 9052 Section 4.4: the ToBeSigned bytes, with empty external_aad.
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign1(
    payload: bytes, private_key: ec.EllipticCurvePrivateKey, *, kid: str, typ: str | None = None
) -> bytes:
    header: dict[int, Any] = {HEADER_ALG: ALG_ES256, HEADER_KID: kid.encode()}
    if typ:
        header[HEADER_TYP] = typ
    protected = cbor2.dumps(header)
    der = private_key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    # RFC 9053 Section 2.1: the signature is r and s as fixed-length big-endian integers, not DER.
    signature = r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def parse_sign1(data: bytes) -> Sign1:
    try:
        message = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types on hostile input; all mean "not CBOR"
        raise MalformedCose("not CBOR") from exc
    if isinstance(message, cbor2.CBORTag):
        if message.tag != COSE_SIGN1_TAG:
            raise MalformedCose("not a COSE_Sign1 message")
        message = message.value
    # Inside a tag cbor2 hands back immutable containers (tuple, frozendict).
    if not isinstance(message, list | tuple) or len(message) != 4:
        raise MalformedCose("COSE_Sign1 must be an array of four")
    protected_bytes, unprotected, payload, signature = message
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, Mapping):
        raise MalformedCose("bad COSE headers")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise MalformedCose("payload and signature must be byte strings")
    try:
        protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    except Exception as exc:
        raise MalformedCose("protected header is not CBOR") from exc
    if not isinstance(protected, Mapping):
        raise MalformedCose("protected header must be a map")
    return Sign1(dict(protected), protected_bytes, payload, signature)


def verify_sign1(message: Sign1, public_key: ec.EllipticCurvePublicKey) -> bool:
    # RFC 9052 Section 3.1: the algorithm MUST be in the protected header to be covered by the signature.
    if message.protected.get(HEADER_ALG) != ALG_ES256 or len(message.signature) != 2 * _P256_BYTES:
        return False
    if not isinstance(public_key.curve, ec.SECP256R1):
        return False
    r = int.from_bytes(message.signature[:_P256_BYTES], "big")
    s = int.from_bytes(message.signature[_P256_BYTES:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s),
            _sig_structure(message.protected_bytes, message.payload),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        return False
    return True


def decode_claims(payload: bytes) -> dict[Any, Any]:
    try:
        claims = cbor2.loads(payload)
    except Exception as exc:
        raise MalformedCose("CWT claims are not CBOR") from exc
    if isinstance(claims, cbor2.CBORTag) and claims.tag == 61:  # RFC 8392 Section 6: optional CWT tag
        claims = claims.value
    if not isinstance(claims, Mapping):
        raise MalformedCose("CWT claims must be a map")
    return dict(claims)
