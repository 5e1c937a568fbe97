"""Identities whose registry match was unavailable are re-checked later, and nothing is lost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from idp.db import utcnow
from idp.identities import IdentityStore
from idp.models import AuditRecord, Identity
from idp.models.population import PendingRegistryCheck
from idp.platform import Platform
from idp.population.interface import DeclaredIdentity, MatchResult, MatchStatus
from idp.population.local import LocalRegistry
from idp.population.recheck import FIRST_DELAY, RegistryEvent, queue_recheck, recheck_pending
from tests.population.conftest import Rows


class Unavailable:
    def __init__(self) -> None:
        self.calls: list[DeclaredIdentity] = []

    def match(self, declared: DeclaredIdentity) -> MatchResult:
        self.calls.append(declared)
        return MatchResult(MatchStatus.UNAVAILABLE, "registry timed out")


@pytest.fixture
def identities(platform: Platform) -> IdentityStore:
    return IdentityStore(platform.sealer, platform.blind_index, platform.passwords)


def register(platform: Platform, identities: IdentityStore, row: dict[str, str], **changes: str) -> str:
    """As signup does when the registry is unavailable: level 1, and a re-check queued."""
    with platform.db.session() as s:
        identity = identities.create(
            s,
            personal_id=row["personal_id"],
            password=None,
            full_name=changes.get("full_name", row["full_name"]),
            birth_date=date.fromisoformat(row["date_of_birth"]),
            sex=row["sex"],
        )
        queue_recheck(s, identity.id, "registry timed out")
        return identity.id


def state(platform: Platform, identity_id: str) -> tuple[int, PendingRegistryCheck | None, list[AuditRecord]]:
    with platform.db.session() as s:
        loa = s.get_one(Identity, identity_id).loa
        events = s.scalars(select(AuditRecord).where(AuditRecord.identity_id == identity_id)).all()
        return loa, s.get(PendingRegistryCheck, identity_id), list(events)


def test_match_on_recheck_raises_the_level(
    platform: Platform, identities: IdentityStore, local_registry: LocalRegistry, rows: Rows
) -> None:
    iid = register(platform, identities, rows.active)
    report = recheck_pending(platform.db, local_registry, identities)
    assert report.matched == [iid]
    loa, pending, events = state(platform, iid)
    assert loa == 2 and pending is None
    assert [e.event for e in events][-2:] == [RegistryEvent.RECHECK_QUEUED, RegistryEvent.MATCHED]


@pytest.mark.parametrize(
    ("which", "changes", "verdict"),
    [("active", {"full_name": "Nguyen Van A"}, "mismatch: full_name"), ("deceased", {}, "deceased")],
)
def test_definite_no_keeps_the_level_and_records_why(
    platform: Platform,
    identities: IdentityStore,
    local_registry: LocalRegistry,
    rows: Rows,
    which: str,
    changes: dict[str, str],
    verdict: str,
) -> None:
    iid = register(platform, identities, getattr(rows, which), **changes)
    report = recheck_pending(platform.db, local_registry, identities)
    assert report.not_matched == {iid: verdict}
    loa, pending, events = state(platform, iid)
    assert loa == 1 and pending is None
    assert events[-1].event == RegistryEvent.NOT_MATCHED
    assert events[-1].data["status"] == verdict.split(":")[0]


def test_still_unavailable_stays_queued_with_backoff_then_matches(
    platform: Platform, identities: IdentityStore, local_registry: LocalRegistry, rows: Rows
) -> None:
    iid = register(platform, identities, rows.active)
    down, now = Unavailable(), utcnow()
    assert recheck_pending(platform.db, down, identities, now=now).still_unavailable == [iid]
    assert down.calls[0].full_name == rows.active["full_name"]  # decrypted from the identity
    loa, pending, _ = state(platform, iid)
    assert loa == 1 and pending is not None
    assert (pending.attempts, pending.last_reason) == (1, "registry timed out")
    assert pending.next_attempt_at == now + FIRST_DELAY

    # Not due yet: the registry is not asked again.
    assert recheck_pending(platform.db, down, identities, now=now + FIRST_DELAY / 2).still_unavailable == []
    assert len(down.calls) == 1
    recheck_pending(platform.db, down, identities, now=now + FIRST_DELAY)
    assert state(platform, iid)[1].next_attempt_at == now + 3 * FIRST_DELAY  # type: ignore[union-attr]

    report = recheck_pending(platform.db, local_registry, identities, now=now + timedelta(hours=1))
    assert report.matched == [iid] and state(platform, iid)[0] == 2


def test_queueing_twice_keeps_one_pending_check(
    platform: Platform, identities: IdentityStore, rows: Rows
) -> None:
    iid = register(platform, identities, rows.active)
    with platform.db.session() as s:
        queue_recheck(s, iid, "circuit breaker open")
    _, pending, _ = state(platform, iid)
    assert pending is not None and pending.last_reason == "circuit breaker open"


def test_a_higher_level_is_never_lowered(
    platform: Platform, identities: IdentityStore, local_registry: LocalRegistry, rows: Rows
) -> None:
    iid = register(platform, identities, rows.active)
    with platform.db.session() as s:
        s.get_one(Identity, iid).loa = 3
    recheck_pending(platform.db, local_registry, identities)
    assert state(platform, iid)[0] == 3
