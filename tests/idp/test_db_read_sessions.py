"""Read sessions and ``Database.reads`` on the database under test (SQLite, or PostgreSQL with
NIXA_DATABASE_URL): a write never stays, and on PostgreSQL reads cost no transaction of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from idp.db import Database, Reads, Unit, orm, unit_of_work
from idp.models import AuditHead

# Both ways to read: an ORM read session, and a connection with a session only on demand.
READS = ("read_session", "reads")


def _open(db: Database, kind: str) -> AbstractContextManager[Any]:
    return db.read_session() if kind == "read_session" else db.reads()


@pytest.fixture
def db(settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


def _audit_seq(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(AuditHead.seq).where(AuditHead.id == 1))


@pytest.mark.parametrize("kind", READS)
@pytest.mark.parametrize("through", ["connection", "orm"])
def test_a_write_in_a_read_session_is_never_kept(db: Database, kind: str, through: str) -> None:
    before = _audit_seq(db)
    bump = text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1")

    def write(s: Unit) -> None:
        if through == "connection":
            s.connection().execute(bump)
        else:
            orm(s).execute(bump)
            # A commit of the session a Reads made joins the connection's transaction: it commits nothing.
            if isinstance(s, Reads):
                s.orm.commit()

    if db.is_postgres:
        # The server refuses it: the connection's transactions are read-only.
        with pytest.raises(DBAPIError, match="read-only transaction"), _open(db, kind) as s:
            write(s)
    else:
        # SQLite: the rollback when the read ends undoes it.
        with _open(db, kind) as s:
            write(s)
    assert _audit_seq(db) == before
    # The connection that refused (or rolled back) goes on reading.
    with _open(db, kind) as s:
        assert s.connection().execute(select(func.count()).select_from(AuditHead)).scalar() == 1


def test_reads_make_no_orm_session_until_one_is_asked_for(db: Database) -> None:
    begun: list[Session] = []

    def on_begin(session: Session, _transaction: Any, _connection: Any) -> None:
        begun.append(session)

    event.listen(Session, "after_begin", on_begin)
    try:
        with db.reads() as r:
            assert r.connection().execute(select(AuditHead.seq)).scalar() is not None
            assert begun == []
            assert r.orm.scalar(select(AuditHead.seq)) is not None
            assert len(begun) == 1
            assert r.orm is r.orm  # one session for the whole read
    finally:
        event.remove(Session, "after_begin", on_begin)


def test_the_orm_session_of_reads_shares_the_connections_snapshot(db: Database) -> None:
    if db.is_postgres:
        pytest.skip("SQLite only: on PostgreSQL each autocommit statement reads a snapshot of its own")
    before = _audit_seq(db)
    with db.reads() as r:
        assert r.connection().execute(select(AuditHead.seq)).scalar() == before
        with db.session() as s:
            s.execute(text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1"))
        # The ORM session runs on the same connection, in the same transaction: the same snapshot, so a
        # read never mixes rows from before and after another request's commit.
        assert r.orm.scalar(select(AuditHead.seq)) == before
    assert _audit_seq(db) == before + 1


def test_a_step_that_writes_refuses_a_reads(db: Database) -> None:
    with db.reads() as r, pytest.raises(TypeError, match=r"Database\.session"):
        unit_of_work(r)
    with db.session() as s:
        assert unit_of_work(s) is s


def test_units_of_work_still_write_beside_read_sessions(db: Database) -> None:
    before = _audit_seq(db)
    with db.read_session() as r:
        r.execute(select(AuditHead.seq))
        with db.session() as s:
            s.execute(text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1"))
    assert _audit_seq(db) == before + 1


@pytest.mark.parametrize("kind", READS)
def test_postgresql_reads_send_no_begin_or_rollback(db: Database, tmp_path, kind: str) -> None:
    if not db.is_postgres:
        pytest.skip("PostgreSQL only: SQLite's read sessions begin a deferred transaction for a snapshot")
    with _open(db, kind) as s:
        s.connection().execute(select(1))  # the pool's connection opens: its SET runs once, at connect
        pgconn = s.connection().connection.driver_connection.pgconn
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as out:
        # libpq's own trace of every message sent to the server (PQtrace), on the pooled connection.
        pgconn.trace(out.fileno())
        try:
            for _ in range(3):
                with _open(db, kind) as s:
                    seq = s.connection().execute(select(AuditHead.seq).where(AuditHead.id == 1)).scalar()
                    assert seq is not None
                    # No transaction is open on the server while the session reads.
                    driver = s.connection().connection.driver_connection
                    assert driver.pgconn is pgconn and driver.info.transaction_status.name == "IDLE"
        finally:
            pgconn.untrace()
    sent = [line for line in trace.read_text().splitlines() if "\tF\t" in line]
    assert sent, "the trace recorded nothing"
    words = " ".join(sent).upper()
    assert "SELECT" in words
    assert "BEGIN" not in words and "ROLLBACK" not in words and "COMMIT" not in words
