"""Disclosures and their digests, RFC 9901 Section 4.2.

A Disclosure is the base64url encoding of the JSON array ``[salt, name, value]`` (object properties) or
``[salt, value]`` (array elements); its digest is the base64url SHA-256 of that ASCII string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from wallet.sd_jwt.errors import SdJwtError

SD_ALG = "sha-256"
# RFC 9901 Section 4.2.1: the salt SHOULD carry 128 bits of entropy.
SALT_BYTES = 16
# RFC 9901 Section 4.2.1: these names MUST NOT be used as claim names of a Disclosure.
RESERVED_NAMES = frozenset({"_sd", "..."})


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text):
        raise SdJwtError("malformed", "not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SdJwtError("malformed", "not base64url") from exc


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def digest(encoded_disclosure: str) -> str:
    """RFC 9901 Section 4.2.3: the digest is over the ASCII bytes of the base64url Disclosure as sent."""
    return b64url_encode(hashlib.sha256(encoded_disclosure.encode("ascii")).digest())


@dataclass(frozen=True)
class Disclosure:
    encoded: str
    salt: str
    name: str | None  # None for an array element
    value: Any

    @property
    def digest(self) -> str:
        return digest(self.encoded)


def make_disclosure(name: str | None, value: Any) -> Disclosure:
    if name is not None and name in RESERVED_NAMES:
        raise ValueError(f"{name!r} cannot be selectively disclosed")
    salt = b64url_encode(secrets.token_bytes(SALT_BYTES))
    array = [salt, value] if name is None else [salt, name, value]
    encoded = b64url_encode(json.dumps(array, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return Disclosure(encoded, salt, name, value)


def decoy_digest() -> str:
    """RFC 9901 Section 4.2.5: a decoy digest is the hash of a random value, indistinguishable from real."""
    return digest(b64url_encode(secrets.token_bytes(SALT_BYTES)))


def parse_disclosure(encoded: str) -> Disclosure:
    """RFC 9901 Section 7.1 step 3: each Disclosure must be a JSON array of 2 or 3 elements."""
    try:
        array = json.loads(b64url_decode(encoded).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SdJwtError("malformed_disclosure", "a disclosure is not valid JSON") from exc
    if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
        raise SdJwtError("malformed_disclosure", "a disclosure is not a [salt, (name,) value] array")
    if len(array) == 2:
        return Disclosure(encoded, array[0], None, array[1])
    name = array[1]
    if not isinstance(name, str) or name in RESERVED_NAMES:
        raise SdJwtError("malformed_disclosure", "a disclosure has an invalid claim name")
    return Disclosure(encoded, array[0], name, array[2])
