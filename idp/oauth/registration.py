"""Dynamic client registration: RFC 7591 (register), RFC 7592 (read, update, delete) and OpenID Connect
Dynamic Client Registration 1.0 (OIDC metadata, ``sector_identifier_uri``).

Policy for a national IdP: registering needs an initial access token that an operator issued (RFC 7591
Section 3 allows the endpoint to require one); only its SHA-256 is stored and each use is counted atomically.
Dynamically registered clients get pairwise subjects; ``public`` correlates a citizen across portals, so
only an operator can grant it (a client may then keep it on update). Updates rotate nothing: RFC 7592
Section 2.2 makes rotation optional and a lost update response would otherwise lock the client out. A
secret is issued only when an update switches to a secret-based method, and dropped when it switches away.

The request body is read in ``idp.oauth.registration_metadata``; the rules every client obeys (operator-made
or registered) are ``ClientSpec.validate`` in ``idp.clients``. Only self-registration rules live here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.clients import (
    ClientSpec,
    check_redirect_uri,
    client_metadata,
    create_client,
    new_client_id,
    remove_client,
    sector_for,
    update_client,
)
from idp.crypto import constant_time_equal, new_token, sha256_hex
from idp.db import Database, utcnow
from idp.errors import (
    AccessDenied,
    InvalidClientMetadata,
    InvalidRedirectUri,
    InvalidRequest,
    InvalidToken,
)
from idp.models import Client, InitialAccessToken
from idp.oauth.registration_metadata import MAX_BODY, RegistrationRequest, parse_json_object, parse_metadata

SERVER_ISSUED = (
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
)
_NO_TOKEN = "0" * 64


class UpdateForbidden(AccessDenied):
    """RFC 7592 Section 2.2: a client that is not allowed to update its record gets 403."""

    status_code = 403


# -- initial access tokens (RFC 7591 Section 3) ----------------------------------------------------------


def issue_initial_access_token(
    s: Session, *, actor: str, ttl_seconds: int = 86400, max_uses: int = 1, description: str = ""
) -> str:
    """An operator hands this token to a portal out of band; it is shown once and stored as SHA-256 only."""
    if ttl_seconds <= 0 or max_uses < 1:
        raise ValueError("ttl_seconds and max_uses must be positive")
    if len(description) > 200:
        raise ValueError("description is limited to 200 characters")
    token = new_token(32)
    row = InitialAccessToken(
        token_hash=sha256_hex(token),
        description=description,
        max_uses=max_uses,
        uses=0,
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        revoked=False,
        created_by=actor,
    )
    s.add(row)
    audit.record(
        s,
        audit.AuditEvent.INITIAL_ACCESS_TOKEN_ISSUED,
        actor=actor,
        data={
            "token_id": token_id(row.token_hash),
            "expires_at": row.expires_at.isoformat(),
            "max_uses": max_uses,
            "description": description,
        },
    )
    return token


def token_id(token_hash: str) -> str:
    """A short name for a token in the audit trail; a hash prefix reveals nothing about the token."""
    return token_hash[:16]


def _usable_token(token: str) -> tuple[Any, ...]:
    now = utcnow()
    return (
        InitialAccessToken.token_hash == sha256_hex(token),
        InitialAccessToken.uses < InitialAccessToken.max_uses,
        InitialAccessToken.expires_at > now,
        InitialAccessToken.revoked.is_(False),
    )


def check_initial_access_token(s: Session, token: str) -> str:
    """Read-only check before any work is done for the caller; returns the token's audit name."""
    found = s.scalar(select(InitialAccessToken.token_hash).where(*_usable_token(token)))
    if found is None:
        raise InvalidToken("the initial access token is invalid, expired or used up")
    return token_id(found)


