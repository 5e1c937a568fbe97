"""Counters behind login lockouts and rate limits (the ``login_throttles`` table), shared by every caller.

A counter row is read under a row lock so concurrent attempts count one after another; the first attempt
on a key inserts the row, and when two first attempts race, the loser locks the winner's row instead of
failing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from idp.db import InsertIfAbsent, utcnow
from idp.models import LoginThrottle


def locked_row(s: Session, key: str, now: datetime | None = None) -> LoginThrottle:
    # populate_existing: the row may have been read without the lock earlier in this transaction, and
    # the locked read must see what concurrent attempts committed since.
    row = s.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if row is not None:
        return row
    # The key's first attempt (every first login of an account): insert its row, or, when a concurrent
    # first attempt got there first, leave theirs, then lock it. One INSERT ... ON CONFLICT DO NOTHING
    # rather than an ORM insert in a savepoint (SAVEPOINT, flush, RELEASE): this is on every such login.
    s.connection().execute(_insert_new(s), {"key": key, "failures": 0, "window_start": now or utcnow()})
    row = s.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


_insert_new = InsertIfAbsent(cast(Table, LoginThrottle.__table__), "key")


def count_failure(
    row: LoginThrottle, *, limit: int, window: int, lockout: int, now: datetime
) -> datetime | None:
    """Count one failure in the current window; at ``limit`` lock for ``lockout`` seconds and start afresh.
    Returns the end of the lock when this failure caused one."""
    if now - row.window_start > timedelta(seconds=window):
        row.failures, row.window_start = 0, now
    row.failures += 1
    if row.failures < limit:
        return None
    row.locked_until, row.failures, row.window_start = now + timedelta(seconds=lockout), 0, now
    return row.locked_until
