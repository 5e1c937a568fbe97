"""What the dashboard shows: logins per hour by portal and by level, failures and lockouts, and the
verification backlog with its age. Read from the grants (one per login at a portal, with its effective
acr), the audit trail and the verification requests; nothing personal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.charts import Series
from idp import audit
from idp.db import utcnow
from idp.models import AuditRecord, Client, Grant
from idp.models.proofing import VerificationRequest
from idp.sessions import level_of

HOURS = 24
AGE_BUCKETS = ((1, "< 1"), (3, "1–3"), (7, "3–7"), (None, "> 7"))
FAILURE_EVENTS = {
    audit.AuditEvent.LOGIN_FAILED.value: "failed",
    audit.AuditEvent.SECOND_FACTOR_FAILED.value: "second_factor_failed",
    audit.AuditEvent.LOGIN_LOCKED.value: "locked",
}


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest: datetime | None
    by_age: list[int]  # per AGE_BUCKETS, in days


@dataclass(frozen=True)
class Dashboard:
    hours: list[str]
    logins_by_portal: list[Series]
    logins_by_level: list[Series]
    failures: list[Series]
    backlog: Backlog


def _hour_index(at: datetime, start: datetime) -> int:
    return int((at - start).total_seconds() // 3600)


def _series(rows: list[tuple[datetime, str]], start: datetime, labels: dict[str, str]) -> list[Series]:
    counts: dict[str, list[int]] = {}
    for at, key in rows:
        i = _hour_index(at, start)
        if 0 <= i < HOURS:
            counts.setdefault(key, [0] * HOURS)[i] += 1
    return [Series(labels.get(k, k), v) for k, v in sorted(counts.items(), key=lambda kv: -sum(kv[1]))]


def build(s: Session, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    hours = [(start + timedelta(hours=i)).strftime("%H:00") for i in range(HOURS)]
    grants = s.execute(
        select(Grant.created_at, Grant.client_id, Grant.acr).where(Grant.created_at >= start)
    ).all()
    names = {cid: name for cid, name in s.execute(select(Client.client_id, Client.name))}
    by_portal = _series([(g.created_at, g.client_id) for g in grants if g.acr], start, names)
    by_level = _series([(g.created_at, f"loa:{level_of(g.acr)}") for g in grants if g.acr], start, {})
    failures = s.execute(
        select(AuditRecord.at, AuditRecord.event).where(
            AuditRecord.at >= start, AuditRecord.event.in_(FAILURE_EVENTS)
        )
    ).all()
    failure_series = _series([(f.at, FAILURE_EVENTS[f.event]) for f in failures], start, {})
    return Dashboard(
        hours, by_portal, sorted(by_level, key=lambda x: x.label), failure_series, backlog(s, now)
    )


def backlog(s: Session, now: datetime) -> Backlog:
    created = list(
        s.scalars(select(VerificationRequest.created_at).where(VerificationRequest.status == "pending"))
    )
    ages: Counter[int] = Counter()
    for at in created:
        days = (now - at).total_seconds() / 86400
        bucket = next(i for i, (limit, _) in enumerate(AGE_BUCKETS) if limit is None or days < limit)
        ages[bucket] += 1
    return Backlog(
        len(created), min(created) if created else None, [ages[i] for i in range(len(AGE_BUCKETS))]
    )
