"""Tables of the population work (issue 3); see the module docstrings of idp/population*."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class PendingRegistryCheck(Base):
    """An identity whose registry match could not be answered yet; ``recheck_pending`` retries it.

    Holds no personal data: the declared attributes stay encrypted on the identity itself.
    """

    __tablename__ = "registry_rechecks"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["PendingRegistryCheck"]
