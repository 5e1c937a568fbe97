"""JOSE helpers for tests: verify what the server signed, sign what a portal would, and break tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any

from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from tests.support.factories import PortalInfo

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unverified_header(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return header


def verify_jwt(api: TestClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a token against the published /jwks, as a portal does; returns (header, claims)."""
    keys = KeySet.import_key_set(api.get("/jwks").json())
    decoded = jwt.decode(token, keys, algorithms=["ES256", "RS256"])
    return dict(decoded.header), dict(decoded.claims)


def expected_at_hash(access_token: str) -> str:
    """OIDC Core 3.1.3.6, computed independently: left half of SHA-256 of the ASCII access token."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[:16])


def flip_byte(token: str, segment: int = 1) -> str:
    """Change one character in the middle of a JWS segment (payload by default)."""
    parts = token.split(".")
    s = parts[segment]
    i = len(s) // 2
    parts[segment] = s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1 :]
    return ".".join(parts)


def unsigned(token: str) -> str:
    """The same claims with ``alg: none`` and no signature (RFC 7519 Section 6)."""
    header = {**unverified_header(token), "alg": "none"}
    return b64url(json.dumps(header).encode()) + "." + token.split(".")[1] + "."


def new_ec_key(kid: str | None = None) -> ECKey:
    return ECKey.generate_key(
        "P-256", parameters={"kid": kid or secrets.token_hex(8), "use": "sig"}, private=True
    )


def public_jwks(*keys: ECKey) -> dict[str, Any]:
    return {"keys": [k.as_dict(private=False) for k in keys]}


def sign(claims: dict[str, Any], key: ECKey, *, typ: str = "JWT") -> str:
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": typ}, claims, key)


def client_assertion(
    portal: PortalInfo,
    audience: str,
    *,
    key: ECKey | None = None,
    lifetime: int = 60,
    jti: str | None = None,
    **claims: Any,
) -> str:
    """RFC 7523 Section 3 client authentication JWT for a private_key_jwt portal."""
    now = int(time.time())
    body = {
        "iss": portal.client_id,
        "sub": portal.client_id,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16) if jti is None else jti,
        **claims,
    }
    signing_key = key or portal.key
    assert signing_key is not None, "portal has no private key"
    return sign(body, signing_key)


def assertion_form(assertion: str) -> dict[str, str]:
    return {"client_assertion_type": JWT_BEARER, "client_assertion": assertion}
