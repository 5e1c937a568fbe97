"""PostgreSQL connections that died while idle in the pool are replaced before a request uses them.

Runs against the PostgreSQL of ``NIXA_DATABASE_URL`` (the PostgreSQL pass of `.ci/run`); SQLite has no
server connection to lose.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from idp import db as idp_db
from tests.support.db import base_url

pytestmark = pytest.mark.skipif(base_url() is None, reason="needs NIXA_DATABASE_URL=postgresql://...")


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    """What a database restart or failover does to a pooled connection, from another session."""
    killer = create_engine(idp_db.make_engine(str(base_url())).url, poolclass=NullPool)
    with killer.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def _killed_in_the_pool(monkeypatch, ping_after_idle: float) -> tuple[Engine, int]:
    """An engine whose one pooled connection's backend was terminated; returns it and that backend's pid."""
    monkeypatch.setattr(idp_db, "PING_AFTER_IDLE", ping_after_idle)
    engine = idp_db.make_engine(str(base_url()))
    first = _backend_pid(engine)
    _terminate(first)
    return engine, first


def test_a_connection_killed_while_idle_is_tested_and_replaced(monkeypatch):
    engine, first = _killed_in_the_pool(monkeypatch, 0.05)
    time.sleep(0.1)
    # The request after the failover gets a live connection, not an error.
    assert _backend_pid(engine) != first
    engine.dispose()


def test_without_the_idle_check_the_same_failure_reaches_the_request(monkeypatch):
    # The control: a connection idle for less than the threshold is not tested, so a killed one fails
    # once (and SQLAlchemy then invalidates the pool). This is why idle connections are tested.
    engine, first = _killed_in_the_pool(monkeypatch, 3600.0)
    with pytest.raises(OperationalError):
        _backend_pid(engine)
    assert _backend_pid(engine) != first
    engine.dispose()
