"""Dynamic client registration: RFC 7591 (register), RFC 7592 (read, update, delete) and OpenID Connect
Dynamic Client Registration 1.0 (OIDC metadata, ``sector_identifier_uri``).

Policy for a national IdP: registering needs an initial access token that an operator issued (RFC 7591
Section 3 allows the endpoint to require one); only its SHA-256 is stored and each use is counted atomically.
Dynamically registered clients get pairwise subjects; ``public`` correlates a citizen across portals, so
only an operator can grant it (a client may then keep it on update). Updates rotate nothing: RFC 7592
Section 2.2 makes rotation optional and a lost update response would otherwise lock the client out. A
secret is issued only when an update switches to a secret-based method, and dropped when it switches away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.clients import ClientSpec, check_redirect_uri, create_client, remove_client
from idp.crypto import constant_time_equal, new_token, sha256_hex
from idp.db import Database, utcnow
from idp.errors import (
    AccessDenied,
    InvalidClientMetadata,
    InvalidRedirectUri,
    InvalidRequest,
    InvalidToken,
    OAuthError,
)
from idp.models import Client, InitialAccessToken

MAX_BODY = 64 * 1024
MAX_LIST = 20
MAX_STRING = 2000
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_SCOPES = ("openid", "profile", "email", "phone", "address")
INFO_URIS = ("logo_uri", "client_uri", "policy_uri", "tos_uri")
LOCALISABLE = ("client_name", *INFO_URIS)
# Tokens are signed, never encrypted: accepting these would leave a client believing its tokens are sealed.
UNSUPPORTED = (
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
)
SERVER_ISSUED = (
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
)
_LANG_TAG = re.compile(r"[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*")
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
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


# -- request body and typed members -----------------------------------------------------------------------


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers reading different values of a repeated member is a classic confusion; refuse it.
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("repeated member")
    return out


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """RFC 7591 Section 3.1: the metadata is a JSON object sent as application/json."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise InvalidRequest("the request body must be application/json")
    if len(raw) > MAX_BODY:
        raise InvalidRequest("the request body is too large")
    try:
        data = json.loads(raw, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the request body is not valid JSON (or repeats a member)") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the request body must be a JSON object")
    return data


class _Members:
    """Typed access to metadata members; a wrong type is invalid_client_metadata (RFC 7591 Section 3.2.2)."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        # RFC 7592 Section 2.2: omitted, null and empty values all mean "not registered".
        self.body = {k: v for k, v in body.items() if v is not None and v != "" and v != [] and v != {}}

    def has(self, name: str) -> bool:
        return name in self.body

    def string(self, name: str, *, max_len: int = MAX_STRING) -> str | None:
        value = self.body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > max_len):
            raise InvalidClientMetadata(f"{name} must be a string of at most {max_len} characters")
        return value

    def strings(self, name: str, *, error: type[OAuthError] = InvalidClientMetadata) -> list[str] | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            isinstance(v, str) and 0 < len(v) <= MAX_STRING for v in value
        ):
            raise error(f"{name} must be an array of non-empty strings")
        if len(value) > MAX_LIST:
            raise error(f"{name} may hold at most {MAX_LIST} values")
        return list(dict.fromkeys(value))

    def boolean(self, name: str) -> bool:
        value = self.body.get(name, False)  # Back-Channel 2.2 / Front-Channel 2: false when omitted
        if not isinstance(value, bool):
            raise InvalidClientMetadata(f"{name} must be true or false")
        return value

    def json_object(self, name: str) -> dict[str, Any] | None:
        value = self.body.get(name)
        if value is not None and not isinstance(value, dict):
            raise InvalidClientMetadata(f"{name} must be a JSON object")
        return value


# -- metadata -> ClientSpec -------------------------------------------------------------------------------


@dataclass
class RegistrationRequest:
    spec: ClientSpec
    extra: dict[str, Any]
    sector_identifier_uri: str | None


def parse_metadata(body: Mapping[str, Any]) -> RegistrationRequest:
    """Client metadata (RFC 7591 Section 2, OIDC Registration Section 2) with the specs' defaults."""
    m = _Members(body)
    for name in UNSUPPORTED:
        if m.has(name):
            raise InvalidClientMetadata(f"{name} is not supported: tokens are signed, not encrypted")
    # RFC 7591 Section 2: grant_types defaults to authorization_code only.
    grant_types = m.strings("grant_types") or ["authorization_code"]
    _check_response_types(m.strings("response_types"), grant_types)
    spec = ClientSpec(
        name=m.string("client_name", max_len=200) or "",
        redirect_uris=m.strings("redirect_uris", error=InvalidRedirectUri) or [],
        post_logout_redirect_uris=m.strings("post_logout_redirect_uris") or [],
        backchannel_logout_uri=m.string("backchannel_logout_uri"),
        backchannel_logout_session_required=m.boolean("backchannel_logout_session_required"),
        frontchannel_logout_uri=m.string("frontchannel_logout_uri"),
        frontchannel_logout_session_required=m.boolean("frontchannel_logout_session_required"),
        # RFC 7591 Section 2: client_secret_basic when omitted.
        token_endpoint_auth_method=m.string("token_endpoint_auth_method") or "client_secret_basic",
        token_endpoint_auth_signing_alg=m.string("token_endpoint_auth_signing_alg"),
        jwks_uri=m.string("jwks_uri"),
        jwks=m.json_object("jwks"),
        grant_types=tuple(grant_types),
        scopes=_scopes(m.string("scope"), grant_types),
        subject_type=m.string("subject_type") or "pairwise",
        # OIDC Registration Section 2: RS256 when omitted.
        id_token_signed_response_alg=m.string("id_token_signed_response_alg") or "RS256",
        userinfo_signed_response_alg=m.string("userinfo_signed_response_alg"),
        application_type=m.string("application_type") or "web",  # OIDC Registration Section 2
    )
    return RegistrationRequest(spec, _extra(m), m.string("sector_identifier_uri"))


