"""Compact JWS from a wallet device: ES256 only, ``typ`` checked, time claims checked (RFC 7515, RFC 7519,
RFC 8725 Section 3.11 explicit typing)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from wallet.qr_login.errors import MalformedApproval, Refused

MAX_AGE = 300
CLOCK_SKEW = 60


def unverified_header(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError) as exc:
        raise MalformedApproval("not a compact JWS") from exc
    if not isinstance(header, dict):
        raise MalformedApproval("not a compact JWS")
    return header


def public_device_key(jwk: Any) -> ECKey:
    """A P-256 public key, refused if it carries a private part or is of another kind."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise MalformedApproval("the device key must be a public EC P-256 JWK")
    try:
        return ECKey.import_key({k: jwk[k] for k in ("kty", "crv", "x", "y")})
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise MalformedApproval("the device key is not a valid JWK") from exc


def verify(token: str, key: ECKey, *, typ: str, audience: str) -> dict[str, Any]:
    header = unverified_header(token)
    if header.get("alg") != "ES256" or header.get("typ") != typ:
        raise MalformedApproval(f"expected an ES256 JWS of type {typ}")
    try:
        claims = jwt.decode(token, key, algorithms=["ES256"]).claims
    except (JoseError, ValueError) as exc:
        raise Refused("bad_signature", "the signature does not verify with the device key") from exc
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if claims.get("aud") != audience:
        raise Refused("wrong_audience", "the approval is for another issuer")
    if not isinstance(iat, int) or not now - MAX_AGE <= iat <= now + CLOCK_SKEW:
        raise Refused("stale", "the approval is too old or from the future")
    if exp is not None and (not isinstance(exp, int) or exp < now - CLOCK_SKEW):
        raise Refused("stale", "the approval has expired")
    return claims
