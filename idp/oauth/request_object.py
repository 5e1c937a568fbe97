"""Request objects: authorization request parameters in a JWT signed by the client (RFC 9101, JAR; OIDC
Core 6.1). Verified against the client's registered keys; once verified, only its parameters count.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from idp.db import utcnow
from idp.errors import InvalidClient, InvalidRequestObject, RequestUriNotSupported
from idp.models import Client
from idp.oauth.client_auth import first_use
from idp.oauth.remote_jwks import RemoteJwksCache

REQUEST_OBJECT_ALGS = ("ES256", "RS256", "PS256", "EdDSA")
REQUEST_OBJECT_TYPES = ("oauth-authz-req+jwt", "JWT", "jwt")
MAX_LIFETIME = 3600
_JWT_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "jti", "request", "request_uri"})
# The jti of a request object shares the replay table of client assertions, in a namespace of its own.
JTI_PREFIX = "request-object:"


def requires_request_object(client: Client) -> bool:
    """RFC 9101 Section 10.5 client metadata ``require_signed_request_object``."""
    return bool(client.metadata_extra.get("require_signed_request_object"))


def _as_param(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class RequestObjects:
    def __init__(self, issuer: str, jwks: RemoteJwksCache) -> None:
        self.issuer = issuer
        self.jwks = jwks

    def _keys(self, client: Client, kid: object) -> KeySet:
        if client.jwks:
            return KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]
        if client.jwks_uri:
            try:
                return self.jwks.get(client.jwks_uri, kid if isinstance(kid, str) else None)
            except InvalidClient as exc:
                raise InvalidRequestObject("the client's keys could not be read", detail=exc.detail) from exc
        raise InvalidRequestObject("the client has no keys to verify a request object with")

    def unpack(self, s: Session, client: Client, params: Mapping[str, str]) -> dict[str, str]:
        """Verify ``params['request']`` and return the parameters the request really carries."""
        if "request_uri" in params:
            raise RequestUriNotSupported("request_uri is not supported by this endpoint")
        token = params["request"]
        header = _unverified_header(token)
        if header.get("typ") not in (None, *REQUEST_OBJECT_TYPES):
            # RFC 9101 Section 10.8: an explicit type keeps other JWTs of the client (client assertions,
            # logout tokens) from being taken for a request object.
            raise InvalidRequestObject("the JWT is not a request object (typ)")
        try:
            decoded = jwt.decode(
                token, self._keys(client, header.get("kid")), algorithms=list(REQUEST_OBJECT_ALGS)
            )
        except (JoseError, ValueError, TypeError) as exc:
            # RFC 9101 Section 6.2: a request object that does not verify is invalid_request_object.
            raise InvalidRequestObject("the request object signature is invalid", detail=str(exc)) from exc
        claims = decoded.claims
        self._check_claims(client, claims, params)
        self._remember_jti(s, client, str(claims["jti"]), int(claims["exp"]))
        # RFC 9101 Section 6.3: the authorization server MUST only use the parameters in the request object.
        out = {k: _as_param(v) for k, v in claims.items() if k not in _JWT_CLAIMS}
        out["client_id"] = client.client_id
        return out

    def _check_claims(self, client: Client, claims: Mapping[str, object], params: Mapping[str, str]) -> None:
        now = int(utcnow().timestamp())
        # RFC 9101 Section 10.2 (and OpenID Federation 1.0 Section 12.1.1.1): iss is the client, aud is us.
        if claims.get("iss") != client.client_id:
            raise InvalidRequestObject("the request object iss must be the client_id")
        if "client_id" in claims and claims["client_id"] != client.client_id:
            raise InvalidRequestObject("the request object is for another client_id")
        aud = claims.get("aud")
        if self.issuer not in ([aud] if isinstance(aud, str) else list(aud) if isinstance(aud, list) else []):
            raise InvalidRequestObject("the request object audience is not this provider")
        exp, iat = claims.get("exp"), claims.get("iat", now)
        if not isinstance(exp, int) or exp <= now:
            raise InvalidRequestObject("the request object is expired or has no exp")
        if not isinstance(iat, int) or iat > now + 60 or exp - min(iat, now) > MAX_LIFETIME:
            raise InvalidRequestObject("the request object lifetime is too long or iat is in the future")
        if isinstance(claims.get("nbf"), int) and int(claims["nbf"]) > now + 60:  # type: ignore[call-overload]
            raise InvalidRequestObject("the request object is not valid yet")
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise InvalidRequestObject("the request object needs a jti")
        # OIDC Core 6.1: response_type in the query must be the one in the request object.
        if params.get("response_type") and claims.get("response_type") != params["response_type"]:
            raise InvalidRequestObject("response_type differs between the query and the request object")

    def _remember_jti(self, s: Session, client: Client, jti: str, exp: int) -> None:
        expires_at = utcnow() + timedelta(seconds=max(exp - int(utcnow().timestamp()), 0))
        if not first_use(s, client.client_id, JTI_PREFIX + jti, expires_at):
            raise InvalidRequestObject("the request object was already used (jti replay)")


def _unverified_header(token: str) -> dict[str, object]:
    """Only to pick the key and see the type; the signature is what is trusted."""
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return header if isinstance(header, dict) else {}