def _check_response_types(response_types: list[str] | None, grant_types: list[str]) -> None:
    code_grant = "authorization_code" in grant_types
    wanted = response_types if response_types is not None else (["code"] if code_grant else [])
    if any(r != "code" for r in wanted):
        raise InvalidClientMetadata("only the code response type is supported")
    if ("code" in wanted) != code_grant:
        # RFC 7591 Section 2.1: response type code goes with the authorization_code grant, and back.
        raise InvalidClientMetadata("response_types code and grant_types authorization_code go together")


def _scopes(scope: str | None, grant_types: list[str]) -> tuple[str, ...]:
    """RFC 7591 Section 2: a space-separated string. The default leaves out the personal ID number scope."""
    if scope is not None:
        return tuple(dict.fromkeys(scope.split()))
    offline = ("offline_access",) if "refresh_token" in grant_types else ()
    return DEFAULT_SCOPES + offline


def _extra(m: _Members) -> dict[str, Any]:
    """Informational metadata with no column of its own, kept so it can be returned as registered."""
    extra: dict[str, Any] = {}
    if contacts := m.strings("contacts"):
        extra["contacts"] = contacts
    for name in ("software_id", "software_version", "sector_identifier_uri"):
        if value := m.string(name):
            extra[name] = value
    for name in INFO_URIS:
        if value := m.string(name):
            extra[name] = _web_uri(value, name)
    localised = [k for k in m.body if k.partition("#")[0] in LOCALISABLE and "#" in k]
    if len(localised) > MAX_LIST:
        raise InvalidClientMetadata("too many language-tagged metadata values")
    for key in localised:
        base, _, tag = key.partition("#")
        if not _LANG_TAG.fullmatch(tag):
            raise InvalidClientMetadata(f"{key[:60]} does not carry a valid language tag")
        value = m.string(key, max_len=200 if base == "client_name" else MAX_STRING) or ""
        # RFC 7591 Section 2.2: human-readable values may be given per language as name#tag.
        extra[key] = value if base == "client_name" else _web_uri(value, key)
    return extra


def _web_uri(value: str, name: str) -> str:
    check_redirect_uri(value, field=name, error=InvalidClientMetadata)
    if urlsplit(value).scheme not in ("https", "http"):
        raise InvalidClientMetadata(f"{name} must be a web URL")
    return value


# -- semantic checks beyond ClientSpec.validate ----------------------------------------------------------


def check_metadata(spec: ClientSpec, *, public_allowed: bool) -> None:
    spec.validate()
    _check_application_type(spec)
    _check_jwks(spec.jwks)
    _check_frontchannel(spec)
    if spec.subject_type == "public" and not public_allowed:
        # DESIGN data rules: pairwise by default; a public sub lets portals correlate a citizen.
        raise InvalidClientMetadata("subject_type public needs an operator's approval; register as pairwise")


def _check_application_type(spec: ClientSpec) -> None:
    if spec.application_type not in ("web", "native"):
        raise InvalidClientMetadata("application_type must be web or native")
    for uri in spec.redirect_uris:
        parts = urlsplit(uri)
        web_scheme = parts.scheme in ("http", "https")
        loopback_http = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        if spec.application_type == "native" and web_scheme and not loopback_http:
            # OIDC Registration Section 2: native clients MUST only register custom URI schemes or
            # loopback URLs using the http scheme.
            raise InvalidRedirectUri("a native client must use a custom URI scheme or an http loopback URL")
        if spec.application_type == "web" and not web_scheme:
            # A browser-based client cannot receive a custom-scheme redirect; those belong to native apps.
            raise InvalidRedirectUri("a web client must use https redirect URIs")


def _check_jwks(jwks: dict[str, Any] | None) -> None:
    if jwks is None:
        return
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= 10 or not all(isinstance(k, dict) for k in keys):
        raise InvalidClientMetadata("jwks must be a JWK Set with 1 to 10 keys")
    if any(_PRIVATE_JWK_MEMBERS & k.keys() for k in keys):
        # RFC 7591 Section 2: jwks holds the client's public keys; a private or shared key must not travel.
        raise InvalidClientMetadata("jwks must hold public keys only")
    if any(k.get("kty") not in ("EC", "RSA", "OKP") for k in keys):
        raise InvalidClientMetadata("jwks keys must be EC, RSA or OKP")
    try:
        imported = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidClientMetadata("jwks holds a key that cannot be read", detail=str(exc)) from exc
    if len(imported.keys) != len(keys):
        raise InvalidClientMetadata("jwks holds a key that cannot be read")


