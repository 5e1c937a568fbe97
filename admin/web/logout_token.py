"""Back-Channel Logout 1.0 Section 2.6: validating the logout token NIXA posts when an operator's NIXA
session ends (at NIXA's logout, or when a security officer ends their sessions)."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from admin.oidc import CLOCK_SKEW_S, ID_TOKEN_ALGS
from admin.web.console import Console

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class LogoutTokenInvalid(Exception):
    pass


def validate_logout_token(c: Console, token: str) -> dict[str, Any]:
    if not token:
        raise LogoutTokenInvalid("no logout_token")
    meta = c.sign_in.metadata()
    try:
        keys = KeySet.import_key_set(c.sign_in.http.get(meta["jwks_uri"]).json())
        claims: dict[str, Any] = jwt.decode(token, keys, algorithms=ID_TOKEN_ALGS).claims
    except (JoseError, ValueError) as exc:
        raise LogoutTokenInvalid(f"signature: {type(exc).__name__}") from None
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else list(aud or [])
    events = claims.get("events")
    # Section 2.6 steps 3-7: iss, aud, iat; the events member names back-channel logout; sub here (the
    # console keys its sessions to the subject); a nonce MUST NOT be present.
    if claims.get("iss") != c.platform.issuer or c.admin.client_id not in audiences:
        raise LogoutTokenInvalid("iss or aud")
    if not isinstance(claims.get("iat"), int) or claims["iat"] > time.time() + CLOCK_SKEW_S:
        raise LogoutTokenInvalid("iat")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events or "nonce" in claims:
        raise LogoutTokenInvalid("events or nonce")
    if not isinstance(claims.get("sub"), str):
        raise LogoutTokenInvalid("sub")
    return claims
