"""Status lists and their entries. A list's bits are built from the entries whenever the token is signed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class StatusList(Base):
    __tablename__ = "status_lists"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # What the list's tokens are for (identity_qr, sd_jwt_vc, ...): kinds of credential never share a list.
    purpose: Mapped[str] = mapped_column(String(40), index=True)
    bits: Mapped[int]
    size: Mapped[int]
    allocated: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusEntry(Base):
    """One allocated index. The unique constraint is what makes an index belong to one credential only."""

    __tablename__ = "status_entries"
    __table_args__ = (UniqueConstraint("list_id", "idx"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int]
    status: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
