"""Recent login for sensitive account changes (OWASP ASVS 3.7.1; NIST SP 800-63B Section 7.2).

Adding or removing a factor, new recovery codes and a password change need a password entered within the
last ``Settings.recent_login_seconds`` (default ten minutes): a session left open on a shared computer must
not be enough to take over the account.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from idp.db import utcnow
from idp.sessions import ActiveSession


def is_recent(session: ActiveSession, within_seconds: int) -> bool:
    return utcnow() - session.row.auth_time <= timedelta(seconds=within_seconds)


def reauth_location(next_path: str) -> str:
    """The self-login page in re-authentication mode, returning to ``next_path`` afterwards."""
    return "/login?" + urlencode({"next": next_path, "reauth": "1"})