def _origin(uri: str) -> tuple[str, str, int | None]:
    parts = urlsplit(uri)
    try:
        return parts.scheme, parts.hostname or "", parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        raise InvalidClientMetadata("a URI has an invalid port") from None


def _check_frontchannel(spec: ClientSpec) -> None:
    if spec.frontchannel_logout_uri and _origin(spec.frontchannel_logout_uri) not in {
        _origin(u) for u in spec.redirect_uris
    }:
        # OIDC Front-Channel Logout Section 2: domain, port and scheme MUST be those of a redirect URI.
        raise InvalidClientMetadata(
            "frontchannel_logout_uri must share scheme, host and port with a redirect URI"
        )


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


def sector_for(spec: ClientSpec, client_id: str, sector_host: str | None) -> str:
    if sector_host:
        return sector_host  # OIDC Core 8.1: the host of the sector_identifier_uri
    hosts = {urlsplit(u).hostname or "" for u in spec.redirect_uris}
    if len(hosts) == 1 and (host := next(iter(hosts))) and host not in LOOPBACK_HOSTS:
        return host  # OIDC Core 8.1: otherwise the host of the redirect URIs
    if len(hosts) > 1 and spec.subject_type == "pairwise":
        # OIDC Registration Section 5: redirect URIs on several hosts MUST come with a sector_identifier_uri.
        raise InvalidClientMetadata("redirect URIs on several hosts need a sector_identifier_uri")
    # Loopback and custom-scheme URIs name no sector; sharing "localhost" would share pairwise subjects.
    return client_id


# -- responses ---------------------------------------------------------------------------------------------


def client_metadata(client: Client) -> dict[str, Any]:
    """RFC 7591 Section 3.2.1: every registered value, including those the server chose."""
    optional = {
        "token_endpoint_auth_signing_alg": client.token_endpoint_auth_signing_alg,
        "userinfo_signed_response_alg": client.userinfo_signed_response_alg,
        "jwks_uri": client.jwks_uri,
        "jwks": client.jwks,
        "backchannel_logout_uri": client.backchannel_logout_uri,
        "frontchannel_logout_uri": client.frontchannel_logout_uri,
    }
    return {
        **client.metadata_extra,
        "client_name": client.name,
        "redirect_uris": list(client.redirect_uris),
        "post_logout_redirect_uris": list(client.post_logout_redirect_uris),
        "grant_types": list(client.grant_types),
        "response_types": ["code"] if "authorization_code" in client.grant_types else [],
        "scope": " ".join(client.scopes),
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "subject_type": client.subject_type,
        "application_type": client.application_type,
        "id_token_signed_response_alg": client.id_token_signed_response_alg,
        "backchannel_logout_session_required": client.backchannel_logout_session_required,
        "frontchannel_logout_session_required": client.frontchannel_logout_session_required,
        **{k: v for k, v in optional.items() if v is not None},
    }


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
        client_id = new_token(16)
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
            secret = _apply(s, client, request)
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


def _apply(s: Session, client: Client, request: RegistrationRequest) -> str | None:
    before = client_metadata(client)
    spec = request.spec
    client.name = spec.name.strip()
    client.redirect_uris, client.post_logout_redirect_uris = (
        spec.redirect_uris,
        spec.post_logout_redirect_uris,
    )
    client.backchannel_logout_uri = spec.backchannel_logout_uri
    client.backchannel_logout_session_required = spec.backchannel_logout_session_required
    client.frontchannel_logout_uri = spec.frontchannel_logout_uri
    client.frontchannel_logout_session_required = spec.frontchannel_logout_session_required
    client.token_endpoint_auth_method = spec.token_endpoint_auth_method
    client.token_endpoint_auth_signing_alg = spec.token_endpoint_auth_signing_alg
    client.jwks_uri, client.jwks = spec.jwks_uri, spec.jwks
    client.grant_types, client.scopes = list(spec.grant_types), list(spec.scopes)
    client.subject_type, client.sector_identifier = spec.subject_type, spec.sector_identifier
    client.id_token_signed_response_alg = spec.id_token_signed_response_alg
    client.userinfo_signed_response_alg = spec.userinfo_signed_response_alg
    client.application_type, client.metadata_extra = spec.application_type, request.extra
    secret = _secret_for(client)
    after = client_metadata(client)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    audit.record(
        s,
        audit.AuditEvent.CLIENT_UPDATED,
        actor=f"client:{client.client_id}",
        client_id=client.client_id,
        data={"fields": changed, "secret_issued": secret is not None},
    )
    return secret


def _secret_for(client: Client) -> str | None:
    if client.token_endpoint_auth_method in ("none", "private_key_jwt"):
        client.secret_hash = None  # a secret the client no longer authenticates with must stop working
        return None
    if client.secret_hash:
        return None
    secret = new_token(32)
    client.secret_hash = sha256_hex(secret)
    return secret
