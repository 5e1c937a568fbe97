"""Which NIXA identity an upstream login belongs to (issue 5 linking rules).

- A subject already linked logs in as its identity.
- Otherwise the identity is found only by a personal ID number asserted by a provider trusted for it,
  never by an email address or a name; without one, a new identity is created at the level the provider
  vouches for, or the person proves an existing NIXA account (its password) to link it.
- A personal ID number from a provider not trusted for it is ignored; one from a trusted provider that
  differs from the linked identity's refuses the login (someone else's account would be taken over).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from federation.broker.errors import UpstreamLoginRefused
from federation.upstream.catalogue import ProviderInfo
from federation.upstream.models import FederatedLink
from idp import audit
from idp.crypto import BlindIndex, Sealer
from idp.db import utcnow
from idp.identities import IdentityStore, normalise_email
from idp.models import Identity
from idp.personal_id import InvalidPersonalId, parse_personal_id

# Attributes refreshed from a trusted provider at each login (the personal ID number never changes).
REFRESHABLE = ("full_name", "birth_date", "email", "phone")


@dataclass
class UpstreamAnswer:
    """A verified upstream authentication, mapped to NIXA's terms."""

    provider_id: str
    subject: str
    level: int
    upstream_acr: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    ignored_claims: list[str] = field(default_factory=list)
    upstream_sid: str | None = None
    logout_data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UpstreamAnswer:
        return cls(**data)


