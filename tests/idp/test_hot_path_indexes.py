"""Migration 0014: the tables written by every token carry only the indexes something looks up by, and the
lookups that remain still use theirs (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, text

from idp.migrate import alembic_config
from idp.platform import Platform
from tests.support.db import base_url, create_schema, drop_schema

PARTIAL = {"ix_access_tokens_grant_id": "grant_id", "ix_audit_records_identity_id": "identity_id"}


def index_sql(conn: Connection) -> dict[str, str]:
    """Name -> definition of the indexes on access_tokens and audit_records."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename IN ('access_tokens', 'audit_records')"
            )
        )
    else:
        rows = conn.execute(
            text(
                "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name IN ('access_tokens', 'audit_records')"
            )
        )
    return {name: sql for name, sql in rows}


def plan(conn: Connection, statement: str, params: dict[str, str]) -> str:
    if conn.dialect.name == "postgresql":
        # The tables are nearly empty, where a sequential scan is cheaper: forbid it, so the plan shows
        # whether the index can answer the lookup at all.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        rows = conn.execute(text("EXPLAIN " + statement), params)
    else:
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + statement), params)
    return " ".join(str(r[-1]) for r in rows)


def test_no_client_id_index_on_access_tokens_and_the_lookups_indexes_are_partial(platform: Platform):
    with platform.db.engine.connect() as conn:
        indexes = index_sql(conn)
    assert "ix_access_tokens_client_id" not in indexes
    for name, column in PARTIAL.items():
        assert f"{column} IS NOT NULL" in indexes[name].replace("(", "").replace(")", "")
    # The audit trail's other lookups (console filters) keep theirs.
    assert {"ix_audit_records_at", "ix_audit_records_event", "ix_audit_records_client_id"} <= set(indexes)


@pytest.mark.parametrize(
    ("statement", "index"),
    [
        # revoke_grant: every access token of a grant.
        (
            "UPDATE access_tokens SET revoked_at = NULL WHERE grant_id = :v AND revoked_at IS NULL",
            "ix_access_tokens_grant_id",
        ),
        # The account's activity page and the console's citizen page.
        (
            "SELECT seq FROM audit_records WHERE identity_id = :v ORDER BY seq DESC",
            "ix_audit_records_identity_id",
        ),
    ],
)
def test_the_lookups_by_grant_and_by_person_use_the_partial_indexes(
    platform: Platform, statement: str, index: str
):
    with platform.db.engine.connect() as conn, conn.begin() as tx:
        assert index in plan(conn, statement, {"v": "some-id"})
        tx.rollback()


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own: the test below moves it down a revision and back."""
    if not base_url():
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    schema = f"nixa_idx_{os.getpid()}"
    try:
        yield create_schema(schema)
    finally:
        drop_schema(schema)


def test_the_migration_goes_down_to_the_full_indexes_and_up_again(scratch_url: str):
    cfg = alembic_config(scratch_url)
    command.upgrade(cfg, "0014")
    command.downgrade(cfg, "0013")
    engine = create_engine(scratch_url)
    try:
        with engine.connect() as conn:
            indexes = index_sql(conn)
        assert "ix_access_tokens_client_id" in indexes
        assert all("NOT NULL" not in indexes[name] for name in PARTIAL)
        command.upgrade(cfg, "0014")
        with engine.connect() as conn:
            indexes = index_sql(conn)
        assert "ix_access_tokens_client_id" not in indexes
        assert all("NOT NULL" in indexes[name] for name in PARTIAL)
    finally:
        engine.dispose()
