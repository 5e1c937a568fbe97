"""The operator's federation service: create intermediates, enrol and remove subordinates, issue and
revoke trust marks, and the typed read API the admin console and ``nixa federation`` use.

Every change is one transaction with its audit record (``idp.audit``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from federation.openid_federation import models, policy, trust_marks
from federation.openid_federation.enrolment import check_constraints, check_jwks
from federation.openid_federation.entities import LocalEntities
from federation.openid_federation.errors import FederationError, InvalidMetadata, NotFound
from federation.openid_federation.models import (
    FederatedClient,
    FederationEntity,
    FederationSubordinate,
    FederationTrustMark,
)
from federation.openid_federation.overview import (
    FederationOverview,
    TrustMarkView,
    mark_view,
    read_overview,
    subordinate_ids,
)
from federation.openid_federation.resolver import check_entity_id
from idp import audit
from idp.db import utcnow
from idp.errors import InvalidRequest

log = logging.getLogger("nixa.federation")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class FederationService:
    def __init__(self, entities: LocalEntities, on_change: Callable[[], None] = lambda: None) -> None:
        self.entities = entities
        self.db = entities.db
        self.on_change = on_change  # cached chains are dropped when what NIXA vouches for changes

    # -- NIXA's own entities -----------------------------------------------------------------------
    def ensure_entities(self) -> None:
        """At start: the trust anchor and the OP leaf exist, and the anchor vouches for the OP."""
        try:
            self._create_own_entities()
        except IntegrityError:
            # Another process (a second server worker) created them at the same moment: the primary
            # keys decided, and what it created is what this one wanted.
            log.info("federation entities were created by another process")

    def _create_own_entities(self) -> None:
        ta, op = self.entities.trust_anchor_id, self.entities.issuer
        with self.db.session() as s:
            if s.get(FederationEntity, ta) is None:
                row = self.entities.create_entity(
                    s,
                    entity_id=ta,
                    kind=models.TRUST_ANCHOR,
                    name=self.entities.settings.organization_name,
                    slug=None,
                    superior=None,
                )
                audit.record(
                    s,
                    audit.AuditEvent.FEDERATION_ENTITY_CREATED,
                    actor="system",
                    data={"entity_id": ta, "kind": row.kind},
                )
            if s.get(FederationEntity, op) is None:
                row = self.entities.create_entity(
                    s,
                    entity_id=op,
                    kind=models.OPENID_PROVIDER,
                    name=self.entities.settings.organization_name,
                    slug=None,
                    superior=ta,
                )
                self._enrol(
                    s,
                    superior=ta,
                    entity_id=op,
                    name=row.name,
                    jwks=self.entities.jwks(s, row.entity_id),
                    entity_types=["openid_provider"],
                    intermediate=False,
                )
                audit.record(
                    s,
                    audit.AuditEvent.FEDERATION_ENTITY_CREATED,
                    actor="system",
                    data={"entity_id": op, "kind": row.kind},
                )

    def create_intermediate(
        self,
        *,
        slug: str,
        name: str,
        actor: str,
        superior: str | None = None,
        metadata_policy: dict[str, Any] | None = None,
        constraints: dict[str, Any] | None = None,
    ) -> str:
        """A ministry or province as an intermediate NIXA runs, enrolled under the anchor or ``superior``."""
        if not SLUG.match(slug):
            raise InvalidRequest("slug must be 2-63 lowercase letters, digits or hyphens")
        entity_id = self.entities.intermediate_id(slug)
        superior = self.superior_id(superior or "ta")
        with self.db.session() as s:
            upper = s.get(FederationEntity, superior)
            if upper is None or upper.kind == models.OPENID_PROVIDER:
                raise InvalidRequest("the superior must be NIXA's trust anchor or one of its intermediates")
            if s.get(FederationEntity, entity_id) is not None:
                raise InvalidRequest("an intermediate with this slug exists")
            row = self.entities.create_entity(
                s,
                entity_id=entity_id,
                kind=models.INTERMEDIATE,
                name=name.strip(),
                slug=slug,
                superior=superior,
            )
            self._enrol(
                s,
                superior=superior,
                entity_id=entity_id,
                name=row.name,
                jwks=self.entities.jwks(s, row.entity_id),
                entity_types=["federation_entity"],
                intermediate=True,
                metadata_policy=policy.check_policy(metadata_policy or {}),
                constraints=check_constraints(constraints or {}),
            )
            audit.record(
                s,
                audit.AuditEvent.FEDERATION_ENTITY_CREATED,
                actor=actor,
                data={"entity_id": entity_id, "kind": row.kind, "superior": superior},
            )
        self.on_change()
        return entity_id

    def superior_id(self, superior: str) -> str:
        """``ta``, an intermediate's slug, or an entity ID of NIXA's."""
        if superior == "ta":
            return self.entities.trust_anchor_id
        return superior if "://" in superior else self.entities.intermediate_id(superior)

    def rotate_keys(self, entity: str, *, actor: str) -> str:
        """Rotate an entity's federation keys (``ta``, ``op``, a slug or an entity ID); NIXA superiors
        vouch for the new set at once. Returns the new current kid."""
        entity_id = self.entities.issuer if entity == "op" else self.superior_id(entity)
        with self.db.session() as s:
            if s.get(FederationEntity, entity_id) is None:
                raise InvalidRequest("no such entity: use ta, op or the slug of an intermediate")
            kid = self.entities.keys.rotate(s, entity_id)
            published = self.entities.jwks(s, entity_id)
            for row in s.scalars(
                select(FederationSubordinate).where(FederationSubordinate.entity_id == entity_id)
            ):
                row.jwks = published
            audit.record(
                s,
                audit.AuditEvent.KEY_ROTATED,
                actor=actor,
                data={"federation_entity": entity_id, "current": kid},
            )
        self.on_change()
        return kid

    # -- subordinates ------------------------------------------------------------------------------
    def _enrol(
        self,
        s: Session,
        *,
        superior: str,
        entity_id: str,
        name: str,
        jwks: dict[str, Any],
        entity_types: list[str],
        intermediate: bool,
        metadata_policy: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        constraints: dict[str, Any] | None = None,
    ) -> FederationSubordinate:
        row = s.scalar(
            select(FederationSubordinate).where(
                FederationSubordinate.superior == superior, FederationSubordinate.entity_id == entity_id
            )
        )
        if row is None:
            row = FederationSubordinate(superior=superior, entity_id=entity_id)
            s.add(row)
        row.name, row.jwks, row.entity_types, row.intermediate = name, jwks, entity_types, intermediate
        row.metadata_policy, row.metadata_override = metadata_policy or {}, metadata or {}
        row.constraints = constraints or {}
        s.flush()
        return row

    def enrol(
        self,
        *,
        superior: str,
        entity_id: str,
        jwks: dict[str, Any],
        actor: str,
        name: str = "",
        entity_types: list[str] | None = None,
        intermediate: bool = False,
        metadata_policy: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        constraints: dict[str, Any] | None = None,
    ) -> None:
        """Enrol (or update) a subordinate: from now on ``superior``'s fetch endpoint vouches for it."""
        superior_id = self.superior_id(superior)
        check_entity_id(entity_id)
        try:
            checked_policy = policy.check_policy(metadata_policy or {})
        except FederationError as exc:
            raise InvalidRequest(f"metadata_policy: {exc.description}") from exc
        with self.db.session() as s:
            upper = s.get(FederationEntity, superior_id)
            if upper is None or upper.kind == models.OPENID_PROVIDER:
                raise InvalidRequest("no such superior: use ta or the slug of an intermediate")
            if entity_id == superior_id:
                raise InvalidRequest("an entity cannot be its own subordinate")
            self._enrol(
                s,
                superior=superior_id,
                entity_id=entity_id,
                name=name.strip(),
                jwks=check_jwks(jwks),
                entity_types=list(entity_types or ["openid_relying_party"]),
                intermediate=intermediate,
                metadata_policy=checked_policy,
                metadata=metadata or {},
                constraints=check_constraints(constraints or {}),
            )
            audit.record(
                s,
                audit.AuditEvent.FEDERATION_SUBORDINATE_ENROLLED,
                actor=actor,
                data={
                    "superior": superior_id,
                    "entity_id": entity_id,
                    "intermediate": intermediate,
                    "entity_types": list(entity_types or []),
                    "policy": bool(metadata_policy),
                    "constraints": bool(constraints),
                },
            )
        self.on_change()

    def remove_subordinate(self, *, superior: str, entity_id: str, actor: str) -> bool:
        """The superior stops vouching: its fetch endpoint answers not_found, admitted portals re-resolve."""
        superior_id = self.superior_id(superior)
        with self.db.session() as s:
            row = s.scalar(
                select(FederationSubordinate).where(
                    FederationSubordinate.superior == superior_id,
                    FederationSubordinate.entity_id == entity_id,
                )
            )
            if row is None:
                return False
            s.delete(row)
            # Portals admitted through a chain may depend on this link: their admission ends now and the
            # next request resolves the chain again (and is refused if no other path remains).
            s.execute(update(FederatedClient).values(chain_expires_at=utcnow()))
            audit.record(
                s,
                audit.AuditEvent.FEDERATION_SUBORDINATE_REMOVED,
                actor=actor,
                data={"superior": superior_id, "entity_id": entity_id},
            )
        self.on_change()
        return True

    # -- trust marks -------------------------------------------------------------------------------
    def issue_trust_mark(
        self, *, subject: str, trust_mark_type: str, actor: str, ttl: int | None = None
    ) -> TrustMarkView:
        """The trust anchor issues a trust mark of ``trust_mark_type`` to ``subject`` (Section 7.1)."""
        check_entity_id(subject)
        if not trust_mark_type.strip() or len(trust_mark_type) > 255:
            raise InvalidRequest("a trust mark type is a non-empty identifier of at most 255 characters")
        issuer = self.entities.trust_anchor_id
        now = utcnow()
        exp = now + timedelta(seconds=ttl or self.entities.settings.trust_mark_ttl)
        with self.db.session() as s:
            row = s.get(FederationEntity, issuer)
            if row is None:
                raise NotFound("the trust anchor is not set up")
            token = trust_marks.issue(
                self.entities.key(s, row.entity_id),
                issuer=issuer,
                subject=subject,
                trust_mark_type=trust_mark_type,
                iat=int(now.timestamp()),
                exp=int(exp.timestamp()),
            )
            mark = FederationTrustMark(
                id=str(uuid.uuid4()),
                issuer=issuer,
                subject=subject,
                trust_mark_type=trust_mark_type,
                token=token,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                issued_at=now,
                expires_at=exp,
            )
            s.add(mark)
            s.flush()
            audit.record(
                s,
                audit.AuditEvent.FEDERATION_TRUST_MARK_ISSUED,
                actor=actor,
                data={"id": mark.id, "subject": subject, "type": trust_mark_type},
            )
            view = mark_view(mark)
        self.on_change()
        return view

    def trust_mark_token(self, mark_id: str) -> str:
        with self.db.read_session() as s:
            row = s.get(FederationTrustMark, mark_id)
            if row is None:
                raise NotFound("no such trust mark")
            return row.token

    def revoke_trust_mark(self, mark_id: str, *, actor: str) -> bool:
        with self.db.session() as s:
            row = s.get(FederationTrustMark, mark_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at, row.revoked_by = utcnow(), actor
            s.execute(
                update(FederatedClient)
                .where(FederatedClient.client_id == row.subject)
                .values(chain_expires_at=utcnow())
            )
            audit.record(
                s,
                audit.AuditEvent.FEDERATION_TRUST_MARK_REVOKED,
                actor=actor,
                data={"id": mark_id, "subject": row.subject, "type": row.trust_mark_type},
            )
        self.on_change()
        return True

    def trust_mark_status(self, token: str) -> str:
        """Section 8.4: active, expired, revoked, or invalid when this issuer never issued it."""
        with self.db.read_session() as s:
            row = s.scalar(
                select(FederationTrustMark).where(
                    FederationTrustMark.token_hash == hashlib.sha256(token.strip().encode()).hexdigest()
                )
            )
            if row is None:
                return "invalid"
            if row.revoked_at is not None:
                return "revoked"
            return "active" if row.expires_at > utcnow() else "expired"

    # -- reading -----------------------------------------------------------------------------------
    def list_subordinates(self, superior: str, **filters: Any) -> list[str]:
        """Section 8.2: the subordinates' entity IDs, filtered as the list endpoint asks."""
        return subordinate_ids(self.db, superior, **filters)

    def overview(self) -> FederationOverview:
        return read_overview(self.db)


__all__ = ["FederationOverview", "FederationService", "InvalidMetadata"]
