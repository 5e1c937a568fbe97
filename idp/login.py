"""Password authentication with throttling per account and per IP (OWASP ASVS 2.2.1, NIST 800-63B 5.2.2).

Each failed attempt is counted once against the account and once against the IP. While locked, attempts
are refused without being counted again (the lock does not grow) and without checking the password, and
the person is told when to retry. Unknown usernames cost one argon2 verification, like known ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.config import Settings
from idp.crypto import BlindIndex
from idp.db import Database, utcnow
from idp.identities import IdentityStore
from idp.models import Identity, LoginThrottle, PasswordCredential
from idp.throttle import count_failure, locked_row

# The lock ends of a login's throttle keys (account and IP), in one statement.
_LOCKS = select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(bindparam("keys", expanding=True)))
# The same counters read under row locks by a login whose password was right, in key order ("acct:"
# before "ip:"), the order a failed attempt locks them in one at a time (``locked_row``), so the two
# never wait on each other in a cycle.
_LOCKED_COUNTERS = (
    select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.locked_until)
    .where(LoginThrottle.key.in_(bindparam("keys", expanding=True)))
    .order_by(LoginThrottle.key)
    .with_for_update()
)
_CLEAR = (
    update(LoginThrottle)
    .where(LoginThrottle.key == bindparam("clear_key"))
    .values(failures=0, locked_until=None)
)


@dataclass(frozen=True)
class LoginResult:
    identity: Identity | None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.identity is not None


@dataclass(frozen=True)
class StoredPassword:
    """What ``check_first`` read before hashing: the account found for the username (if any) and its hash."""

    identity_id: str | None
    password_hash: str | None


@dataclass(frozen=True)
class CheckedPassword:
    """A password checked before the unit of work (``PasswordLogin.check_first``): against which account and
    stored hash, and the outcome. ``attempt`` uses it only if both are still what it reads itself."""

    identity_id: str | None
    password_hash: str | None
    ok: bool


class PasswordLogin:
    def __init__(self, settings: Settings, identities: IdentityStore, blind_index: BlindIndex) -> None:
        self.settings = settings
        self.identities = identities
        self.index = blind_index

    def _keys(self, username: str, ip: str | None) -> list[str]:
        return [
            f"acct:{self.index('username', username.strip().lower())[:60]}",
            f"ip:{self.index('ip', ip or '-')[:60]}",
        ]

    def check_first(
        self, db: Database, *, username: str, password: str, ip: str | None
    ) -> CheckedPassword | None:
        """Verify the password before the caller's unit of work, for ``attempt(checked=...)``: on SQLite a
        unit of work holds the database's only write lock from its first statement, and an argon2
        verification inside it (tens of ms) kept every other writer out meanwhile. The account and its
        stored hash are read in a read session, closed before the hash is computed. None when a lock is
        already set: ``attempt`` then refuses without checking the password."""
        with db.read_session() as read:
            stored = self.stored_for_check(read, username=username, ip=ip)
        return self.verify_stored(stored, password)

    def stored_for_check(self, read: Session, *, username: str, ip: str | None) -> StoredPassword | None:
        """The first half of ``check_first``, in a read session of the caller's that also reads other
        things: the account and stored hash for ``username``, or None when a lock is already set. The
        caller closes the session before ``verify_stored``: a hash is tens of milliseconds, too long to
        hold a snapshot (SQLite's checkpoints wait for it) or a pooled connection."""
        if self._lock_ends(read, self._keys(username, ip)):
            return None
        return StoredPassword(*self.identities.password_for_username(read, username))

    def verify_stored(self, stored: StoredPassword | None, password: str) -> CheckedPassword | None:
        """The second half of ``check_first``: the hash, outside any session."""
        if stored is None:
            return None
        # An unknown username costs one verification too, against a dummy hash.
        ok = self.identities.passwords.verify(stored.password_hash, password)
        return CheckedPassword(stored.identity_id, stored.password_hash, ok)

    def attempt(
        self,
        s: Session,
        *,
        username: str,
        password: str,
        ip: str | None,
        client_id: str | None,
        checked: CheckedPassword | None = None,
    ) -> LoginResult:
        """``checked``: the outcome of ``check_first`` for this username and password, if the caller ran
        it."""
        now = utcnow()
        identity, cred = self.identities.find_with_password(s, username)
        # Throttle by the username typed, not by the account found, so that unknown usernames lock out
        # exactly like known ones and the lockout reveals nothing about which accounts exist.
        keys = self._keys(username, ip)
        # The password is checked before the counters are locked: argon2 takes tens of milliseconds, and
        # holding the per-IP row meanwhile would queue every login from one address (a carrier's NAT)
        # behind each other across all worker processes. A lock seen here already refuses at once.
        # With ``checked``, check_first saw no lock before it verified, so this early look is not needed:
        # the look under the row locks below decides.
        if checked is None and (lock_end := self._lock_ends(s, keys)):
            return self._refuse_locked(s, identity, client_id, ip, lock_end)
        stored = cred.password_hash if cred else None
        if checked is not None and (checked.identity_id, checked.password_hash) == (
            identity.id if identity else None,
            stored,
        ):
            ok = checked.ok
        else:
            # Not checked before, or the account or its password changed since: check what is stored now.
            ok = self.identities.passwords.verify(stored, password)
        if ok and identity is not None and cred is not None and not identity.locked:
            return self._succeeded(s, identity, cred, password, keys, client_id, ip, now)
        throttles = [locked_row(s, k) for k in keys]
        # Checked again under the row locks: a lock set by a concurrent attempt meanwhile still holds.
        if lock_end := self._lock_end(throttles, now):
            return self._refuse_locked(s, identity, client_id, ip, lock_end)
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

    def _succeeded(
        self,
        s: Session,
        identity: Identity,
        cred: PasswordCredential,
        password: str,
        keys: list[str],
        client_id: str | None,
        ip: str | None,
        now: datetime,
    ) -> LoginResult:
        """The right password for an unlocked account. Its counters are read under row locks, in one
        statement: a lock set by a concurrent attempt meanwhile still refuses. A key with no row has
        never failed, and a success creates none (a counter row is a failure's record, so the table
        holds the accounts and addresses that failed, not every citizen who ever logged in); the
        account's failures are cleared only when there are some."""
        rows = s.connection().execute(_LOCKED_COUNTERS, {"keys": keys}).all()
        if lock_end := _latest_lock((r.locked_until for r in rows), now):
            return self._refuse_locked(s, identity, client_id, ip, lock_end)
        account = keys[0]
        if any(r.key == account and (r.failures or r.locked_until is not None) for r in rows):
            s.connection().execute(_CLEAR, {"clear_key": account})
        if self.identities.passwords.needs_rehash(cred.password_hash):
            cred.password_hash = self.identities.passwords.rehash(password)
            cred.updated_at = now
        return LoginResult(identity)

    @staticmethod
    def _lock_ends(s: Session, keys: list[str]) -> datetime | None:
        """The latest lock still set on ``keys``, read without row locks."""
        return _latest_lock(s.connection().execute(_LOCKS, {"keys": keys}).scalars())

    @staticmethod
    def _lock_end(rows: Iterable[LoginThrottle | None], now: datetime | None = None) -> datetime | None:
        return _latest_lock((t.locked_until for t in rows if t is not None), now)

    def _refuse_locked(
        self, s: Session, identity: Identity | None, client_id: str | None, ip: str | None, lock_end: datetime
    ) -> LoginResult:
        audit.record(
            s,
            audit.AuditEvent.LOGIN_LOCKED,
            identity_id=identity.id if identity else None,
            client_id=client_id,
            ip=ip,
            data={"until": lock_end.isoformat()},
        )
        return LoginResult(None, locked_until=lock_end)

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


def _latest_lock(ends: Iterable[datetime | None], now: datetime | None = None) -> datetime | None:
    """The latest of the lock ends still in the future, or None when nothing is locked."""
    now = now or utcnow()
    locked = [end for end in ends if end is not None and end > now]
    return max(locked) if locked else None


def identity_by_id(s: Session, identity_id: str) -> Identity | None:
    return s.scalar(select(Identity).where(Identity.id == identity_id))
