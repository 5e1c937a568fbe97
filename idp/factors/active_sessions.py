"""The person's own single sign-on sessions on the account pages: list them, end one, end all others.

Ending a session here is the same single logout as ``/logout`` (RP-Initiated Logout 1.0 / Back-Channel
Logout 1.0, ``idp.oauth.logout``): the session ends, its non-offline grants are revoked and every portal that
took part gets a back-channel logout token. Front-channel iframes are not used: they would run in *this*
browser, while the portal cookies to clear live in the browser that held the ended session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.models import Client, SsoSession
from idp.oauth.logout import SingleLogout
from idp.sessions import ActiveSession, level_of, open_sessions

# Most specific first: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_SHORT = 40


@dataclass(frozen=True)
class SessionSummary:
    """One row of the sessions list."""

    sid: str
    started: datetime
    auth_time: datetime
    level: int
    browser: str
    ip: str | None
    current: bool


def short_browser(user_agent: str | None) -> str:
    """ "Chrome · Windows" rather than the whole user agent string, which means little to a person."""
    ua = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in ua), None)
    if browser is None and "Safari/" in ua:
        browser = "Safari"
    system = next((name for mark, name in _SYSTEMS if mark in ua), None)
    if browser or system:
        return " · ".join(x for x in (browser, system) if x)
    # Unknown clients (scripts, test clients): their own first word is the most telling part.
    return re.split(r"[\s;(]", ua.strip(), maxsplit=1)[0][:_SHORT] if ua.strip() else ""


def summaries(s: Session, session: ActiveSession) -> list[SessionSummary]:
    return [
        SessionSummary(
            sid=row.sid,
            started=row.created_at,
            auth_time=row.auth_time,
            level=level_of(row.acr),
            browser=short_browser(row.user_agent),
            ip=row.ip,
            current=row.sid == session.row.sid,
        )
        for row in open_sessions(s, session.identity.id)
    ]


class PersonalLogout(SingleLogout):
    """Single logout started by the person from the account pages, for any of their own sessions."""

    def end_own(self, s: Session, session: ActiveSession, sid: str, ip: str | None) -> list[int] | None:
        """End one of the person's sessions; None when ``sid`` is not an open session of theirs, so that
        nobody can end (or learn about) another person's session. Returns the queued deliveries."""
        row = s.scalar(
            select(SsoSession).where(
                SsoSession.sid == sid,
                SsoSession.identity_id == session.identity.id,
                SsoSession.ended_at.is_(None),
            )
        )
        return None if row is None else self._end_row(s, session, row, ip)

    def end_others(self, s: Session, session: ActiveSession, ip: str | None) -> list[int]:
        others = s.scalars(
            select(SsoSession).where(
                SsoSession.identity_id == session.identity.id,
                SsoSession.sid != session.row.sid,
                SsoSession.ended_at.is_(None),
            )
        ).all()
        return [delivery for row in others for delivery in self._end_row(s, session, row, ip)]

    def _end_row(self, s: Session, session: ActiveSession, row: SsoSession, ip: str | None) -> list[int]:
        clients: list[Client] = self._end(s, row, None, ip)
        audit.record(
            s,
            audit.AuditEvent.SESSION_ENDED,
            identity_id=session.identity.id,
            ip=ip,
            data={"sid": row.sid, "by_sid": session.row.sid},
        )
        # Back-Channel Logout 1.0 Section 2.4: each portal of the ended session gets its logout token.
        return self._queue_backchannel(s, [c for c in clients if c.backchannel_logout_uri], row)
