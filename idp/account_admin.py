"""Operator actions on a citizen's account: lock, unlock (lockouts cleared), end every session, reset a
second factor. Each runs in the caller's transaction together with its audit record (who, what, why).

Ending sessions is the same single logout the citizen gets (``SingleLogout.end_identity_sessions``): grants
revoked, every portal told by back-channel logout (Back-Channel Logout 1.0 Section 2.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import BlindIndex
from idp.db import utcnow
from idp.identities import Person
from idp.models import Identity, LoginThrottle
from idp.models.factors import Factor, RecoveryCode
from idp.oauth.logout import SingleLogout


@dataclass(frozen=True)
class Lockout:
    kind: str  # password | second_factor
    until: datetime


def throttle_keys(index: BlindIndex, person: Person) -> dict[str, str]:
    """The throttle rows that belong to this person: one per username they can type (``idp.login``) and
    the second-factor counter (``idp.factors.service``)."""
    keys = {f"2fa:{person.id}": "second_factor"}
    for username in (person.personal_id, person.email):
        if username:
            keys[f"acct:{index('username', username.strip().lower())[:60]}"] = "password"
    return keys


class AccountAdministration:
    def __init__(self, logout: SingleLogout, index: BlindIndex) -> None:
        self.logout = logout
        self.index = index

    def lockouts(self, s: Session, person: Person) -> list[Lockout]:
        keys = throttle_keys(self.index, person)
        rows = s.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
        now = utcnow()
        return [Lockout(keys[r.key], r.locked_until) for r in rows if r.locked_until and r.locked_until > now]

    def lock(self, s: Session, identity: Identity, *, actor: str, reason: str, ip: str | None) -> int:
        """Locked: no login, no token refresh, no userinfo (they check ``locked``); sessions end now."""
        identity.locked = True
        ended, _ = self.logout.end_identity_sessions(s, identity.id, keep_sid=None, ip=ip)
        audit.record(
            s,
            audit.AuditEvent.IDENTITY_LOCKED,
            actor=actor,
            identity_id=identity.id,
            ip=ip,
            data={"reason": reason, "sessions_ended": ended},
        )
        return ended

    def unlock(
        self, s: Session, identity: Identity, person: Person, *, actor: str, reason: str, ip: str | None
    ) -> int:
        """Unlocks the account and clears its failure lockouts; returns how many lockouts were cleared."""
        identity.locked = False
        cleared = 0
        for row in s.scalars(
            select(LoginThrottle).where(LoginThrottle.key.in_(throttle_keys(self.index, person)))
        ):
            cleared += int(row.locked_until is not None and row.locked_until > utcnow())
            row.failures, row.locked_until = 0, None
        audit.record(
            s,
            audit.AuditEvent.IDENTITY_UNLOCKED,
            actor=actor,
            identity_id=identity.id,
            ip=ip,
            data={"reason": reason, "lockouts_cleared": cleared},
        )
        return cleared

    def end_sessions(self, s: Session, identity: Identity, *, actor: str, reason: str, ip: str | None) -> int:
        ended, deliveries = self.logout.end_identity_sessions(s, identity.id, keep_sid=None, ip=ip)
        audit.record(
            s,
            audit.AuditEvent.IDENTITY_SESSIONS_ENDED,
            actor=actor,
            identity_id=identity.id,
            ip=ip,
            data={"reason": reason, "sessions_ended": ended, "backchannel_deliveries": len(deliveries)},
        )
        return ended

    def reset_factor(
        self, s: Session, identity: Identity, factor_id: str, *, actor: str, reason: str, ip: str | None
    ) -> bool:
        """Remove one second factor (a lost phone or key). When it was the last one, the recovery codes go
        too, so the person enrols afresh; sessions end, as with any change to how someone logs in."""
        gone = s.execute(
            delete(Factor)
            .where(Factor.id == factor_id, Factor.identity_id == identity.id)
            .execution_options(synchronize_session=False)
        )
        if gone.rowcount != 1:  # type: ignore[attr-defined]
            return False
        left = s.scalar(select(Factor.id).where(Factor.identity_id == identity.id).limit(1))
        if left is None:
            s.execute(delete(RecoveryCode).where(RecoveryCode.identity_id == identity.id))
        ended, _ = self.logout.end_identity_sessions(s, identity.id, keep_sid=None, ip=ip)
        audit.record(
            s,
            audit.AuditEvent.IDENTITY_FACTOR_RESET,
            actor=actor,
            identity_id=identity.id,
            ip=ip,
            data={
                "reason": reason,
                "factor_id": factor_id,
                "sessions_ended": ended,
                "recovery_codes_cleared": left is None,
            },
        )
        return True
