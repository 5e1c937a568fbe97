"""Read sessions on the database under test (SQLite, or PostgreSQL with NIXA_DATABASE_URL): a write never
stays, and on PostgreSQL reads cost no transaction of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from idp.db import Database
from idp.models import AuditHead


@pytest.fixture
def db(settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


def _audit_seq(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(AuditHead.seq).where(AuditHead.id == 1))


def test_a_write_in_a_read_session_is_never_kept(db: Database) -> None:
    before = _audit_seq(db)
    if db.is_postgres:
        # The server refuses it: the connection's transactions are read-only.
        with pytest.raises(DBAPIError, match="read-only transaction"), db.read_session() as s:
            s.execute(text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1"))
    else:
        # SQLite: the pool's rollback when the session closes undoes it.
        with db.read_session() as s:
            s.execute(text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1"))
    assert _audit_seq(db) == before
    # The connection that refused (or rolled back) goes on reading.
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditHead)) == 1


def test_units_of_work_still_write_beside_read_sessions(db: Database) -> None:
    before = _audit_seq(db)
    with db.read_session() as r:
        r.execute(select(AuditHead.seq))
        with db.session() as s:
            s.execute(text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1"))
    assert _audit_seq(db) == before + 1


def test_postgresql_reads_send_no_begin_or_rollback(db: Database, tmp_path) -> None:
    if not db.is_postgres:
        pytest.skip("PostgreSQL only: SQLite's read sessions begin a deferred transaction for a snapshot")
    with db.read_session() as s:
        s.execute(select(1))  # the pool's connection opens: its SET runs once, at connect
        pgconn = s.connection().connection.driver_connection.pgconn
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as out:
        # libpq's own trace of every message sent to the server (PQtrace), on the pooled connection.
        pgconn.trace(out.fileno())
        try:
            for _ in range(3):
                with db.read_session() as s:
                    assert s.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) is not None
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
