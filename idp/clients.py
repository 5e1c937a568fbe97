"""Relying portals: registration metadata rules and the operator's client management."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def check_redirect_uri(uri: str, *, field: str = "redirect_uri", error: type = InvalidRedirectUri) -> str:
    """RFC 6749 Section 3.1.2: absolute, no fragment; RFC 9700 Section 4.1.3: https unless loopback."""
    parts = urlsplit(uri)
    if not parts.scheme or not (parts.netloc or parts.scheme not in ("http", "https")):
        raise error(f"{field} must be an absolute URI")
    if parts.fragment or "#" in uri:
        raise error(f"{field} must not contain a fragment")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise error(f"{field} must use https (http only for loopback)")
    if parts.scheme in ("javascript", "data", "file", "vbscript"):
        raise error(f"{field} uses a forbidden scheme")
    return uri


def _https_or_loopback(uri: str, field: str) -> str:
    return check_redirect_uri(uri, field=field, error=InvalidClientMetadata)


@dataclass
class ClientSpec:
    """Validated client metadata (OIDC Dynamic Registration 1.0 Section 2 names)."""

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
    sector_identifier: str | None = None
    id_token_signed_response_alg: str = "ES256"
    userinfo_signed_response_alg: str | None = None
    application_type: str = "web"

    def validate(self) -> ClientSpec:
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
        if self.token_endpoint_auth_method == "private_key_jwt" and not (self.jwks_uri or self.jwks):
            raise InvalidClientMetadata("private_key_jwt needs jwks_uri or jwks")
        if self.jwks_uri and self.jwks:
            # OIDC Dynamic Registration Section 2: jwks_uri and jwks MUST NOT both be present.
            raise InvalidClientMetadata("jwks_uri and jwks must not both be given")
        if self.token_endpoint_auth_method == "none" and "client_credentials" in self.grant_types:
            raise InvalidClientMetadata("a public client cannot use client_credentials")
        if self.subject_type not in ("pairwise", "public"):
            raise InvalidClientMetadata("subject_type must be pairwise or public")
        for name in ("id_token_signed_response_alg", "userinfo_signed_response_alg"):
            if (alg := getattr(self, name)) is not None and alg not in SUPPORTED_ALGS:
                raise InvalidClientMetadata(f"{name} must be one of {', '.join(SUPPORTED_ALGS)}")
        if self.token_endpoint_auth_signing_alg and self.token_endpoint_auth_signing_alg not in ASSERTION_ALGS:
            raise InvalidClientMetadata("unsupported token_endpoint_auth_signing_alg")
        if unknown := set(self.scopes) - set(STANDARD_SCOPES):
            raise InvalidClientMetadata(f"unknown scopes: {' '.join(sorted(unknown))}")
        return self

    def sector(self) -> str:
        """OIDC Core 8.1: the sector is the host of the redirect URIs (or of the sector_identifier_uri)."""
        if self.sector_identifier:
            return self.sector_identifier
        hosts = {urlsplit(u).hostname or "" for u in self.redirect_uris}
        if len(hosts) > 1 and self.subject_type == "pairwise":
            raise InvalidClientMetadata(
                "redirect URIs on several hosts need a sector_identifier_uri for pairwise subjects"
            )
        return hosts.pop() if hosts else ""


def create_client(s: Session, spec: ClientSpec, *, actor: str, client_id: str | None = None,
                  registration_token: str | None = None, metadata_extra: dict[str, Any] | None = None,
                  ) -> tuple[Client, str | None]:
    """Create a portal; returns it with its secret, which is shown once and stored only as a hash."""
    spec.validate()
    secret = None if spec.token_endpoint_auth_method in ("none", "private_key_jwt") else new_token(32)
    client = Client(
        client_id=client_id or new_token(16), name=spec.name.strip(),
        secret_hash=sha256_hex(secret) if secret else None,
        token_endpoint_auth_method=spec.token_endpoint_auth_method,
        token_endpoint_auth_signing_alg=spec.token_endpoint_auth_signing_alg,
        redirect_uris=list(spec.redirect_uris), post_logout_redirect_uris=list(spec.post_logout_redirect_uris),
        backchannel_logout_uri=spec.backchannel_logout_uri,
        backchannel_logout_session_required=spec.backchannel_logout_session_required,
        frontchannel_logout_uri=spec.frontchannel_logout_uri,
        frontchannel_logout_session_required=spec.frontchannel_logout_session_required,
        jwks_uri=spec.jwks_uri, jwks=spec.jwks, grant_types=list(spec.grant_types), scopes=list(spec.scopes),
        subject_type=spec.subject_type, sector_identifier=spec.sector(),
        id_token_signed_response_alg=spec.id_token_signed_response_alg,
        userinfo_signed_response_alg=spec.userinfo_signed_response_alg, application_type=spec.application_type,
        registration_token_hash=sha256_hex(registration_token) if registration_token else None,
        metadata_extra=metadata_extra or {},
    )
    s.add(client)
    s.flush()
    audit.record(s, audit.AuditEvent.CLIENT_CREATED, actor=actor, client_id=client.client_id,
                 data={"name": client.name, "auth_method": client.token_endpoint_auth_method,
                       "redirect_uris": client.redirect_uris, "subject_type": client.subject_type})
    return client, secret


def list_clients(s: Session) -> list[Client]:
    return list(s.scalars(select(Client).order_by(Client.created_at)))


def remove_client(s: Session, client_id: str, *, actor: str) -> bool:
    if s.get(Client, client_id) is None:
        return False
    s.execute(delete(Client).where(Client.client_id == client_id))
    audit.record(s, audit.AuditEvent.CLIENT_REMOVED, actor=actor, client_id=client_id)
    return True
