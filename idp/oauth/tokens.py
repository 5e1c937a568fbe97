"""Signed tokens: ID tokens (OIDC Core 2), RFC 9068 access tokens, logout tokens (Back-Channel Logout 2.4)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from joserfc import jws, jwt
from joserfc.errors import JoseError
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from idp.crypto import b64url, constant_time_equal, new_token, sha256_hex
from idp.db import utcnow
from idp.errors import InvalidToken
from idp.keys import SUPPORTED_ALGS, KeyManager
from idp.models import Client, Grant, IssuedAccessToken

ACCESS_TOKEN_TYP = "at+jwt"
_RECORD_TOKEN = insert(cast(Table, IssuedAccessToken.__table__))
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def at_hash(access_token: str) -> str:
    """OIDC Core 3.1.3.6: left-most half of the SHA-256 hash (ES256/RS256 both use SHA-256)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])


@dataclass(frozen=True)
class AccessTokenInfo:
    jti: str
    client_id: str
    sub: str
    scope: list[str]
    grant_id: str | None
    expires_at: datetime
    claims: dict[str, Any]


class TokenSigner:
    def __init__(self, issuer: str, keys: KeyManager, access_ttl: int, id_ttl: int, logout_ttl: int) -> None:
        self.issuer = issuer
        self.keys = keys
        self.access_ttl = access_ttl
        self.id_ttl = id_ttl
        self.logout_ttl = logout_ttl

    def sign(self, claims: dict[str, Any], *, alg: str = "ES256", typ: str = "JWT") -> str:
        key = self.keys.signing_key(alg)
        return jwt.encode({"alg": alg, "kid": key.kid, "typ": typ}, claims, key)

    def access_token(
        self,
        s: Session,
        *,
        client: Client,
        sub: str,
        scope: list[str],
        grant: Grant | None,
    ) -> tuple[str, int]:
        now = utcnow()
        jti = new_token(16)
        claims: dict[str, Any] = {
            # RFC 9068 Section 2.2: iss, exp, aud, sub, client_id, iat, jti are required.
            "iss": self.issuer,
            "aud": self.issuer,
            "sub": sub,
            "client_id": client.client_id,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + self.access_ttl,
            "jti": jti,
            "scope": " ".join(scope),
        }
        if grant is not None and grant.auth_time is not None:
            claims.update(auth_time=int(grant.auth_time.timestamp()), acr=grant.acr, amr=grant.amr)
        if grant is not None and grant.sid:
            claims["sid"] = grant.sid
        token = self.sign(claims, typ=ACCESS_TOKEN_TYP)
        # The record that lets introspection and revocation find the token: a Core insert on the session's
        # connection (after any pending rows it refers to), since the ORM's unit of work for one row costs
        # more than the insert on the path of every token.
        s.flush()
        s.connection().execute(
            _RECORD_TOKEN,
            {
                "jti": jti,
                "token_hash": sha256_hex(token),
                "grant_id": grant.id if grant else None,
                "client_id": client.client_id,
                "scope": " ".join(scope),
                "expires_at": now + timedelta(seconds=self.access_ttl),
                "revoked_at": None,
            },
        )
        return token, self.access_ttl

    def id_token(
        self,
        *,
        client: Client,
        sub: str,
        grant: Grant,
        nonce: str | None,
        access_token: str | None,
        extra: dict[str, Any],
    ) -> str:
        now = int(utcnow().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": client.client_id,
            "azp": client.client_id,
            "iat": now,
            "exp": now + self.id_ttl,
            "acr": grant.acr,
            "amr": grant.amr,
            **extra,
        }
        if grant.auth_time is not None:
            claims["auth_time"] = int(grant.auth_time.timestamp())
        if nonce:
            claims["nonce"] = nonce  # OIDC Core 3.1.3.7: the nonce of the authentication request, unchanged
        if access_token:
            claims["at_hash"] = at_hash(access_token)
        if grant.sid:
            claims["sid"] = grant.sid
        return self.sign(claims, alg=client.id_token_signed_response_alg)

    def logout_token(self, *, client: Client, sub: str | None, sid: str | None) -> str:
        now = int(utcnow().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": now + self.logout_ttl,
            "jti": new_token(16),
            "events": {LOGOUT_EVENT: {}},
        }
        # Back-Channel Logout 2.4: a logout token MUST contain sub or sid, and MUST NOT contain a nonce.
        if sub:
            claims["sub"] = sub
        if sid:
            claims["sid"] = sid
        return self.sign(claims, alg=client.id_token_signed_response_alg, typ="logout+jwt")

    def decode_own(self, token: str, *, typ: str | None = None, verify_exp: bool = True) -> dict[str, Any]:
        """Verify a token this server signed: signature, algorithm, issuer and (optionally) expiry."""
        try:
            decoded = jwt.decode(token, self.keys.verification_keys(), algorithms=list(SUPPORTED_ALGS))
        except (JoseError, ValueError) as exc:
            raise InvalidToken("the token is malformed or its signature is invalid", detail=str(exc)) from exc
        self._check_own(decoded.header, decoded.claims, typ=typ, verify_exp=verify_exp)
        return decoded.claims

    def unverified(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Header and claims of a compact JWS, signature NOT checked: only for a token that is then found,
        by its hash, in the record of what this server issued (``recognise_own``)."""
        try:
            compact = jws.extract_compact(token.encode("ascii"))
            claims = json.loads(compact.payload)
        except (JoseError, ValueError) as exc:  # UnicodeError and JSONDecodeError are ValueErrors
            raise InvalidToken("the token is malformed or its signature is invalid", detail=str(exc)) from exc
        if not isinstance(claims, dict):
            raise InvalidToken("the token is malformed or its signature is invalid")
        return dict(compact.protected), claims

    def recognise_own(
        self, token: str, header: dict[str, Any], claims: dict[str, Any], recorded_hash: str, *, typ: str
    ) -> None:
        """A token whose SHA-256 equals the one recorded when this server signed it is that token, byte for
        byte, so its claims are authentic without a second signature check. Its key must still be
        published: a key withdrawn from the JWKS (``KeyManager.retire``, from the operator console) ends its
        tokens here too."""
        if not constant_time_equal(sha256_hex(token), recorded_hash):
            raise InvalidToken("the token is malformed or its signature is invalid")
        kid = header.get("kid")
        if header.get("alg") not in SUPPORTED_ALGS or not any(
            k.kid == kid for k in self.keys.verification_keys().keys
        ):
            raise InvalidToken("the token was signed with a key that is no longer published")
        self._check_own(header, claims, typ=typ, verify_exp=True)

    def _check_own(
        self, header: dict[str, Any], claims: dict[str, Any], *, typ: str | None, verify_exp: bool
    ) -> None:
        if typ is not None and str(header.get("typ", "")).lower() != typ:
            raise InvalidToken("the token is not of the expected type")
        if claims.get("iss") != self.issuer:
            raise InvalidToken("the token was not issued here")
        exp = claims.get("exp")
        if verify_exp and (not isinstance(exp, int) or exp <= int(utcnow().timestamp())):
            raise InvalidToken("the token has expired")
