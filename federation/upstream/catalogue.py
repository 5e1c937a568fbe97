"""The catalogue of upstream identity providers: a typed service API (the CLI and, later, the admin console).

Every change is audited; client secrets and private keys are sealed at rest (DESIGN.md data rules); the
non-secret settings live in ``UpstreamProvider.config`` as a ``ProviderConfig``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from federation.upstream.models import UpstreamProvider
from idp import audit
from idp.crypto import Sealer
from idp.db import utcnow
from idp.sessions import level_of

PROTOCOLS = ("oidc", "saml")
OIDC_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
# NIXA attributes an upstream provider may fill in, and the ones it can be trusted to assert as verified.
ATTRIBUTES = ("personal_id", "full_name", "birth_date", "email", "phone")
DEFAULT_OIDC_CLAIMS = {
    "personal_id": "personal_id",
    "full_name": "name",
    "birth_date": "birthdate",
    "email": "email",
    "phone": "phone_number",
}
DEFAULT_SAML_ATTRIBUTES = {
    "personal_id": "personal_id",
    "full_name": "displayName",
    "birth_date": "dateOfBirth",
    "email": "mail",
    "phone": "telephoneNumber",
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class CatalogueError(ValueError):
    """A provider definition that cannot be accepted; the message says why (no secret in it)."""


@dataclass(frozen=True)
class ProviderConfig:
    """What NIXA needs to know of one upstream provider, apart from its secrets."""

    # Upstream acr (OIDC) or AuthnContextClassRef (SAML) -> NIXA level 1..3. Unmapped values count as 1.
    acr_map: dict[str, int] = field(default_factory=dict)
    # NIXA attribute -> upstream claim or SAML attribute name.
    claim_map: dict[str, str] = field(default_factory=dict)
    # Attributes the provider is trusted to assert as verified; "personal_id" allows linking on it.
    trusted_claims: list[str] = field(default_factory=list)
    # Identity level of a NIXA identity created from this provider (2+ needs a trusted personal ID).
    identity_level: int = 1
    # OIDC
    discovery_url: str = ""
    client_id: str = ""
    auth_method: str = "client_secret_basic"
    scopes: list[str] = field(default_factory=lambda: ["openid", "profile"])
    # SAML 2.0
    metadata_xml: str = ""
    metadata_source: str = ""
    entity_id: str = ""
    want_encrypted_assertions: bool = False

    @property
    def max_level(self) -> int:
        """The highest level this provider can vouch for an authentication at."""
        return max(self.acr_map.values(), default=1)

    def level_for(self, upstream_acr: str | None) -> int:
        return self.acr_map.get(upstream_acr or "", 1)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProviderConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    name: str
    display_name: str
    protocol: str
    enabled: bool
    config: ProviderConfig
    has_client_secret: bool
    has_private_key: bool

    def summary(self) -> dict[str, Any]:
        """What may be shown to an operator: no secret, no metadata body."""
        cfg = self.config
        out: dict[str, Any] = {
            "name": self.name,
            "display_name": self.display_name,
            "protocol": self.protocol,
            "enabled": self.enabled,
            "acr_map": cfg.acr_map,
            "trusted_claims": cfg.trusted_claims,
            "identity_level": cfg.identity_level,
            "claim_map": cfg.claim_map,
        }
        if self.protocol == "oidc":
            out |= {
                "discovery_url": cfg.discovery_url,
                "client_id": cfg.client_id,
                "auth_method": cfg.auth_method,
                "scopes": cfg.scopes,
            }
        else:
            out |= {"entity_id": cfg.entity_id, "metadata_source": cfg.metadata_source}
        return out


def parse_acr_map(pairs: list[str]) -> dict[str, int]:
    """``UPSTREAM_ACR=urn:nixa:loa:N`` pairs, as the CLI takes them."""
    out: dict[str, int] = {}
    for pair in pairs:
        upstream, sep, nixa = pair.rpartition("=")
        level = level_of(nixa.strip())
        if not sep or not upstream.strip() or not level:
            raise CatalogueError(f"acr mapping must be UPSTREAM_ACR=urn:nixa:loa:1..3, not {pair!r}")
        out[upstream.strip()] = level
    return out


def parse_claim_map(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        nixa, sep, upstream = pair.partition("=")
        if not sep or nixa not in ATTRIBUTES or not upstream:
            raise CatalogueError(f"claim mapping must be ATTRIBUTE=UPSTREAM_NAME with one of {ATTRIBUTES}")
        out[nixa] = upstream
    return out


def check_config(protocol: str, cfg: ProviderConfig) -> ProviderConfig:
    if protocol not in PROTOCOLS:
        raise CatalogueError("protocol must be oidc or saml")
    if unknown := set(cfg.trusted_claims) - set(ATTRIBUTES):
        raise CatalogueError(f"unknown trusted claims: {', '.join(sorted(unknown))}")
    if cfg.identity_level not in (1, 2, 3):
        raise CatalogueError("identity level must be 1, 2 or 3")
    if cfg.identity_level > 1 and "personal_id" not in cfg.trusted_claims:
        # DESIGN.md levels: level 2 and above are identities matched on the personal ID number.
        raise CatalogueError("an identity level above 1 needs a provider trusted for the personal ID number")
    if any(level not in (1, 2, 3) for level in cfg.acr_map.values()):
        raise CatalogueError("acr levels must be 1, 2 or 3")
    defaults = DEFAULT_OIDC_CLAIMS if protocol == "oidc" else DEFAULT_SAML_ATTRIBUTES
    cfg = replace(cfg, claim_map={**defaults, **cfg.claim_map})
    if protocol == "oidc":
        if not cfg.discovery_url.startswith(("https://", "http://")) or not cfg.client_id:
            raise CatalogueError("an OIDC provider needs a discovery URL and a client ID")
        if cfg.auth_method not in OIDC_AUTH_METHODS:
            raise CatalogueError(f"auth method must be one of {', '.join(OIDC_AUTH_METHODS)}")
        if "openid" not in cfg.scopes:
            cfg = replace(cfg, scopes=["openid", *cfg.scopes])
    elif not cfg.metadata_xml or not cfg.entity_id:
        raise CatalogueError("a SAML provider needs its metadata (URL or file) naming its entity ID")
    return cfg


class ProviderCatalogue:
    # Bumped by every change made in this process, whatever instance made it, so that a list kept by
    # ``Broker.providers`` is read again at once here (other processes' changes wait for its TTL).
    generation = 0

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer

    @classmethod
    def _changed(cls) -> None:
        cls.generation += 1

    @staticmethod
    def _ctx(provider_id: str, what: str) -> bytes:
        return f"federation:provider:{provider_id}:{what}".encode()

    def _info(self, row: UpstreamProvider) -> ProviderInfo:
        return ProviderInfo(
            row.id,
            row.name,
            row.display_name,
            row.protocol,
            row.enabled,
            ProviderConfig.from_json(row.config),
            row.client_secret_enc is not None,
            row.private_key_enc is not None,
        )

    def add(
        self,
        s: Session,
        *,
        name: str,
        display_name: str,
        protocol: str,
        config: ProviderConfig,
        client_secret: str | None = None,
        private_key: dict[str, Any] | None = None,
        actor: str = "cli",
    ) -> ProviderInfo:
        if not _NAME.match(name):
            raise CatalogueError("name must be 2-63 lowercase letters, digits or dashes")
        if s.scalar(select(UpstreamProvider.id).where(UpstreamProvider.name == name)):
            raise CatalogueError(f"a provider named {name} already exists")
        config = check_config(protocol, config)
        if protocol == "oidc" and config.auth_method != "private_key_jwt" and not client_secret:
            raise CatalogueError(f"{config.auth_method} needs a client secret")
        row = UpstreamProvider(
            id=str(uuid.uuid4()), name=name, display_name=display_name, protocol=protocol, enabled=True
        )
        row.config = config.to_json()
        if client_secret:
            row.client_secret_enc = self.sealer.seal(client_secret.encode(), self._ctx(row.id, "secret"))
        if private_key is not None:
            key = json.dumps(private_key).encode()
            row.private_key_enc = self.sealer.seal(key, self._ctx(row.id, "private_key"))
        s.add(row)
        s.flush()
        self._changed()
        audit.record(
            s,
            audit.AuditEvent.UPSTREAM_PROVIDER_ADDED,
            actor=actor,
            data={"provider": name, "protocol": protocol, "trusted_claims": config.trusted_claims},
        )
        return self._info(row)

    def list(self, s: Session, *, enabled_only: bool = False) -> list[ProviderInfo]:
        query = select(UpstreamProvider).order_by(UpstreamProvider.name)
        if enabled_only:
            query = query.where(UpstreamProvider.enabled.is_(True))
        return [self._info(row) for row in s.scalars(query)]

    def _row(self, s: Session, name: str) -> UpstreamProvider:
        row = s.scalar(select(UpstreamProvider).where(UpstreamProvider.name == name))
        if row is None:
            raise CatalogueError(f"no upstream provider named {name}")
        return row

    def get(self, s: Session, name: str) -> ProviderInfo:
        return self._info(self._row(s, name))

    def find(self, s: Session, name: str) -> ProviderInfo | None:
        row = s.scalar(select(UpstreamProvider).where(UpstreamProvider.name == name))
        return self._info(row) if row is not None else None

    def by_id(self, s: Session, provider_id: str) -> ProviderInfo | None:
        row = s.get(UpstreamProvider, provider_id)
        return self._info(row) if row is not None else None

    def update(
        self,
        s: Session,
        name: str,
        *,
        display_name: str | None = None,
        enabled: bool | None = None,
        config: ProviderConfig | None = None,
        client_secret: str | None = None,
        actor: str = "cli",
    ) -> ProviderInfo:
        row = self._row(s, name)
        changed: list[str] = []
        if display_name is not None and display_name != row.display_name:
            row.display_name, changed = display_name, [*changed, "display_name"]
        if enabled is not None and enabled != row.enabled:
            row.enabled, changed = enabled, [*changed, "enabled"]
        if config is not None:
            new = check_config(row.protocol, config).to_json()
            changed += sorted(k for k in new if new[k] != row.config.get(k))
            row.config = new
        if client_secret is not None:
            row.client_secret_enc = self.sealer.seal(client_secret.encode(), self._ctx(row.id, "secret"))
            changed.append("client_secret")
        row.updated_at = utcnow()
        self._changed()
        audit.record(
            s,
            audit.AuditEvent.UPSTREAM_PROVIDER_UPDATED,
            actor=actor,
            data={"provider": name, "changed": changed},
        )
        return self._info(row)

    def remove(self, s: Session, name: str, *, actor: str = "cli") -> None:
        """Removing a provider removes its links too: those people log in with NIXA's own methods."""
        row = self._row(s, name)
        s.delete(row)
        self._changed()
        audit.record(s, audit.AuditEvent.UPSTREAM_PROVIDER_REMOVED, actor=actor, data={"provider": name})

    def client_secret(self, s: Session, provider_id: str) -> str | None:
        row = s.get(UpstreamProvider, provider_id)
        if row is None or row.client_secret_enc is None:
            return None
        return self.sealer.open(row.client_secret_enc, self._ctx(row.id, "secret")).decode()

    def private_key(self, s: Session, provider_id: str) -> dict[str, Any] | None:
        row = s.get(UpstreamProvider, provider_id)
        if row is None or row.private_key_enc is None:
            return None
        key: dict[str, Any] = json.loads(
            self.sealer.open(row.private_key_enc, self._ctx(row.id, "private_key"))
        )
        return key


def callback_url(issuer: str, info: ProviderInfo) -> str:
    """The URL to register at the upstream provider (redirect URI or assertion consumer service)."""
    if info.protocol == "oidc":
        return f"{issuer}/federation/oidc/{info.name}/callback"
    return f"{issuer}/federation/saml/{info.name}/acs"
