"""The typed read API over the federation for operators (the admin console, ``nixa federation list``):
NIXA's trust anchors and intermediates, the intermediates and leaves enrolled, and the trust marks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from federation.openid_federation import models
from federation.openid_federation.errors import NotFound
from federation.openid_federation.models import (
    FederatedClient,
    FederationEntity,
    FederationSubordinate,
    FederationTrustMark,
)
from idp.db import Database, utcnow


@dataclass(frozen=True)
class EntityView:
    entity_id: str
    kind: str
    name: str
    superior: str | None
    subordinates: int


@dataclass(frozen=True)
class SubordinateView:
    superior: str
    entity_id: str
    name: str
    entity_types: list[str]
    intermediate: bool
    metadata_policy: dict[str, Any]
    constraints: dict[str, Any]
    admitted_until: datetime | None


@dataclass(frozen=True)
class TrustMarkView:
    id: str
    issuer: str
    subject: str
    trust_mark_type: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > utcnow() else "expired"


@dataclass(frozen=True)
class FederationOverview:
    """What an operator sees: anchors, intermediates, leaves and trust marks."""

    trust_anchors: list[EntityView]
    intermediates: list[EntityView]
    leaves: list[SubordinateView]
    trust_marks: list[TrustMarkView]


def mark_view(m: FederationTrustMark) -> TrustMarkView:
    return TrustMarkView(
        m.id, m.issuer, m.subject, m.trust_mark_type, m.issued_at, m.expires_at, m.revoked_at
    )


def read_overview(db: Database) -> FederationOverview:
    with db.read_session() as s:
        entities = list(s.scalars(select(FederationEntity).order_by(FederationEntity.created_at)))
        subs = list(s.scalars(select(FederationSubordinate).order_by(FederationSubordinate.entity_id)))
        admitted = {c.client_id: c.chain_expires_at for c in s.scalars(select(FederatedClient))}
        counts = {e.entity_id: sum(1 for x in subs if x.superior == e.entity_id) for e in entities}
        own = [EntityView(e.entity_id, e.kind, e.name, e.superior, counts[e.entity_id]) for e in entities]
        # Intermediates enrolled by NIXA's entities but run by others (a province's own federation server).
        external = [
            EntityView(x.entity_id, "external_intermediate", x.name, x.superior, 0)
            for x in subs
            if x.intermediate and x.entity_id not in counts
        ]
        leaves = [
            SubordinateView(
                x.superior,
                x.entity_id,
                x.name,
                list(x.entity_types),
                x.intermediate,
                dict(x.metadata_policy),
                dict(x.constraints),
                admitted.get(x.entity_id),
            )
            for x in subs
            if not x.intermediate
        ]
        marks = [
            mark_view(m)
            for m in s.scalars(select(FederationTrustMark).order_by(FederationTrustMark.issued_at))
        ]
    return FederationOverview(
        trust_anchors=[e for e in own if e.kind == models.TRUST_ANCHOR],
        intermediates=[e for e in own if e.kind == models.INTERMEDIATE] + external,
        leaves=leaves,
        trust_marks=marks,
    )


def subordinate_ids(
    db: Database,
    superior: str,
    *,
    entity_type: str | None = None,
    intermediate: bool | None = None,
    trust_mark_type: str | None = None,
    trust_marked: bool = False,
) -> list[str]:
    """Section 8.2: the subordinates' entity IDs, filtered as the list endpoint asks."""
    with db.read_session() as s:
        if s.get(FederationEntity, superior) is None:
            raise NotFound("no such entity here")
        rows = list(
            s.scalars(
                select(FederationSubordinate)
                .where(FederationSubordinate.superior == superior)
                .order_by(FederationSubordinate.entity_id)
            )
        )
        if entity_type:
            rows = [r for r in rows if entity_type in r.entity_types]
        if intermediate is not None:
            rows = [r for r in rows if r.intermediate == intermediate]
        if trust_marked or trust_mark_type:
            held = {
                (r.subject, r.trust_mark_type)
                for r in s.scalars(
                    select(FederationTrustMark).where(
                        FederationTrustMark.revoked_at.is_(None),
                        FederationTrustMark.expires_at > utcnow(),
                    )
                )
            }
            rows = [
                r
                for r in rows
                if any(
                    sub == r.entity_id and (not trust_mark_type or t == trust_mark_type) for sub, t in held
                )
            ]
        return [r.entity_id for r in rows]