def map_attributes(provider: ProviderInfo, claims: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Upstream claims to NIXA attributes; a personal ID number the provider is not trusted for is dropped."""
    cfg = provider.config
    out: dict[str, str] = {}
    ignored: list[str] = []
    for attribute, upstream_name in cfg.claim_map.items():
        value = claims.get(upstream_name)
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, str) or not value.strip():
            continue
        if attribute == "personal_id" and "personal_id" not in cfg.trusted_claims:
            ignored.append("personal_id")
            continue
        out[attribute] = value.strip()
    return out, ignored


@dataclass(frozen=True)
class Resolution:
    identity_id: str | None  # None: the person must choose (new identity or link an existing account)
    how: str  # linked | personal_id | created | choice


class IdentityLinker:
    def __init__(self, identities: IdentityStore, sealer: Sealer, blind_index: BlindIndex) -> None:
        self.identities = identities
        self.sealer = sealer
        self.index = blind_index

    def subject_index(self, provider_id: str, subject: str) -> str:
        return self.index("federation_subject", f"{provider_id}:{subject}")

    def resolve(self, s: Session, provider: ProviderInfo, answer: UpstreamAnswer) -> Resolution:
        link = s.scalar(
            select(FederatedLink).where(
                FederatedLink.provider_id == provider.id,
                FederatedLink.subject_index == self.subject_index(provider.id, answer.subject),
            )
        )
        if link is not None:
            identity = s.get(Identity, link.identity_id)
            assert identity is not None
            self._check_personal_id(identity, answer)
            link.last_login_at = utcnow()
            self.refresh(s, provider, identity, answer)
            return Resolution(identity.id, "linked")
        pid = answer.attributes.get("personal_id")
        if pid:
            pid = self._valid_pid(pid)
            identity = s.scalar(
                select(Identity).where(Identity.personal_id_index == self.index("personal_id", pid))
            )
            if identity is None:
                identity = self.create_identity(s, provider, answer)
                self.link(s, provider, answer, identity.id, how="created")
                return Resolution(identity.id, "created")
            self.link(s, provider, answer, identity.id, how="personal_id")
            self.refresh(s, provider, identity, answer)
            return Resolution(identity.id, "personal_id")
        return Resolution(None, "choice")

    @staticmethod
    def _valid_pid(pid: str) -> str:
        try:
            return parse_personal_id(pid).value
        except InvalidPersonalId:
            raise UpstreamLoginRefused("the provider asserted a malformed personal ID number") from None

    def _check_personal_id(self, identity: Identity, answer: UpstreamAnswer) -> None:
        pid = answer.attributes.get("personal_id")
        if (
            pid
            and identity.personal_id_index
            and identity.personal_id_index != self.index("personal_id", self._valid_pid(pid))
        ):
            raise UpstreamLoginRefused("the trusted personal ID number differs from the linked identity's")

    def link(
        self, s: Session, provider: ProviderInfo, answer: UpstreamAnswer, identity_id: str, *, how: str
    ) -> None:
        s.add(
            FederatedLink(
                provider_id=provider.id,
                subject_index=self.subject_index(provider.id, answer.subject),
                subject_enc=self.sealer.seal(
                    answer.subject.encode(), f"federation:link:{provider.id}".encode()
                ),
                identity_id=identity_id,
                last_login_at=utcnow(),
            )
        )
        s.flush()
        audit.record(
            s,
            audit.AuditEvent.FEDERATED_LINK_CREATED,
            identity_id=identity_id,
            data={"provider": provider.name, "how": how},
        )

    def create_identity(self, s: Session, provider: ProviderInfo, answer: UpstreamAnswer) -> Identity:
        """A new identity at the level the provider vouches for: above 1 only with a trusted personal ID."""
        attrs = answer.attributes
        pid = attrs.get("personal_id")
        trusted = set(provider.config.trusted_claims)
        level = provider.config.identity_level if pid else 1
        if pid:
            birth = _date(attrs.get("birth_date"))
            return self.identities.create(
                s,
                personal_id=self._valid_pid(pid),
                password=None,
                full_name=attrs.get("full_name"),
                birth_date=birth,
                email=self._free_email(s, attrs.get("email")) if "email" in trusted else None,
                email_verified="email" in trusted,
                phone=attrs.get("phone") if "phone" in trusted else None,
                loa=level,
                actor=f"federation:{provider.name}",
            )
        iid = str(uuid.uuid4())
        row = Identity(id=iid, loa=1)
        self._set(row, "full_name", attrs.get("full_name"))
        if "email" in trusted and (email := self._free_email(s, attrs.get("email"))):
            self._set(row, "email", email)
            row.email_index, row.email_verified = self.index("email", email), True
        s.add(row)
        s.flush()
        audit.record(
            s,
            audit.AuditEvent.IDENTITY_CREATED,
            actor=f"federation:{provider.name}",
            identity_id=iid,
            data={"loa": 1},
        )
        return row

    def _free_email(self, s: Session, email: str | None) -> str | None:
        """An email is stored only when no other identity has it; it is never used to link."""
        if not email:
            return None
        email = normalise_email(email)
        taken = s.scalar(select(Identity.id).where(Identity.email_index == self.index("email", email)))
        return None if taken else email

    def _set(self, row: Identity, attribute: str, value: str | None) -> None:
        column = f"{attribute}_enc"
        setattr(row, column, self.sealer.seal_text(value, self.identities._ctx(row.id, attribute)))

    def refresh(
        self, s: Session, provider: ProviderInfo, identity: Identity, answer: UpstreamAnswer
    ) -> list[str]:
        """Attributes the provider is trusted for replace NIXA's copy at each login; the audit names what
        changed (field names, never values)."""
        person = self.identities.person(identity)
        trusted = set(provider.config.trusted_claims)
        changed: list[str] = []
        for attribute in REFRESHABLE:
            value = answer.attributes.get(attribute)
            if attribute not in trusted or value is None:
                continue
            if attribute == "birth_date":
                parsed = _date(value)
                value = parsed.isoformat() if parsed else None
            if attribute == "email" and value is not None:
                value = self._free_email(s, value) if normalise_email(value) != person.email else person.email
            if value is None or value == getattr(person, attribute):
                continue
            self._set(identity, attribute, value)
            if attribute == "email":
                identity.email_index, identity.email_verified = self.index("email", value), True
            changed.append(attribute)
        if changed:
            audit.record(
                s,
                audit.AuditEvent.FEDERATED_PROFILE_UPDATED,
                actor=f"federation:{provider.name}",
                identity_id=identity.id,
                data={"provider": provider.name, "changed": changed},
            )
        return changed

    def linked_providers(self, s: Session, identity_id: str) -> list[FederatedLink]:
        return list(
            s.scalars(
                select(FederatedLink)
                .where(FederatedLink.identity_id == identity_id)
                .order_by(FederatedLink.id)
            )
        )

    def unlink(self, s: Session, identity_id: str, link_id: int, *, ip: str | None) -> str | None:
        """The citizen removes a linked provider; returns its provider id, or None when it was not theirs."""
        link = s.get(FederatedLink, link_id)
        if link is None or link.identity_id != identity_id:
            return None
        provider_id = link.provider_id
        s.delete(link)
        audit.record(
            s,
            audit.AuditEvent.FEDERATED_LINK_REMOVED,
            identity_id=identity_id,
            ip=ip,
            data={"provider_id": provider_id},
        )
        return provider_id


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
