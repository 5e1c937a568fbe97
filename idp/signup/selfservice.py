"""What a logged-in person may read about themselves: their profile and their own activity trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp.audit import AuditEvent
from idp.identities import IdentityStore, Person
from idp.models import AuditRecord, Client, Identity

# Only events that describe something the person did or shared; operator and system events stay out.
ACTIVITY_EVENTS = (
    AuditEvent.LOGIN_SUCCEEDED,
    AuditEvent.LOGIN_FAILED,
    AuditEvent.LOGIN_LOCKED,
    AuditEvent.CONSENT_GIVEN,
    AuditEvent.CONSENT_REVOKED,
    AuditEvent.TOKEN_ISSUED,
    AuditEvent.LOGOUT,
    AuditEvent.SIGNUP_COMPLETED,
    AuditEvent.EMAIL_CONFIRMED,
    AuditEvent.PHONE_CONFIRMED,
    AuditEvent.PASSWORD_RESET_REQUESTED,
    AuditEvent.PASSWORD_RESET,
)


@dataclass(frozen=True)
class ActivityEntry:
    at: datetime
    event: str
    portal: str | None


def profile(identities: IdentityStore, identity: Identity) -> Person:
    return identities.person(identity)


def activity(s: Session, identity_id: str, limit: int = 100) -> list[ActivityEntry]:
    rows = s.execute(
        select(AuditRecord.at, AuditRecord.event, Client.name)
        .outerjoin(Client, Client.client_id == AuditRecord.client_id)
        .where(
            AuditRecord.identity_id == identity_id, AuditRecord.event.in_([e.value for e in ACTIVITY_EVENTS])
        )
        .order_by(AuditRecord.seq.desc())
        .limit(limit)
    ).all()
    return [ActivityEntry(at, event, portal) for at, event, portal in rows]
