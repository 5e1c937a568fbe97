"""Single sign-on sessions (one per browser) and pending login interactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from idp.crypto import new_token, sha256_hex
from idp.db import InsertIfAbsent, utcnow
from idp.models import Client, Identity, Interaction, SessionClient, SsoSession

LOA_PREFIX = "urn:nixa:loa:"
_add_session_client = InsertIfAbsent(cast(Table, SessionClient.__table__), "sid", "client_id")
# Core, on the session's connection: the ORM's bulk UPDATE (with its evaluation of the criteria against
# the session's objects) cost more than the rest of completing a login's interaction.
_INTERACTIONS = cast(Table, Interaction.__table__)
_COMPLETE = (
    update(_INTERACTIONS)
    .where(_INTERACTIONS.c.id == bindparam("interaction_id"), _INTERACTIONS.c.completed_at.is_(None))
    .values(completed_at=bindparam("now"))
)
# Every step of a login reads the interaction and checks its client's revision (ClientCache.at_revision):
# one statement for both instead of two.
_INTERACTION_ROWS = (
    select(Interaction, Client.updated_at)
    .outerjoin(Client, Client.client_id == Interaction.client_id)
    .where(Interaction.id == bindparam("interaction_id"))
)
# Whether an interaction may go on, without loading it: the check before a password hash.
_INTERACTION_STATE = select(
    _INTERACTIONS.c.browser_hash, _INTERACTIONS.c.completed_at, _INTERACTIONS.c.expires_at
).where(_INTERACTIONS.c.id == bindparam("interaction_id"))


def acr_for(level: int) -> str:
    return f"{LOA_PREFIX}{level}"


def level_of(acr: str | None) -> int:
    if acr and acr.startswith(LOA_PREFIX) and acr[len(LOA_PREFIX) :] in ("1", "2", "3"):
        return int(acr[len(LOA_PREFIX) :])
    return 0


@dataclass(frozen=True)
class ActiveSession:
    row: SsoSession
    identity: Identity

    @property
    def effective_acr(self) -> str:
        """DESIGN.md: the acr is the lower of the identity's level and this session's authentication level."""
        return acr_for(min(self.identity.loa, level_of(self.row.acr)))


class SessionStore:
    def __init__(self, ttl: int, interaction_ttl: int) -> None:
        self.ttl = ttl
        self.interaction_ttl = interaction_ttl

    def start(
        self,
        s: Session,
        *,
        identity: Identity,
        auth_level: int,
        amr: list[str],
        ip: str | None,
        user_agent: str | None,
    ) -> tuple[SsoSession, str]:
        """A new session after a fresh login; returns it with the cookie value (its hash is stored)."""
        now = utcnow()
        cookie = new_token(32)
        row = SsoSession(
            sid=new_token(16),
            cookie_hash=sha256_hex(cookie),
            identity_id=identity.id,
            auth_time=now,
            acr=acr_for(auth_level),
            amr=amr,
            expires_at=now + timedelta(seconds=self.ttl),
            ip=ip,
            user_agent=(user_agent or "")[:255],
        )
        s.add(row)
        s.flush()
        return row, cookie

    def from_cookie(self, s: Session, cookie: str | None) -> ActiveSession | None:
        if not cookie:
            return None
        row = s.scalar(select(SsoSession).where(SsoSession.cookie_hash == sha256_hex(cookie)))
        if row is None or row.ended_at is not None or row.expires_at <= utcnow():
            return None
        identity = s.get(Identity, row.identity_id)
        if identity is None or identity.locked:
            return None
        return ActiveSession(row, identity)

    def end(self, s: Session, sid: str) -> list[str]:
        """End a session; returns the client_ids that took part in it (for single logout)."""
        s.execute(
            update(SsoSession)
            .where(SsoSession.sid == sid, SsoSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        return list(s.scalars(select(SessionClient.client_id).where(SessionClient.sid == sid)))

    def add_client(self, s: Session, sid: str, client_id: str) -> None:
        # Once per (session, portal), by the unique constraint: one statement on every code issued.
        s.flush()  # the session row it refers to, when it is new in this unit of work
        s.connection().execute(
            _add_session_client(s), {"sid": sid, "client_id": client_id, "created_at": utcnow()}
        )

    def reauthenticated(self, s: Session, row: SsoSession) -> str:
        """The person entered the password again: the same session (same sid, so portals keep it) gets a
        fresh auth_time and a new cookie value, so a cookie planted before the re-login is worthless."""
        row.auth_time = utcnow()
        return self.rotate_cookie(s, row)

    def rotate_cookie(self, s: Session, row: SsoSession) -> str:
        """A new cookie value for an existing session (session fixation: OWASP ASVS 3.2.1); returns it."""
        cookie = new_token(32)
        row.cookie_hash = sha256_hex(cookie)
        s.flush()
        return cookie

    # -- interactions -------------------------------------------------------------------------------
    def new_interaction(
        self, s: Session, *, browser_id: str, client_id: str, request: dict[str, Any], prompt: str
    ) -> Interaction:
        now = utcnow()
        row = Interaction(
            id=new_token(24),
            browser_hash=sha256_hex(browser_id),
            client_id=client_id,
            request=request,
            prompt=prompt,
            expires_at=now + timedelta(seconds=self.interaction_ttl),
        )
        s.add(row)
        s.flush()
        return row

    def interaction(
        self, s: Session, interaction_id: str, browser_id: str | None
    ) -> tuple[Interaction, datetime | None] | None:
        """The interaction, with its client's ``updated_at`` (None if the client is gone). Only the browser
        that started the request may continue it, and only until it expires."""
        found = s.execute(_INTERACTION_ROWS, {"interaction_id": interaction_id}).first()
        if found is None or not _may_go_on(found[0], browser_id):
            return None
        return found[0], found[1]

    def may_continue(self, s: Session, interaction_id: str, browser_id: str | None) -> bool:
        """``interaction`` would answer, without loading the row and its request (Core, one short row)."""
        found = s.connection().execute(_INTERACTION_STATE, {"interaction_id": interaction_id}).first()
        return found is not None and _may_go_on(found, browser_id)

    def complete(self, s: Session, interaction_id: str) -> bool:
        """Mark an interaction done exactly once (a double-submitted form issues one code)."""
        s.flush()  # what this unit of work changed of the interaction goes first, as before
        now = utcnow()
        result = s.connection().execute(_COMPLETE, {"interaction_id": interaction_id, "now": now})
        done = bool(result.rowcount == 1)
        # The session's copy of the row, if it holds one, says what the database now says.
        loaded = s.identity_map.get(s.identity_key(Interaction, interaction_id))
        if done and loaded is not None:
            set_committed_value(loaded, "completed_at", now)
        return done


def _may_go_on(row: Any, browser_id: str | None) -> bool:
    """An Interaction or a row of its columns: this browser's, not completed, not expired."""
    if browser_id is None or row.browser_hash != sha256_hex(browser_id):
        return False
    return row.completed_at is None and row.expires_at > utcnow()


def open_sessions(s: Session, identity_id: str) -> list[SsoSession]:
    """The identity's sessions that neither ended nor expired, newest first."""
    return list(
        s.scalars(
            select(SsoSession)
            .where(
                SsoSession.identity_id == identity_id,
                SsoSession.ended_at.is_(None),
                SsoSession.expires_at > utcnow(),
            )
            .order_by(SsoSession.created_at.desc())
        )
    )
