"""Symmetric protection of data at rest, keyed hashes, and handling of issued secrets.

- ``Sealer``: AES-256-GCM with a list of key-encryption secrets; the first seals, all open. Each
  ciphertext starts with the 8-byte id of the secret that sealed it, so opening needs no guessing.
- ``BlindIndex``: HMAC-SHA256 lookups so a dump never shows a personal ID number or email in clear.
- Issued high-entropy secrets (codes, refresh tokens, client secrets) are stored as SHA-256 hashes
  and compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12
_KID = 8


class DecryptionError(Exception):
    """The ciphertext was not sealed by any configured secret, or was altered."""


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"nixa-v1", info=purpose).derive(secret)


class Sealer:
    def __init__(self, secrets_: list[bytes], purpose: bytes = b"data-at-rest") -> None:
        if not secrets_:
            raise ValueError("at least one key-encryption secret is required")
        self._keys: list[tuple[bytes, AESGCM]] = []
        for s in secrets_:
            key = _derive(s, purpose)
            self._keys.append((hashlib.sha256(key).digest()[:_KID], AESGCM(key)))

    @property
    def current_id(self) -> str:
        return self._keys[0][0].hex()

    def seal(self, plaintext: bytes, context: bytes = b"") -> bytes:
        kid, aead = self._keys[0]
        nonce = os.urandom(_NONCE)
        return kid + nonce + aead.encrypt(nonce, plaintext, kid + context)

    def open(self, blob: bytes, context: bytes = b"") -> bytes:
        kid, nonce, ct = blob[:_KID], blob[_KID : _KID + _NONCE], blob[_KID + _NONCE :]
        for candidate, aead in self._keys:
            if hmac.compare_digest(candidate, kid):
                try:
                    return aead.decrypt(nonce, ct, kid + context)
                except Exception as exc:
                    raise DecryptionError("ciphertext failed authentication") from exc
        raise DecryptionError("sealed by a key-encryption secret that is no longer configured")

    def seal_text(self, value: str | None, context: str = "") -> bytes | None:
        return None if value is None else self.seal(value.encode(), context.encode())

    def open_text(self, blob: bytes | None, context: str = "") -> str | None:
        return None if blob is None else self.open(blob, context.encode()).decode()


class BlindIndex:
    def __init__(self, secret: bytes) -> None:
        self._key = _derive(secret, b"blind-index")

    def __call__(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_token(key: bytes, *parts: str) -> str:
    return b64url(hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).digest())
