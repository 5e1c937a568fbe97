"""Failure counters (idp.throttle): the first attempts on a new key, racing, count one after another."""

from __future__ import annotations

import secrets
import threading

from sqlalchemy import func, select

from idp.db import utcnow
from idp.models import LoginThrottle
from idp.throttle import count_failure, locked_row


def test_first_attempts_on_a_new_key_race_and_count_one_after_another(platform):
    key = f"acct:{secrets.token_hex(8)}"
    first_has_it = threading.Event()
    second_saw: list[int] = []

    def second() -> None:
        first_has_it.wait(10)
        with platform.db.session() as s:
            # Waits for the first transaction (SQLite: its write lock; PostgreSQL: its uncommitted row),
            # then locks the row the first one inserted instead of failing on the duplicate key.
            row = locked_row(s, key)
            second_saw.append(row.failures)
            count_failure(row, limit=5, window=600, lockout=900, now=utcnow())

    other = threading.Thread(target=second)
    other.start()
    with platform.db.session() as s:
        row = locked_row(s, key)
        count_failure(row, limit=5, window=600, lockout=900, now=utcnow())
        first_has_it.set()
        other.join(0.5)
        assert other.is_alive()  # still waiting: the first attempt holds the key
    other.join(10)
    assert second_saw == [1]
    with platform.db.read_session() as s:
        assert s.scalar(select(func.count()).where(LoginThrottle.key == key)) == 1
        assert s.get(LoginThrottle, key).failures == 2
