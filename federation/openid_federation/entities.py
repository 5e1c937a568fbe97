"""The entities NIXA runs (Section 1.2 roles): its trust anchor, its intermediates and its OpenID Provider
as a leaf. Each has its own federation key, sealed at rest like the OP's signing keys (``idp.keys``), and
publishes an entity configuration; superiors sign subordinate statements about what they enrolled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from federation.openid_federation import models, statements
from federation.openid_federation.config import FederationSettings
from federation.openid_federation.errors import NotFound
from federation.openid_federation.keys import FederationKeys
from federation.openid_federation.models import FederationEntity, FederationSubordinate, FederationTrustMark
from federation.openid_federation.statements import EntityStatement, FederationKey
from idp.crypto import Sealer
from idp.db import Database, utcnow

TA_PATH = "/federation/ta"
INTERMEDIATE_PATH = "/federation/intermediates/"
REGISTRATION_PATH = "/federation/register"


class LocalEntities:
    """Statements of NIXA's own entities, built from the database and signed on request."""

    def __init__(
        self,
        db: Database,
        sealer: Sealer,
        issuer: str,
        settings: FederationSettings,
        op_metadata: Callable[[], Mapping[str, Any]],
    ) -> None:
        self.db, self.sealer, self.issuer, self.settings = db, sealer, issuer, settings
        self.op_metadata = op_metadata
        self.keys = FederationKeys(sealer, settings.statement_ttl)

    # -- naming ------------------------------------------------------------------------------------
    @property
    def trust_anchor_id(self) -> str:
        return self.issuer + TA_PATH

    def intermediate_id(self, slug: str) -> str:
        return self.issuer + INTERMEDIATE_PATH + slug

    def is_local(self, entity_id: str) -> bool:
        return entity_id == self.issuer or entity_id.startswith(self.issuer + "/federation/")

    def endpoint(self, entity_id: str, name: str) -> str:
        return f"{entity_id}/{name}"

    # -- keys --------------------------------------------------------------------------------------
    def create_entity(
        self, s: Session, *, entity_id: str, kind: str, name: str, slug: str | None, superior: str | None
    ) -> FederationEntity:
        row = FederationEntity(entity_id=entity_id, kind=kind, slug=slug, name=name, superior=superior)
        s.add(row)
        s.flush()
        self.keys.create(s, entity_id)
        return row

    def key(self, s: Session, entity_id: str) -> FederationKey:
        return self.keys.signing_key(s, entity_id)

    def jwks(self, s: Session, entity_id: str) -> dict[str, Any]:
        return self.keys.published(s, entity_id)

    # -- statements --------------------------------------------------------------------------------
    def _entity(self, s: Session, entity_id: str) -> FederationEntity:
        row = s.get(FederationEntity, entity_id)
        if row is None:
            raise NotFound("no such entity here", detail=entity_id[:200])
        return row

    def federation_entity_metadata(self, row: FederationEntity) -> dict[str, Any]:
        meta: dict[str, Any] = {"organization_name": row.name}
        if row.kind != models.OPENID_PROVIDER:
            for name in ("fetch", "list", "resolve"):
                meta[f"federation_{name}_endpoint"] = self.endpoint(row.entity_id, name)
            meta["federation_trust_mark_status_endpoint"] = self.endpoint(row.entity_id, "trust_mark_status")
            meta["federation_historical_keys_endpoint"] = self.endpoint(row.entity_id, "historical_keys")
        return meta

    def trust_mark_issuers(self, s: Session) -> dict[str, list[str]]:
        """Section 3.1.3 ``trust_mark_issuers``: the types NIXA's anchor recognises, and who issues them."""
        own = set(self.settings.trust_mark_types or [self.trust_anchor_id + "/trust-marks/portal"])
        own |= set(s.scalars(select(FederationTrustMark.trust_mark_type).distinct()))
        issuers = {t: [self.trust_anchor_id] for t in sorted(own)}
        for mark_type, others in self.settings.trust_mark_issuers.items():
            issuers[mark_type] = sorted(set(issuers.get(mark_type, [])) | set(others))
        return issuers

    def held_trust_marks(self, s: Session, subject: str) -> list[dict[str, str]]:
        now = utcnow()
        rows = s.scalars(
            select(FederationTrustMark).where(
                FederationTrustMark.subject == subject,
                FederationTrustMark.revoked_at.is_(None),
                FederationTrustMark.expires_at > now,
            )
        )
        return [{"trust_mark_type": r.trust_mark_type, "trust_mark": r.token} for r in rows]

    def entity_configuration(self, entity_id: str) -> str:
        """Section 3.1: the entity's statement about itself, signed with its own federation key."""
        with self.db.read_session() as s:
            row = self._entity(s, entity_id)
            now = int(utcnow().timestamp())
            claims: dict[str, Any] = {
                "iss": row.entity_id,
                "sub": row.entity_id,
                "iat": now,
                "exp": now + self.settings.statement_ttl,
                "jwks": self.jwks(s, row.entity_id),
                "metadata": {"federation_entity": self.federation_entity_metadata(row)},
            }
            if row.superior:
                claims["authority_hints"] = [row.superior]
            if row.kind == models.TRUST_ANCHOR:
                claims["trust_mark_issuers"] = self.trust_mark_issuers(s)
            if row.kind == models.OPENID_PROVIDER:
                claims["metadata"]["openid_provider"] = dict(self.op_metadata())
            if marks := self.held_trust_marks(s, row.entity_id):
                claims["trust_marks"] = marks
            return statements.sign(claims, self.key(s, row.entity_id))

    def subordinate_statement(self, superior: str, subject: str) -> str:
        """Section 3.1 and 8.1.1: what ``superior`` says about an enrolled ``subject``."""
        with self.db.read_session() as s:
            row = self._entity(s, superior)
            sub = s.scalar(
                select(FederationSubordinate).where(
                    FederationSubordinate.superior == superior, FederationSubordinate.entity_id == subject
                )
            )
            if sub is None:
                raise NotFound("this entity does not vouch for that subject", detail=subject[:200])
            now = int(utcnow().timestamp())
            claims: dict[str, Any] = {
                "iss": superior,
                "sub": subject,
                "iat": now,
                "exp": now + self.settings.statement_ttl,
                "jwks": sub.jwks,
                "source_endpoint": self.endpoint(superior, "fetch"),
            }
            for claim, value in (
                ("metadata_policy", sub.metadata_policy),
                ("metadata", sub.metadata_override),
                ("constraints", sub.constraints),
            ):
                if value:
                    claims[claim] = value
            return statements.sign(claims, self.key(s, row.entity_id))

    def historical_keys(self, entity_id: str) -> str:
        """Section 8.7: the entity's retired keys, signed with its current key."""
        with self.db.read_session() as s:
            row = self._entity(s, entity_id)
            claims = {
                "iss": row.entity_id,
                "iat": int(utcnow().timestamp()),
                "keys": self.keys.retired(s, entity_id),
            }
            return statements.sign(claims, self.key(s, row.entity_id), typ="jwk-set+jwt")

    def anchor_jwks(self) -> dict[str, Any] | None:
        with self.db.read_session() as s:
            row = s.get(FederationEntity, self.trust_anchor_id)
            return self.jwks(s, row.entity_id) if row else None


class LocalEntitySource:
    """``resolver.EntitySource`` over ``LocalEntities``: NIXA's own statements without a network hop."""

    def __init__(self, entities: LocalEntities) -> None:
        self.entities = entities

    def entity_configuration(self, entity_id: str) -> str:
        return self.entities.entity_configuration(entity_id)

    def subordinate_statement(self, superior: EntityStatement, subject: str) -> str:
        return self.entities.subordinate_statement(superior.sub, subject)
