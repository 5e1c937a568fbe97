"""Client authentication at the token, revocation and introspection endpoints.

RFC 6749 Section 2.3 (client_secret_basic / client_secret_post), RFC 7523 with OIDC Core Section 9
(private_key_jwt), and public clients (``none``) that rely on PKCE.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from urllib.parse import unquote_plus

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import Table
from sqlalchemy.orm import Session

from idp.clients import ASSERTION_ALGS
from idp.crypto import constant_time_equal, sha256_hex
from idp.db import InsertIfAbsent, Unit, unit_of_work, utcnow
from idp.errors import InvalidClient, InvalidRequest
from idp.models import Client, ClientAssertionJti
from idp.oauth.client_resolution import ClientCache, ClientResolver, find_client
from idp.oauth.remote_jwks import RemoteJwksCache
from idp.shared_state import SharedState

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class ClientCredentials:
    """What the request presented, before checking it."""

    method: str
    client_id: str
    secret: str | None = None
    assertion: str | None = None


def parse_credentials(authorization: str | None, form: Mapping[str, str]) -> ClientCredentials:
    used: list[ClientCredentials] = []
    if authorization and authorization[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            cid, _, secret = raw.partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidClient("malformed Basic credentials", basic=True) from None
        # RFC 6749 Section 2.3.1: client_id and secret are form-urlencoded before Basic encoding.
        used.append(ClientCredentials("client_secret_basic", unquote_plus(cid), secret=unquote_plus(secret)))
    if form.get("client_secret"):
        used.append(
            ClientCredentials("client_secret_post", form.get("client_id", ""), secret=form["client_secret"])
        )
    if form.get("client_assertion") or form.get("client_assertion_type"):
        if form.get("client_assertion_type") != JWT_BEARER:
            raise InvalidClient("client_assertion_type must be " + JWT_BEARER)
        used.append(
            ClientCredentials(
                "private_key_jwt", form.get("client_id", ""), assertion=form.get("client_assertion", "")
            )
        )
    if len(used) > 1:
        # RFC 6749 Section 2.3: the client MUST NOT use more than one authentication method per request.
        raise InvalidRequest("more than one client authentication method used")
    if used:
        return used[0]
    if form.get("client_id"):
        return ClientCredentials("none", form["client_id"])
    raise InvalidClient("client authentication is required")


class ClientAuthenticator:
    def __init__(
        self,
        issuer: str,
        token_endpoint: str,
        max_assertion_age: int,
        jwks: RemoteJwksCache,
        *,
        shared: SharedState | None = None,
    ) -> None:
        self.shared = shared
        self.issuer = issuer
        self.audiences = {issuer, token_endpoint}
        self.max_age = max_assertion_age
        self.jwks = jwks
        self.resolvers: Sequence[ClientResolver] = ()
        # Every token, introspection and revocation request authenticates a client: read it exactly, cheaply.
        self.clients = ClientCache()

    def authenticate(self, s: Unit, creds: ClientCredentials) -> Client:
        """The client that ``creds`` prove. A client secret is checked from a ``Reads`` as well as from a
        unit of work; a client assertion needs the unit of work, which records its jti."""
        basic = creds.method == "client_secret_basic"
        # Only a client that proves itself by signature may be resolved elsewhere (a federation leaf).
        resolvers = self.resolvers if creds.method == "private_key_jwt" else ()
        client = find_client(s, creds.client_id, resolvers, self.clients) if creds.client_id else None
        if creds.method == "private_key_jwt" and client is None:
            client = self._client_from_assertion(unit_of_work(s), creds.assertion or "")
        if client is None or client.disabled:
            raise InvalidClient(basic=basic, detail=f"unknown or disabled client {creds.client_id!r}")
        if client.token_endpoint_auth_method != creds.method:
            raise InvalidClient(
                basic=basic, detail=f"client registered for {client.token_endpoint_auth_method}"
            )
        if creds.method in ("client_secret_basic", "client_secret_post"):
            ok = client.secret_hash is not None and constant_time_equal(
                sha256_hex(creds.secret or ""), client.secret_hash
            )
            if not ok:
                raise InvalidClient(basic=basic, detail="wrong client secret")
        elif creds.method == "private_key_jwt":
            self._check_assertion(unit_of_work(s), client, creds.assertion or "")
        return client

    def _client_from_assertion(self, s: Session, assertion: str) -> Client | None:
        # Only to find which client speaks; the signature is checked next against that client's keys.
        sub = _unverified_claims(assertion).get("sub")
        return find_client(s, sub, self.resolvers) if isinstance(sub, str) else None

    def _check_assertion(self, s: Session, client: Client, assertion: str) -> None:
        header = _unverified_header(assertion)
        if client.jwks:
            keys = KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]
        elif client.jwks_uri:
            kid = header.get("kid")
            keys = self.jwks.get(client.jwks_uri, kid if isinstance(kid, str) else None)
        else:
            raise InvalidClient(detail="client has no keys")
        algs = (
            [client.token_endpoint_auth_signing_alg]
            if client.token_endpoint_auth_signing_alg
            else list(ASSERTION_ALGS)
        )
        try:
            token = jwt.decode(assertion, keys, algorithms=algs)
        except (JoseError, ValueError) as exc:
            raise InvalidClient("client assertion signature is invalid", detail=str(exc)) from exc
        c = token.claims
        now = int(utcnow().timestamp())
        # RFC 7523 Section 3: iss and sub MUST be the client_id; aud MUST identify the authorization server.
        if c.get("iss") != client.client_id or c.get("sub") != client.client_id:
            raise InvalidClient("client assertion iss and sub must be the client_id")
        aud = c.get("aud")
        auds = {aud} if isinstance(aud, str) else set(aud or [])
        if not auds & self.audiences:
            raise InvalidClient("client assertion audience is not this server")
        exp, iat = c.get("exp"), c.get("iat", now)
        if not isinstance(exp, int) or exp <= now:
            raise InvalidClient("client assertion is expired or has no exp")
        if not isinstance(iat, int) or iat > now + 60 or exp - min(iat, now) > self.max_age:
            raise InvalidClient("client assertion lifetime is too long or iat is in the future")
        jti = c.get("jti")
        if not isinstance(jti, str) or not jti:
            raise InvalidClient("client assertion needs a jti")
        self._remember_jti(s, client.client_id, jti, exp)

    def _remember_jti(self, s: Session, client_id: str, jti: str, exp: int) -> None:
        """RFC 7523 Section 3 item 7: a jti seen before is a replay; the unique constraint decides."""
        ttl = max(exp - int(utcnow().timestamp()), 0)
        # Redis, shared by the worker processes, refuses a replay without a database write; it never
        # accepts on its own: the unique constraint below decides whenever Redis says "first" or nothing.
        if (
            self.shared is not None
            and self.shared.claim_once(f"jti:{sha256_hex(client_id + ':' + jti)}", ttl + 1) is False
        ):
            raise InvalidClient("client assertion was already used (jti replay)")
        if not first_use(s, client_id, jti, utcnow() + timedelta(seconds=ttl)):
            raise InvalidClient("client assertion was already used (jti replay)")


_insert_jti = InsertIfAbsent(cast(Table, ClientAssertionJti.__table__), "client_id", "jti", returning="id")


def first_use(s: Session, client_id: str, jti: str, expires_at: datetime) -> bool:
    """Record ``jti`` for ``client_id`` until ``expires_at``; False when it was recorded before (a replay).

    The unique (client_id, jti) decides, in one ``INSERT ... ON CONFLICT DO NOTHING``: the row it did not
    insert (no row returned) is the replay, and the transaction goes on (a plain INSERT would need a
    savepoint to survive the duplicate). A jti longer than the column is cut, so two such jtis sharing
    their first 255 characters count as one: the second is refused, never accepted twice."""
    row = s.connection().execute(
        _insert_jti(s), {"client_id": client_id, "jti": jti[:255], "expires_at": expires_at}
    )
    return row.first() is not None


def _segments(token: str) -> list[str]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidClient("client assertion is not a JWS")
    return parts


def _b64json(segment: str) -> dict[str, object]:
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidClient("client assertion is malformed") from None
    if not isinstance(value, dict):
        raise InvalidClient("client assertion is malformed")
    return value


def _unverified_header(token: str) -> dict[str, object]:
    return _b64json(_segments(token)[0])


def _unverified_claims(token: str) -> dict[str, object]:
    return _b64json(_segments(token)[1])
