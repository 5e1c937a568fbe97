"""Registry checks that could not be answered at registration, and their later re-check.

Registration never waits for the registry: when the match is UNAVAILABLE the identity is created at level 1
and ``queue_recheck`` records it. ``recheck_pending`` (run by ``nixa registry recheck`` or a scheduler)
asks again; a match raises the identity to level 2 (DESIGN.md, levels of assurance), a definite "no" keeps
the level and is audited with its reason, and another UNAVAILABLE keeps the check queued with a growing
delay. A queued check is only removed once the registry has given a definite answer: nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.db import Database, utcnow
from idp.identities import IdentityStore
from idp.models import Identity
from idp.models.population import PendingRegistryCheck
from idp.population.interface import DeclaredIdentity, MatchResult, MatchStatus, PopulationRegistry

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
REGISTRY_MATCHED_LOA = 2


class RegistryEvent(StrEnum):
    RECHECK_QUEUED = "identity:registry_recheck_queued"
    MATCHED = "identity:registry_matched"
    NOT_MATCHED = "identity:registry_not_matched"


@dataclass
class RecheckReport:
    matched: list[str] = field(default_factory=list)  # identity ids
    not_matched: dict[str, str] = field(default_factory=dict)  # identity id -> status[: reason]
    still_unavailable: list[str] = field(default_factory=list)


def queue_recheck(s: Session, identity_id: str, reason: str | None, *, actor: str = "system") -> None:
    """Remember that this identity's registry match is owed; due at once, in the caller's transaction."""
    pending = s.get(PendingRegistryCheck, identity_id)
    if pending is None:
        pending = PendingRegistryCheck(identity_id=identity_id, attempts=0, next_attempt_at=utcnow())
        s.add(pending)
    pending.last_reason = _clip(reason)
    audit.record(
        s, RegistryEvent.RECHECK_QUEUED, actor=actor, identity_id=identity_id, data={"reason": reason}
    )


def recheck_pending(
    db: Database,
    registry: PopulationRegistry,
    identities: IdentityStore,
    *,
    now: datetime | None = None,
    limit: int = 100,
) -> RecheckReport:
    """Retry the due checks, each in its own transaction so one failure loses none of the others."""
    now = now or utcnow()
    report = RecheckReport()
    for identity_id, declared in _due(db, identities, now, limit):
        # The registry is asked outside any transaction: a slow answer must not hold database locks.
        result = registry.match(declared) if declared else MatchResult(MatchStatus.MISMATCH, "incomplete")
        with db.session() as s:
            _settle(s, identity_id, result, now, report)
    return report


def _due(
    db: Database, identities: IdentityStore, now: datetime, limit: int
) -> list[tuple[str, DeclaredIdentity | None]]:
    with db.read_session() as s:
        rows = s.execute(
            select(PendingRegistryCheck.identity_id, Identity)
            .join(Identity, Identity.id == PendingRegistryCheck.identity_id)
            .where(PendingRegistryCheck.next_attempt_at <= now)
            .order_by(PendingRegistryCheck.next_attempt_at)
            .limit(limit)
        ).all()
        return [(iid, _declared(identities, row)) for iid, row in rows]


def _declared(identities: IdentityStore, row: Identity) -> DeclaredIdentity | None:
    person = identities.person(row)
    if not (person.personal_id and person.full_name and person.birth_date):
        return None  # nothing to compare: settled as a mismatch rather than retried for ever
    return DeclaredIdentity(person.personal_id, person.full_name, date.fromisoformat(person.birth_date))


def _settle(s: Session, identity_id: str, result: MatchResult, now: datetime, report: RecheckReport) -> None:
    pending = s.get(PendingRegistryCheck, identity_id)
    identity = s.get(Identity, identity_id)
    if pending is None or identity is None:
        return  # settled by a concurrent run, or the identity was deleted
    if result.status is MatchStatus.UNAVAILABLE:
        pending.attempts += 1
        pending.last_reason = _clip(result.reason)
        pending.next_attempt_at = now + min(FIRST_DELAY * 2 ** (pending.attempts - 1), MAX_DELAY)
        report.still_unavailable.append(identity_id)
        return
    s.delete(pending)
    if result.matched:
        identity.loa = max(identity.loa, REGISTRY_MATCHED_LOA)
        audit.record(s, RegistryEvent.MATCHED, identity_id=identity_id, data={"loa": identity.loa})
        report.matched.append(identity_id)
        return
    data = {"status": result.status.value, "reason": result.reason}
    audit.record(s, RegistryEvent.NOT_MATCHED, identity_id=identity_id, data=data)
    report.not_matched[identity_id] = result.status.value + (f": {result.reason}" if result.reason else "")


def _clip(reason: str | None) -> str | None:
    return reason[:200] if reason else reason
