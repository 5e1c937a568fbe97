"""The reference wallet's device side: a P-256 device key sealed under the person's PIN, its registration
with NIXA, and approving a QR log-in (fetch the request, check who asks, sign the approval).

The private key is kept only encrypted with the PIN (PKCS #8, the best encryption ``cryptography`` offers),
so a signature proves both the device (something you have) and the PIN (something you know).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

REGISTRATION_TYP = "nixa-device-registration+jwt"
APPROVAL_TYP = "nixa-qr-approval+jwt"
REQUEST_PATH = "/wallet/qr-login/r/"
MIN_PIN_LENGTH = 6


class WalletError(Exception):
    """Something the person must be told: wrong PIN, not registered, a QR from elsewhere, a refusal."""


@dataclass(frozen=True)
class LoginRequest:
    request_uri: str
    issuer: str
    client_id: str
    client_name: str
    nonce: str
    approval_uri: str
    code_digits: int
    expires_at: int
    requested_from_ip: str | None = None


class DeviceWallet:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.file = directory / "device.json"

    # -- the key ----------------------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        if not self.file.exists():
            return {}
        state: dict[str, Any] = json.loads(self.file.read_text())
        return state

    def _save(self, state: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.file.write_text(json.dumps(state, indent=1))
        self.file.chmod(0o600)

    def _key(self, pin: str) -> ECKey:
        sealed = self._state().get("private_key")
        if not sealed:
            raise WalletError("this wallet has no device key: register the device first")
        try:
            private = serialization.load_pem_private_key(sealed.encode(), password=pin.encode())
        except (ValueError, TypeError) as exc:
            raise WalletError("wrong PIN") from exc
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return ECKey.import_key(pem)

    @property
    def device_id(self) -> str | None:
        return self._state().get("device_id")

    @property
    def issuer(self) -> str | None:
        return self._state().get("issuer")

    # -- registration -----------------------------------------------------------------------------------
    def register(
        self, http: httpx.Client, issuer: str, registration_code: str, *, pin: str, name: str
    ) -> str:
        """Make a new device key, prove it to NIXA with the one-time code, keep it sealed under the PIN."""
        if len(pin) < MIN_PIN_LENGTH or not pin.isdigit():
            raise WalletError(f"the PIN must be at least {MIN_PIN_LENGTH} digits")
        issuer = issuer.rstrip("/")
        private = ec.generate_private_key(ec.SECP256R1())
        key = ECKey.import_key(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        now = int(time.time())
        proof = jwt.encode(
            {"alg": "ES256", "typ": REGISTRATION_TYP, "jwk": key.as_dict(private=False)},
            {
                "aud": issuer,
                "iat": now,
                "exp": now + 120,
                "nonce": registration_code,
                "jti": secrets.token_urlsafe(16),
            },
            key,
        )
        body = {
            "registration_code": registration_code,
            "proof": proof,
            "device_name": name,
            "key_protection": "software",
        }
        resp = http.post(f"{issuer}/wallet/devices", json=body)
        answer = _answer(resp, expected=201)
        sealed = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(pin.encode()),
        )
        self._save(
            {"issuer": issuer, "device_id": answer["device_id"], "name": name, "private_key": sealed.decode()}
        )
        return str(answer["device_id"])

    # -- QR log-in --------------------------------------------------------------------------------------
    def fetch_login_request(self, http: httpx.Client, request_uri: str) -> LoginRequest:
        """Scan: only a request of the issuer this device is registered with; others are refused."""
        issuer = self.issuer
        if not issuer or not self.device_id:
            raise WalletError("this wallet is not registered with NIXA")
        if not request_uri.startswith(issuer + REQUEST_PATH):
            raise WalletError("this QR code is not a NIXA log-in request")
        data = _answer(http.get(request_uri), expected=200)
        if data.get("issuer") != issuer or not str(data.get("approval_uri", "")).startswith(issuer + "/"):
            raise WalletError("the log-in request names another issuer")
        return LoginRequest(
            request_uri=request_uri,
            issuer=issuer,
            client_id=str(data["client_id"]),
            client_name=str(data["client_name"]),
            nonce=str(data["nonce"]),
            approval_uri=str(data["approval_uri"]),
            code_digits=int(data["code_digits"]),
            expires_at=int(data["expires_at"]),
            requested_from_ip=(data.get("requested_from") or {}).get("ip"),
        )

    def approve(self, http: httpx.Client, request: LoginRequest, *, code: str, pin: str) -> dict[str, Any]:
        """Sign the approval: the number read on the computer, the nonce, and that the PIN was used."""
        key = self._key(pin)
        now = int(time.time())
        approval = jwt.encode(
            {"alg": "ES256", "typ": APPROVAL_TYP, "kid": self.device_id},
            {
                "iss": self.device_id,
                "aud": request.issuer,
                "iat": now,
                "exp": now + 60,
                "jti": secrets.token_urlsafe(16),
                "nonce": request.nonce,
                "code": code.strip(),
                "amr": ["pin"],
            },
            key,
        )
        return _answer(http.post(request.approval_uri, json={"approval": approval}), expected=200)


def _answer(resp: httpx.Response, *, expected: int) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        data = {}
    if resp.status_code != expected:
        message = data.get("error_description") or data.get("error") or f"HTTP {resp.status_code}"
        raise WalletError(f"NIXA refused: {message}")
    if not isinstance(data, dict):
        raise WalletError("NIXA answered something unexpected")
    return data
