"""Append-only, hash-chained audit trail (triggers in the migration refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class AuditRecord(Base):
    __tablename__ = "audit_records"
    # The person's activity pages look records up by identity_id = ?; records with no person (a
    # client_credentials token, most operator actions) stay out of that index (migration 0014).
    __table_args__ = (
        Index(
            "ix_audit_records_identity_id",
            "identity_id",
            sqlite_where=text("identity_id IS NOT NULL"),
            postgresql_where=text("identity_id IS NOT NULL"),
        ),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(80), index=True)
    actor: Mapped[str | None] = mapped_column(String(255))
    identity_id: Mapped[str | None] = mapped_column(String(36))
    client_id: Mapped[str | None] = mapped_column(String(255), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row that serialises appends (row lock) and remembers the newest hash (truncation check)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
