"""Test databases: one migrated template per worker, a clean copy for every test.

SQLite: the migrated file is copied for each test. PostgreSQL (``NIXA_DATABASE_URL`` set to a postgresql
URL, as `.ci/run` does): each pytest-xdist worker gets its own schema, migrated once, and every table is
truncated before each test.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text, update

from idp.db import Database
from idp.migrate import upgrade


def base_url() -> str | None:
    url = os.environ.get("NIXA_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def _pg(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


def create_schema(schema: str) -> str:
    """A new, empty schema on the server of ``NIXA_DATABASE_URL`` (one a crashed run left behind is dropped
    first); returns a URL whose connections work in it."""
    pg = base_url()
    assert pg, "needs NIXA_DATABASE_URL=postgresql://..."
    _on_server(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in pg else "?"
    return _pg(pg) + f"{sep}options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    _on_server(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _on_server(*statements: str) -> None:
    pg = base_url()
    assert pg
    engine = create_engine(_pg(pg))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


class TestDatabase:
    def __init__(self, worker: str, tmp: Path) -> None:
        self.worker = worker
        self.tmp = tmp
        self.pg = base_url()
        if self.pg:
            # One schema per process, not just per worker: other test runs may share the same server.
            self.schema = f"nixa_test_{worker}_{os.getpid()}"
            self.url = create_schema(self.schema)
            upgrade(self.url)
            engine = create_engine(self.url)
            with engine.connect() as conn:
                self.tables = [
                    r[0]
                    for r in conn.execute(
                        text(
                            "SELECT tablename FROM pg_tables"
                            " WHERE schemaname = :s AND tablename <> 'alembic_version'"
                        ),
                        {"s": self.schema},
                    )
                ]
            self.engine = engine
        else:
            self.template = tmp / "template.db"
            upgrade(f"sqlite:///{self.template}")

    def fresh(self, path: Path) -> str:
        """A clean, migrated database for one test; returns its URL."""
        if self.pg:
            with self.engine.begin() as conn:
                conn.execute(
                    text("TRUNCATE " + ", ".join(f'"{t}"' for t in self.tables) + " RESTART IDENTITY CASCADE")
                )
                conn.execute(
                    text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
                )
            return self.url
        target = path / "nixa.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        if self.pg:
            self.engine.dispose()
            drop_schema(self.schema)


# -- reaching past the application, as an attacker with database access or a clock would ---------------
def update_rows(db: Database, model: Any, *where: Any, **values: Any) -> int:
    """UPDATE rows directly (expire a code, age a session); returns how many rows changed."""
    with db.session() as s:
        result = s.execute(update(model).where(*where).values(**values))
        return int(result.rowcount)  # type: ignore[attr-defined]


_AUDIT_TRIGGERS = {
    "sqlite": (["DROP TRIGGER audit_records_no_update", "DROP TRIGGER audit_records_no_delete"], []),
    "postgresql": (
        ["DROP TRIGGER audit_records_append_only ON audit_records"],
        # The PostgreSQL schema outlives one test (tables are truncated), so the trigger is put back.
        [
            "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
            "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()"
        ],
    ),
}


@contextmanager
def audit_triggers_dropped(db: Database) -> Iterator[None]:
    """Without the append-only triggers, as someone with DDL rights could arrange it."""
    drop, restore = _AUDIT_TRIGGERS[db.engine.dialect.name]
    with db.engine.begin() as conn:
        for statement in drop:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for statement in restore:
                conn.execute(text(statement))


def dump_text(db: Database) -> str:
    """Every value of every row of every table as text (bytes decoded leniently), like a database dump."""
    chunks: list[str] = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 (names from the catalog)
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value).decode("utf-8", errors="replace"))
                    elif value is not None:
                        chunks.append(
                            value
                            if isinstance(value, str)
                            else json.dumps(value, default=str, ensure_ascii=False)
                        )
    return "\n".join(chunks)
