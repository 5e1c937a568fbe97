"""Signed request objects (RFC 9101) as a federation portal sends them at the authorization endpoint."""

from __future__ import annotations

import secrets
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey


def signed_request(
    client_id: str,
    key: ECKey,
    audience: str,
    /,
    *,
    redirect_uri: str,
    code_challenge: str,
    lifetime: int = 300,
    **params: Any,
) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "aud": audience,
        "client_id": client_id,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": "st-fed",
        "nonce": "n-fed",
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        **params,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "oauth-authz-req+jwt"}, claims, key)
