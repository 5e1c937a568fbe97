"""The holder's side, RFC 9901 Sections 4.3 and 6: disclose some claims and bind them with a KB-JWT."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey

from wallet.sd_jwt.disclosures import digest
from wallet.sd_jwt.parsing import SdJwtParts, split
from wallet.sd_jwt.verification import KB_JWT_TYP

HolderKey = ECKey | OKPKey


def select(serialised: str, names: Iterable[str]) -> str:
    """The SD-JWT with only the Disclosures of the named claims (RFC 9901 Section 6: the holder decides)."""
    wanted = set(names)
    parts = split(serialised)
    kept = [d for d in parts.disclosures if d.name is None or d.name in wanted]
    return SdJwtParts(parts.issuer_jwt, kept, None).without_kb


def key_binding_jwt(
    presented: str, *, key: HolderKey, alg: str, audience: str, nonce: str, iat: int | None = None
) -> str:
    """RFC 9901 Section 4.3: typ kb+jwt; iat, aud, nonce and sd_hash over the presented SD-JWT."""
    claims: dict[str, Any] = {
        "iat": int(time.time()) if iat is None else iat,
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest(presented),
    }
    return jwt.encode({"alg": alg, "typ": KB_JWT_TYP}, claims, key, algorithms=[alg])


def present(
    serialised: str,
    names: Iterable[str],
    *,
    key: HolderKey,
    alg: str,
    audience: str,
    nonce: str,
    iat: int | None = None,
) -> str:
    presented = select(serialised, names)
    return presented + key_binding_jwt(presented, key=key, alg=alg, audience=audience, nonce=nonce, iat=iat)
