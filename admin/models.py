"""The console's own tables, on the platform's declarative base: operators' roles, console sessions,
pending sign-ins and the blind index of citizens' names.

Operators are NIXA identities; a role row is what makes an identity an operator.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class OperatorRole(Base):
    __tablename__ = "admin_operator_roles"
    __table_args__ = (UniqueConstraint("identity_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    granted_by: Mapped[str] = mapped_column(String(255))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleSession(Base):
    """An operator signed in to the console; the cookie holds a secret whose SHA-256 is ``id_hash``."""

    __tablename__ = "admin_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    # The IdP session it came from (ID token ``sid``), so a back-channel logout from NIXA ends it too.
    idp_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    acr: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class PendingSignIn(Base):
    """One authorization request the console sent to NIXA; consumed once (conditional UPDATE of used_at)."""

    __tablename__ = "admin_pending_sign_ins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the cookie set in the browser that started it: only that browser may finish it.
    browser_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(255), default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class NameToken(Base):
    """Keyed hash of one normalised word of a citizen's name: search by name without names in clear."""

    __tablename__ = "admin_name_tokens"
    __table_args__ = (UniqueConstraint("identity_id", "token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), index=True)


class NameIndexed(Base):
    """Which version of an identity (its ``updated_at``) the name tokens were made from."""

    __tablename__ = "admin_name_indexed"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    source_updated_at: Mapped[datetime]
