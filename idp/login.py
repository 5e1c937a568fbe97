"""Password authentication with throttling per account and per IP (OWASP ASVS 2.2.1, NIST 800-63B 5.2.2).

Each failed attempt is counted once against the account and once against the IP. While locked, attempts
are refused without being counted again (the lock does not grow) and without checking the password, and
the person is told when to retry. Unknown usernames cost one argon2 verification, like known ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.config import Settings
from idp.crypto import BlindIndex
from idp.db import utcnow
from idp.identities import IdentityStore
from idp.models import Identity, LoginThrottle, PasswordCredential
from idp.throttle import count_failure, locked_row


@dataclass(frozen=True)
class LoginResult:
    identity: Identity | None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.identity is not None


class PasswordLogin:
    def __init__(self, settings: Settings, identities: IdentityStore, blind_index: BlindIndex) -> None:
        self.settings = settings
        self.identities = identities
        self.index = blind_index

    def attempt(
        self,
        s: Session,
        *,
        username: str,
        password: str,
        ip: str | None,
        client_id: str | None,
    ) -> LoginResult:
        now = utcnow()
        identity = self.identities.find_by_username(s, username)
        # Throttle by the username typed, not by the account found, so that unknown usernames lock out
        # exactly like known ones and the lockout reveals nothing about which accounts exist.
        keys = [
            f"acct:{self.index('username', username.strip().lower())[:60]}",
            f"ip:{self.index('ip', ip or '-')[:60]}",
        ]
        throttles = [locked_row(s, k) for k in keys]
        locked = [t.locked_until for t in throttles if t.locked_until and t.locked_until > now]
        if locked:
            lock_end = max(locked)
            audit.record(
                s,
                audit.AuditEvent.LOGIN_LOCKED,
                identity_id=identity.id if identity else None,
                client_id=client_id,
                ip=ip,
                data={"until": lock_end.isoformat()},
            )
            return LoginResult(None, locked_until=lock_end)
        cred = s.get(PasswordCredential, identity.id) if identity is not None else None
        ok = self.identities.passwords.verify(cred.password_hash if cred else None, password)
        if ok and identity is not None and cred is not None and not identity.locked:
            for t in throttles:
                if t.key.startswith("acct:"):
                    t.failures, t.locked_until = 0, None
            if self.identities.passwords.needs_rehash(cred.password_hash):
                cred.password_hash = self.identities.passwords.rehash(password)
                cred.updated_at = now
            return LoginResult(identity)
        until = self._count_failure(throttles, now)
        audit.record(
            s,
            audit.AuditEvent.LOGIN_FAILED,
            identity_id=identity.id if identity else None,
            client_id=client_id,
            ip=ip,
            data={"reason": "account_locked" if identity and identity.locked else "bad_credentials"},
        )
        return LoginResult(None, locked_until=until)

    def _count_failure(self, throttles: list[LoginThrottle], now: datetime) -> datetime | None:
        st = self.settings
        ends = [
            count_failure(
                t,
                limit=st.account_max_failures if t.key.startswith("acct:") else st.ip_max_failures,
                window=st.failure_window,
                lockout=st.lockout_seconds,
                now=now,
            )
            for t in throttles
        ]
        locked = [end for end in ends if end is not None]
        return max(locked) if locked else None


def identity_by_id(s: Session, identity_id: str) -> Identity | None:
    return s.scalar(select(Identity).where(Identity.id == identity_id))