def consume_initial_access_token(s: Session, token: str) -> None:
    """One use, counted by a conditional UPDATE so concurrent registrations cannot exceed ``max_uses``."""
    result = s.execute(
        update(InitialAccessToken)
        .where(*_usable_token(token))
        .values(uses=InitialAccessToken.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidToken("the initial access token is invalid, expired or used up")


# -- rules for self-registered clients only (the shared ones are ClientSpec.validate) ----------------------


def check_metadata(spec: ClientSpec, *, public_allowed: bool) -> None:
    spec.validate()
    if spec.subject_type == "public" and not public_allowed:
        # DESIGN data rules: pairwise by default; a public sub lets portals correlate a citizen.
        raise InvalidClientMetadata("subject_type public needs an operator's approval; register as pairwise")


# -- sector identifiers (OIDC Core 8.1, OIDC Registration Section 5) ---------------------------------------


class SectorDocuments:
    """Fetches the JSON array of redirect URIs published at a ``sector_identifier_uri``."""

    def __init__(
        self,
        *,
        allow_loopback_http: bool,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 5.0,
        max_bytes: int = MAX_BODY,
    ) -> None:
        self._allow_loopback_http = allow_loopback_http
        self._transport = transport
        self._timeout = timeout
        self._max_bytes = max_bytes

    def sector_of(self, uri: str, redirect_uris: list[str]) -> str:
        """Checks the document lists every redirect URI; returns the host, which is the sector."""
        parts = urlsplit(check_redirect_uri(uri, field="sector_identifier_uri", error=InvalidClientMetadata))
        loopback_ok = parts.scheme == "http" and self._allow_loopback_http
        if parts.scheme != "https" and not loopback_ok:
            # OIDC Core 8.1: the sector_identifier_uri MUST be a URL using the https scheme.
            raise InvalidClientMetadata("sector_identifier_uri must use https")
        listed = self._fetch(uri)
        if missing := [u for u in redirect_uris if u not in listed]:
            # OIDC Core 8.1: the registered redirect_uris MUST be included in the elements of the array.
            raise InvalidRedirectUri(
                f"{len(missing)} redirect URI(s) are not listed at the sector_identifier_uri"
            )
        return parts.hostname or ""

    def _fetch(self, uri: str) -> list[str]:
        try:
            with (
                httpx.Client(
                    transport=self._transport, timeout=self._timeout, follow_redirects=False
                ) as http,
                http.stream("GET", uri, headers={"Accept": "application/json"}) as resp,
            ):
                if resp.status_code != 200:
                    raise InvalidClientMetadata(f"sector_identifier_uri answered HTTP {resp.status_code}")
                raw = self._read(resp)
        except httpx.HTTPError as exc:
            raise InvalidClientMetadata(
                "sector_identifier_uri could not be fetched", detail=f"{uri}: {exc}"
            ) from exc
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, list) or not all(isinstance(u, str) for u in data):
            raise InvalidClientMetadata("sector_identifier_uri must return a JSON array of redirect URIs")
        return data

    def _read(self, resp: httpx.Response) -> bytes:
        raw = b""
        for chunk in resp.iter_bytes():
            raw += chunk
            if len(raw) > self._max_bytes:  # the document is tiny; anything large is an abuse of our fetcher
                raise InvalidClientMetadata("sector_identifier_uri document is too large")
        return raw


# -- responses ---------------------------------------------------------------------------------------------


def client_information(
    client: Client, issuer: str, registration_token: str, *, secret: str | None = None
) -> dict[str, Any]:
    """RFC 7591 Section 3.2.1 with RFC 7592 Section 3 (registration_access_token, registration_client_uri)."""
    info = {
        "client_id": client.client_id,
        "client_id_issued_at": int(client.created_at.timestamp()),
        **client_metadata(client),
    }
    if secret:
        info["client_secret"] = secret
    if client.secret_hash:
        info["client_secret_expires_at"] = 0  # RFC 7591 Section 3.2.1: REQUIRED with a secret; 0 = never
    info["registration_access_token"] = registration_token
    info["registration_client_uri"] = f"{issuer}/register/{quote(client.client_id, safe='')}"
    return info


# -- the service -------------------------------------------------------------------------------------------


class ClientRegistration:
    """RFC 7591 and RFC 7592 over the client store. Slow work (fetching a sector document) happens
    outside any write transaction; the initial access token is consumed in the one that creates the client."""

    def __init__(self, db: Database, issuer: str, sectors: SectorDocuments) -> None:
        self.db = db
        self.issuer = issuer
        self.sectors = sectors

    def register(self, initial_token: str, raw: bytes, content_type: str | None) -> dict[str, Any]:
        with self.db.session() as s:
            actor = "initial-access-token:" + check_initial_access_token(s, initial_token)
        client_id = new_client_id()
        request = self._prepare(parse_json_object(raw, content_type), client_id, public_allowed=False)
        registration_token = new_token(32)
        with self.db.session() as s:
            consume_initial_access_token(s, initial_token)
            client, secret = create_client(
                s,
                request.spec,
                actor=actor,
                client_id=client_id,
                registration_token=registration_token,
                metadata_extra=request.extra,
            )
            return client_information(client, self.issuer, registration_token, secret=secret)

    def read(self, client_id: str, token: str) -> dict[str, Any]:
        """RFC 7592 Section 2.1. The secret is stored as a hash, so it is not returned; the presented
        registration access token is, as RFC 7592 Section 3 requires the member."""
        with self.db.session() as s:
            return client_information(self._authorize(s, client_id, token), self.issuer, token)

    def update(self, client_id: str, token: str, raw: bytes, content_type: str | None) -> dict[str, Any]:
        """RFC 7592 Section 2.2: the request replaces every metadata value."""
        with self.db.session() as s:
            current = self._authorize(s, client_id, token)
            if current.disabled:
                # An operator disabled it; the holder of its token must not reshape it meanwhile.
                raise UpdateForbidden("this client is disabled; an operator must review it")
            body = _replacement(current, parse_json_object(raw, content_type))
            public_allowed = current.subject_type == "public"  # an operator's grant may be kept, not gained
        request = self._prepare(body, client_id, public_allowed=public_allowed)
        with self.db.session() as s:
            client = self._authorize(s, client_id, token)
            secret = update_client(
                s, client, request.spec, actor=f"client:{client.client_id}", metadata_extra=request.extra
            )
            return client_information(client, self.issuer, token, secret=secret)

    def delete(self, client_id: str, token: str) -> None:
        """RFC 7592 Section 2.3: the client_id, secret and registration token stop working; grants and
        tokens go with the client row (foreign keys cascade)."""
        with self.db.session() as s:
            self._authorize(s, client_id, token)
            remove_client(s, client_id, actor=f"client:{client_id}")

    def _prepare(
        self, body: Mapping[str, Any], client_id: str, *, public_allowed: bool
    ) -> RegistrationRequest:
        request = parse_metadata(body)
        check_metadata(request.spec, public_allowed=public_allowed)
        sector_uri = request.sector_identifier_uri
        sector_host = self.sectors.sector_of(sector_uri, request.spec.redirect_uris) if sector_uri else None
        request.spec.sector_identifier = sector_for(request.spec, client_id, sector_host)
        return request

    def _authorize(self, s: Session, client_id: str, token: str) -> Client:
        client = s.get(Client, client_id[:255])
        stored = client.registration_token_hash if client is not None else None
        # Compared even for unknown clients, so timing does not tell which client_ids exist.
        matches = constant_time_equal(sha256_hex(token), stored or _NO_TOKEN)
        if client is None or stored is None or not matches:
            # RFC 7592 Section 2: a bad token and an unknown client both get 401, indistinguishably.
            raise InvalidToken("the registration access token is not valid for this client")
        return client


def _replacement(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    if sent := [name for name in SERVER_ISSUED if name in body]:
        # RFC 7592 Section 2.2: the request MUST NOT include these server-issued fields.
        raise InvalidRequest(f"{sent[0]} must not be sent in an update")
    if body.get("client_id") != client.client_id:
        # RFC 7592 Section 2.2: client_id MUST be included and be the currently issued identifier.
        raise InvalidRequest("client_id must be present and match the client being updated")
    if "client_secret" in body:
        given = body["client_secret"]
        if not (
            isinstance(given, str)
            and client.secret_hash
            and constant_time_equal(sha256_hex(given), client.secret_hash)
        ):
            # RFC 7592 Section 2.2: a client_secret in the request MUST match the current one.
            raise InvalidRequest("client_secret does not match the current secret")
    return {k: v for k, v in body.items() if k not in ("client_id", "client_secret")}
