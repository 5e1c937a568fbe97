"""Relying portals: the one set of client metadata rules, and the operator's client management.

``ClientSpec.validate`` holds every rule that is true for any client, however it was created: by an operator
(``nixa client add``) or by dynamic registration (``idp.oauth.registration``, which adds only the rules
that are specific to self-registration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import new_token, sha256_hex
from idp.errors import InvalidClientMetadata, InvalidRedirectUri
from idp.keys import SUPPORTED_ALGS
from idp.models import Client

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
STANDARD_SCOPES = ("openid", "profile", "email", "phone", "address", "offline_access", "nixa.personal_id")
ASSERTION_ALGS = ("ES256", "RS256", "PS256", "EdDSA")
APPLICATION_TYPES = ("web", "native")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_SECRETLESS_METHODS = ("none", "private_key_jwt")


def check_redirect_uri(uri: str, *, field: str = "redirect_uri", error: type = InvalidRedirectUri) -> str:
    """RFC 6749 Section 3.1.2: absolute, no fragment; RFC 9700 Section 4.1.3: https unless loopback."""
    parts = urlsplit(uri)
    if not parts.scheme or not (parts.netloc or parts.scheme not in ("http", "https")):
        raise error(f"{field} must be an absolute URI")
    if parts.fragment or "#" in uri:
        raise error(f"{field} must not contain a fragment")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise error(f"{field} must use https (http only for loopback)")
    if parts.scheme in ("javascript", "data", "file", "vbscript"):
        raise error(f"{field} uses a forbidden scheme")
    return uri


def _https_or_loopback(uri: str, field: str) -> str:
    return check_redirect_uri(uri, field=field, error=InvalidClientMetadata)


@dataclass
class ClientSpec:
    """Client metadata (OIDC Dynamic Registration 1.0 Section 2 names); ``validate`` checks it."""

    name: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    backchannel_logout_uri: str | None = None
    backchannel_logout_session_required: bool = True
    frontchannel_logout_uri: str | None = None
    frontchannel_logout_session_required: bool = True
    token_endpoint_auth_method: str = "client_secret_basic"
    token_endpoint_auth_signing_alg: str | None = None
    jwks_uri: str | None = None
    jwks: dict[str, Any] | None = None
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    scopes: tuple[str, ...] = STANDARD_SCOPES
    subject_type: str = "pairwise"
    # The pairwise sector when already decided (the host of a verified sector_identifier_uri); else derived.
    sector_identifier: str | None = None
    id_token_signed_response_alg: str = "ES256"
    userinfo_signed_response_alg: str | None = None
    application_type: str = "web"

    def validate(self) -> ClientSpec:
        """Every rule that holds for any client; raises invalid_client_metadata or invalid_redirect_uri."""
        if not self.name.strip():
            raise InvalidClientMetadata("client_name is required")
        if self.token_endpoint_auth_method not in AUTH_METHODS:
            raise InvalidClientMetadata("unsupported token_endpoint_auth_method")
        if bad := set(self.grant_types) - set(GRANT_TYPES):
            raise InvalidClientMetadata(f"unsupported grant_types: {' '.join(sorted(bad))}")
        if "authorization_code" in self.grant_types and not self.redirect_uris:
            raise InvalidRedirectUri("at least one redirect_uri is required")
        for uri in self.redirect_uris:
            check_redirect_uri(uri)
        for uri in self.post_logout_redirect_uris:
            _https_or_loopback(uri, "post_logout_redirect_uri")
        for name in ("backchannel_logout_uri", "frontchannel_logout_uri", "jwks_uri"):
            if value := getattr(self, name):
                _https_or_loopback(value, name)
        _check_authentication(self)
        if self.subject_type not in ("pairwise", "public"):
            raise InvalidClientMetadata("subject_type must be pairwise or public")
        for name in ("id_token_signed_response_alg", "userinfo_signed_response_alg"):
            if (alg := getattr(self, name)) is not None and alg not in SUPPORTED_ALGS:
                raise InvalidClientMetadata(f"{name} must be one of {', '.join(SUPPORTED_ALGS)}")
        if (signing_alg := self.token_endpoint_auth_signing_alg) and signing_alg not in ASSERTION_ALGS:
            raise InvalidClientMetadata("unsupported token_endpoint_auth_signing_alg")
        if unknown := set(self.scopes) - set(STANDARD_SCOPES):
            raise InvalidClientMetadata(f"unknown scopes: {' '.join(sorted(unknown))}")
        _check_application_type(self)
        _check_jwks(self.jwks)
        _check_frontchannel(self)
        return self


def _check_authentication(spec: ClientSpec) -> None:
    method = spec.token_endpoint_auth_method
    if method == "private_key_jwt" and not (spec.jwks_uri or spec.jwks):
        raise InvalidClientMetadata("private_key_jwt needs jwks_uri or jwks")
    if spec.jwks_uri and spec.jwks:
        # OIDC Dynamic Registration Section 2: jwks_uri and jwks MUST NOT both be present.
        raise InvalidClientMetadata("jwks_uri and jwks must not both be given")
    if method == "none" and "client_credentials" in spec.grant_types:
        raise InvalidClientMetadata("a public client cannot use client_credentials")


def _check_application_type(spec: ClientSpec) -> None:
    if spec.application_type not in APPLICATION_TYPES:
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


def sector_for(spec: ClientSpec, client_id: str, sector_host: str | None = None) -> str:
    """OIDC Core 8.1: the host of the sector_identifier_uri, else the one host of the redirect URIs."""
    if explicit := sector_host or spec.sector_identifier:
        return explicit
    hosts = {urlsplit(u).hostname or "" for u in spec.redirect_uris}
    if len(hosts) == 1 and (host := next(iter(hosts))) and host not in LOOPBACK_HOSTS:
        return host
    if len(hosts) > 1 and spec.subject_type == "pairwise":
        # OIDC Registration Section 5: redirect URIs on several hosts MUST come with a sector_identifier_uri.
        raise InvalidClientMetadata(
            "redirect URIs on several hosts need a sector_identifier_uri for pairwise subjects"
        )
    # Loopback and custom-scheme URIs name no sector; sharing "localhost" would share pairwise subjects
    # between unrelated apps, so each such client is a sector of its own.
    return client_id


# -- the client store --------------------------------------------------------------------------------------


def _assign(client: Client, spec: ClientSpec) -> None:
    """The one mapping from metadata to columns, shared by ``create_client`` and ``update_client``."""
    sector = sector_for(spec, client.client_id)  # may refuse the metadata: decided before anything changes
    client.name = spec.name.strip()
    client.token_endpoint_auth_method = spec.token_endpoint_auth_method
    client.token_endpoint_auth_signing_alg = spec.token_endpoint_auth_signing_alg
    client.redirect_uris = list(spec.redirect_uris)
    client.post_logout_redirect_uris = list(spec.post_logout_redirect_uris)
    client.backchannel_logout_uri = spec.backchannel_logout_uri
    client.backchannel_logout_session_required = spec.backchannel_logout_session_required
    client.frontchannel_logout_uri = spec.frontchannel_logout_uri
    client.frontchannel_logout_session_required = spec.frontchannel_logout_session_required
    client.jwks_uri, client.jwks = spec.jwks_uri, spec.jwks
    client.grant_types, client.scopes = list(spec.grant_types), list(spec.scopes)
    client.subject_type, client.sector_identifier = spec.subject_type, sector
    client.id_token_signed_response_alg = spec.id_token_signed_response_alg
    client.userinfo_signed_response_alg = spec.userinfo_signed_response_alg
    client.application_type = spec.application_type


def _secret_for(client: Client) -> str | None:
    """A new secret only for a secret-based client that has none; a secretless method drops the old one."""
    if client.token_endpoint_auth_method in _SECRETLESS_METHODS:
        client.secret_hash = None  # a secret the client no longer authenticates with must stop working
        return None
    if client.secret_hash:
        return None
    secret = new_token(32)
    client.secret_hash = sha256_hex(secret)
    return secret


def new_client_id() -> str:
    """128 random bits, URL-safe, never starting with "-": an ID like "-Ab3…" would be read as an option by
    ``nixa client remove`` and other command lines an operator types it into."""
    while (value := new_token(16))[0] == "-":
        continue
    return value


def create_client(
    s: Session,
    spec: ClientSpec,
    *,
    actor: str,
    client_id: str | None = None,
    registration_token: str | None = None,
    metadata_extra: dict[str, Any] | None = None,
    reason: str | None = None,
) -> tuple[Client, str | None]:
    """Create a portal; returns it with its secret, which is shown once and stored only as a hash."""
    spec.validate()
    client = Client(
        client_id=client_id or new_client_id(),
        registration_token_hash=sha256_hex(registration_token) if registration_token else None,
        metadata_extra=metadata_extra or {},
    )
    _assign(client, spec)
    secret = _secret_for(client)
    s.add(client)
    s.flush()
    audit.record(
        s,
        audit.AuditEvent.CLIENT_CREATED,
        actor=actor,
        client_id=client.client_id,
        data={
            "name": client.name,
            "auth_method": client.token_endpoint_auth_method,
            "redirect_uris": client.redirect_uris,
            "subject_type": client.subject_type,
            **({"reason": reason} if reason else {}),
        },
    )
    return client, secret


def update_client(
    s: Session,
    client: Client,
    spec: ClientSpec,
    *,
    actor: str,
    metadata_extra: dict[str, Any] | None = None,
    reason: str | None = None,
) -> str | None:
    """Replace a portal's metadata with ``spec`` (and ``metadata_extra`` when given). Nothing is rotated:
    a secret is returned only when the client switched to a secret-based method, and dropped when it
    switched away. The audit record names the changed metadata members."""
    spec.validate()
    before = client_metadata(client)
    _assign(client, spec)
    if metadata_extra is not None:
        client.metadata_extra = metadata_extra
    secret = _secret_for(client)
    after = client_metadata(client)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    audit.record(
        s,
        audit.AuditEvent.CLIENT_UPDATED,
        actor=actor,
        client_id=client.client_id,
        data={
            "fields": changed,
            "secret_issued": secret is not None,
            **({"reason": reason} if reason else {}),
        },
    )
    return secret


def client_metadata(client: Client) -> dict[str, Any]:
    """Every registered value in RFC 7591 Section 2 names, including those the server chose."""
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


def list_clients(s: Session) -> list[Client]:
    return list(s.scalars(select(Client).order_by(Client.created_at)))


def remove_client(s: Session, client_id: str, *, actor: str) -> bool:
    if s.get(Client, client_id) is None:
        return False
    s.execute(delete(Client).where(Client.client_id == client_id))
    audit.record(s, audit.AuditEvent.CLIENT_REMOVED, actor=actor, client_id=client_id)
    return True
