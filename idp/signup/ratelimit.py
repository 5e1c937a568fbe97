"""Attempt limits for the anonymous signup and recovery endpoints (OWASP ASVS 4 V11.1.4, 2.2.1).

Counters live in ``login_throttles`` next to the login ones, under their own key prefix, and the value
(an IP address, a typed identifier) is stored only as a keyed hash. Every attempt is counted, not only
failures: a signup that succeeds still creates an account and sends mail or SMS. A fixed window per key:
the first attempt opens it, at most ``limit`` attempts are let through within it, and refused attempts
are not counted (the wait does not grow while someone keeps trying). The row is locked for the decision,
so concurrent requests cannot all slip under the limit.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from idp.crypto import BlindIndex
from idp.db import utcnow
from idp.models import LoginThrottle
from idp.throttle import locked_row

# Module constants, not settings: idp/config.py belongs to another team. Chosen so that a person never
# meets them by accident, while one client cannot create accounts or send messages in bulk.
#
# 20 signups per IP per hour: mobile carriers put many people behind one address (CGNAT) and a ward office
# may help a queue of citizens register from one desk; 20/hour still caps one address at a few hundred
# accounts a day instead of thousands, and each account needs its own personal ID number anyway.
SIGNUP_PER_IP = (20, 3600)
# 5 recovery requests per IP per 15 minutes: an honest person asks once or twice (a slow mail); more
# from one address is someone walking a list of identifiers.
RECOVER_PER_IP = (5, 15 * 60)
# 3 recovery requests per typed identifier per hour: the person's mailbox or phone receives at most three
# messages an hour whoever asks. This limit is never shown to the requester (see PasswordRecovery).
RECOVER_PER_IDENTIFIER = (3, 3600)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_at: datetime | None = None  # when refused: when the window ends

    def retry_after(self, now: datetime | None = None) -> int:
        """Seconds to wait, for the Retry-After header (RFC 6585 Section 4, RFC 9110 Section 10.2.3)."""
        if self.retry_at is None:
            return 0
        return max(1, int((self.retry_at - (now or utcnow())).total_seconds() + 0.999))


class RateLimited(Exception):
    def __init__(self, retry_at: datetime) -> None:
        super().__init__(retry_at.isoformat())
        self.retry_at = retry_at


class RateLimit:
    """At most ``limit`` attempts per ``window`` seconds for each value, under the key ``prefix``."""

    def __init__(self, index: BlindIndex, prefix: str, limit: int, window: int) -> None:
        self.index = index
        self.prefix = prefix
        self.limit = limit
        self.window = timedelta(seconds=window)

    def key(self, value: str | None) -> str:
        # The same 60 hex characters as login.py's keys; the prefix keeps the counters apart.
        return f"{self.prefix}:{self.index(self.prefix, value or '-')[:60]}"

    def hit(self, s: Session, value: str | None) -> Decision:
        """Count one attempt if the limit allows it; the row stays locked until the transaction ends."""
        now = utcnow()
        row = locked_row(s, self.key(value), now)
        decision = self._decide(row, now)
        if decision.allowed:
            if now - _aware(row.window_start) >= self.window:
                row.failures, row.window_start = 0, now
            row.failures += 1
            s.flush()
        return decision

    def _decide(self, row: LoginThrottle | None, now: datetime) -> Decision:
        if row is None:
            return Decision(True)
        start = _aware(row.window_start)
        if now - start >= self.window or row.failures < self.limit:
            return Decision(True)
        return Decision(False, retry_at=start + self.window)


def ip_bucket(ip: str | None) -> str:
    """The unit an address is counted in: an IPv6 client usually holds a whole /64 and can rotate in it."""
    if not ip:
        return "-"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _aware(at: datetime) -> datetime:
    """Naive datetimes from the database are UTC (idp.db.utcnow)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
