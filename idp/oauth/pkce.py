"""RFC 7636 Proof Key for Code Exchange, S256 only (RFC 9700 Section 2.1.1)."""

from __future__ import annotations

import hashlib
import re

from idp.crypto import b64url, constant_time_equal
from idp.errors import InvalidGrant, InvalidRequest

# RFC 7636 Section 4.1: code_verifier = 43*128unreserved; Section 4.2: S256 challenge is 43 base64url chars.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


def check_challenge(challenge: str | None, method: str | None) -> str:
    """Authorization request: PKCE is required and must be S256."""
    if not challenge:
        raise InvalidRequest("code_challenge is required (PKCE, RFC 7636)")
    if (method or "plain") != "S256":
        # RFC 9700 Section 2.1.1: plain offers no protection if the challenge leaks; only S256 is accepted.
        raise InvalidRequest("code_challenge_method must be S256")
    if not _CHALLENGE.match(challenge):
        raise InvalidRequest("code_challenge is not a valid S256 challenge")
    return challenge


def s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def check_verifier(verifier: str | None, challenge: str) -> None:
    """RFC 7636 Section 4.6: the server MUST compare the transformed verifier with the stored challenge."""
    if not verifier:
        raise InvalidGrant("code_verifier is required")
    if not _VERIFIER.match(verifier):
        raise InvalidGrant("code_verifier is malformed")
    if not constant_time_equal(s256(verifier), challenge):
        raise InvalidGrant("code_verifier does not match the code_challenge")
