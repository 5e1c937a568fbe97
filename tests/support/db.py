"""Test databases: one migrated template per worker, a clean copy for every test.

SQLite: the migrated file is copied for each test. PostgreSQL (``NIXA_DATABASE_URL`` set to a postgresql
URL, as `.ci/run` does): each pytest-xdist worker gets its own schema, migrated once, and every table is
truncated before each test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from idp.migrate import upgrade


def base_url() -> str | None:
    url = os.environ.get("NIXA_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def _pg(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


class TestDatabase:
    def __init__(self, worker: str, tmp: Path) -> None:
        self.worker = worker
        self.tmp = tmp
        self.pg = base_url()
        if self.pg:
            self.schema = f"nixa_test_{worker}"
            sep = "&" if "?" in self.pg else "?"
            self.url = _pg(self.pg) + f"{sep}options=-csearch_path%3D{self.schema}"
            engine = create_engine(_pg(self.pg))
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            engine.dispose()
            upgrade(self.url)
            engine = create_engine(self.url)
            with engine.connect() as conn:
                self.tables = [r[0] for r in conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"
                ), {"s": self.schema})]
            self.engine = engine
        else:
            self.template = tmp / "template.db"
            upgrade(f"sqlite:///{self.template}")

    def fresh(self, path: Path) -> str:
        """A clean, migrated database for one test; returns its URL."""
        if self.pg:
            with self.engine.begin() as conn:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in self.tables) + " RESTART IDENTITY CASCADE"))
                conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
            return self.url
        target = path / "nixa.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        if self.pg:
            self.engine.dispose()
