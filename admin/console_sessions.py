"""Operators' console sessions: an absolute lifetime and an idle timeout, ended at sign-out or when the
NIXA session they came from ends (Back-Channel Logout 1.0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from admin.models import ConsoleSession
from admin.operators import roles_of
from admin.permissions import Permission, permissions_of
from idp.crypto import new_token, sha256_hex
from idp.db import Database, utcnow
from idp.models import Identity


@dataclass(frozen=True)
class Operator:
    """The signed-in operator as every console view sees them."""

    identity_id: str
    session_hash: str
    roles: frozenset[str]
    permissions: frozenset[Permission]
    acr: str
    signed_in_at: datetime

    @property
    def actor(self) -> str:
        return f"operator:{self.identity_id}"

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class SessionLookup:
    operator: Operator | None
    idle_expired: bool = False


class ConsoleSessions:
    def __init__(self, db: Database, *, ttl: int, idle_timeout: int) -> None:
        self.db = db
        self.ttl = timedelta(seconds=ttl)
        self.idle = timedelta(seconds=idle_timeout)

    def start(self, identity_id: str, *, acr: str, idp_sid: str | None) -> str:
        """A new session after a sign-in; returns the cookie value (only its hash is stored)."""
        cookie = new_token(32)
        now = utcnow()
        with self.db.session() as s:
            s.add(
                ConsoleSession(
                    id_hash=sha256_hex(cookie),
                    identity_id=identity_id,
                    idp_sid=idp_sid,
                    acr=acr,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.ttl,
                )
            )
        return cookie

    def current(self, cookie: str | None) -> SessionLookup:
        """The operator behind the cookie, their roles read afresh (a revoked role takes effect at once);
        touching the session restarts the idle clock."""
        if not cookie:
            return SessionLookup(None)
        now = utcnow()
        with self.db.session() as s:
            row = s.get(ConsoleSession, sha256_hex(cookie))
            if row is None or row.ended_at is not None or row.expires_at <= now:
                return SessionLookup(None)
            if row.last_seen_at + self.idle <= now:
                row.ended_at = now
                return SessionLookup(None, idle_expired=True)
            identity = s.get(Identity, row.identity_id)
            roles = roles_of(s, row.identity_id)
            if identity is None or identity.locked or not roles:
                row.ended_at = now
                return SessionLookup(None)
            row.last_seen_at = now
            return SessionLookup(
                Operator(
                    row.identity_id,
                    row.id_hash,
                    frozenset(roles),
                    permissions_of(roles),
                    row.acr,
                    row.created_at,
                )
            )

    def end(self, session_hash: str) -> None:
        with self.db.session() as s:
            s.execute(
                update(ConsoleSession)
                .where(ConsoleSession.id_hash == session_hash, ConsoleSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )

    def end_for_idp_session(self, identity_id: str, idp_sid: str | None) -> int:
        """Back-Channel Logout 1.0 Section 2.6: end what the logout token names (a sid, or every session
        of the subject when it carries none)."""
        with self.db.session() as s:
            query = select(ConsoleSession).where(
                ConsoleSession.identity_id == identity_id, ConsoleSession.ended_at.is_(None)
            )
            if idp_sid:
                query = query.where(ConsoleSession.idp_sid == idp_sid)
            rows = s.scalars(query).all()
            for row in rows:
                row.ended_at = utcnow()
            return len(rows)
