"""How SQLite transactions begin: units of work take the write lock up front, read sessions never do."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from idp.db import Database, _WriterQueue


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (n INTEGER)")
    db = Database(f"sqlite:///{path}")
    yield db, path
    db.dispose()


def other_writer(path: Path) -> sqlite3.Connection:
    """A second process's connection that gives up at once instead of waiting for the lock."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=0")
    return conn


def test_a_unit_of_work_holds_the_write_lock_from_its_first_statement(sqlite_db):
    db, path = sqlite_db
    other = other_writer(path)
    with db.session() as s:
        s.execute(text("SELECT count(*) FROM t"))  # only a read, yet the transaction is IMMEDIATE
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # released at commit
    other.execute("ROLLBACK")
    other.close()


def test_a_read_session_neither_takes_nor_waits_for_the_write_lock(sqlite_db):
    db, path = sqlite_db
    other = other_writer(path)
    with db.read_session() as s:
        before = s.scalar(text("SELECT count(*) FROM t"))
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (1)")
        other.execute("COMMIT")
        # The read session's transaction is a snapshot: the other writer's commit is not seen in it.
        assert s.scalar(text("SELECT count(*) FROM t")) == before == 0
    with db.read_session() as s:
        assert s.scalar(text("SELECT count(*) FROM t")) == 1
    other.close()


def test_a_busy_database_at_begin_is_a_sqlalchemy_error_and_the_session_recovers(sqlite_db):
    db, path = sqlite_db

    @event.listens_for(db.engine, "connect")
    def _short_wait(dbapi_conn, _record):  # after NIXA's own pragmas: wait 50 ms, not 30 s
        dbapi_conn.execute("PRAGMA busy_timeout=50")

    db.engine.dispose()  # new connections, with the listener above
    other = other_writer(path)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(OperationalError, match="locked"), db.session() as s:
        s.execute(text("INSERT INTO t VALUES (2)"))
    other.execute("ROLLBACK")
    with db.session() as s:
        s.execute(text("INSERT INTO t VALUES (3)"))
    with db.read_session() as s:
        assert s.scalars(text("SELECT n FROM t")).all() == [3]
    other.close()


def no_busy_wait(db: Database) -> None:
    """SQLite refuses at once instead of waiting: only NIXA's own queue can make a writer wait."""

    @event.listens_for(db.engine, "connect")
    def _no_wait(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    db.engine.dispose()


def test_writers_in_one_process_queue_for_their_turn_instead_of_polling_sqlite(sqlite_db):
    db, _path = sqlite_db
    no_busy_wait(db)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with db.session() as s:
            s.execute(text("INSERT INTO t VALUES (1)"))
            holding.set()
            release.wait(10)

    def second() -> None:
        try:
            with db.session() as s:  # SQLite would refuse now (busy_timeout=0): it waits its turn instead
                s.execute(text("INSERT INTO t VALUES (2)"))
        except BaseException as exc:
            errors.append(exc)

    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.3)  # b is queued behind a
    release.set()
    a.join(10)
    b.join(10)
    assert errors == []
    with db.read_session() as s:
        assert s.scalars(text("SELECT n FROM t ORDER BY n")).all() == [1, 2]


def test_a_turn_not_given_in_time_goes_on_to_sqlites_own_lock(sqlite_db, monkeypatch):
    db, _path = sqlite_db
    no_busy_wait(db)
    monkeypatch.setattr(db, "_writers", _WriterQueue(wait=0.1))
    outcome: list[BaseException | None] = []

    def inner() -> None:
        try:
            with db.session() as s:
                s.execute(text("INSERT INTO t VALUES (2)"))
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    # A unit of work that waits for another thread's unit of work: without the time limit, a deadlock.
    with db.session() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
        worker = threading.Thread(target=inner)
        worker.start()
        worker.join(10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], OperationalError) and "locked" in str(outcome[0])
    with db.read_session() as s:
        assert s.scalars(text("SELECT n FROM t")).all() == [1]
