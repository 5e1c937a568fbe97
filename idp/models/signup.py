"""Tables of the signup work (issue 3): confirmation secrets and the registry verdict of each signup."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class ChannelConfirmation(Base):
    """A secret sent to an email address or phone: confirms the channel or authorises a password reset.

    Only a hash is stored: SHA-256 for random link tokens, a keyed hash for 6-digit codes (a plain hash of
    a million possible codes would fall to brute force from a database dump).
    """

    __tablename__ = "channel_confirmations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | phone
    purpose: Mapped[str] = mapped_column(String(10))  # confirm | reset
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set once by a conditional UPDATE (... WHERE used_at IS NULL): the database enforces single use.
    used_at: Mapped[datetime | None]


class RegistryVerdict(Base):
    """How the population registry answered at signup; the reason is a field name, never registry data.

    An UNAVAILABLE answer is also queued with ``idp.population.recheck.queue_recheck``, which owns the retry.
    """

    __tablename__ = "registry_verdicts"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(60))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
