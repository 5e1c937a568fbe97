"""Tables of identity proofing to urn:nixa:loa:3 (issue 3): requests, their evidence images, decisions.

An approved request is itself the verification evidence that ``verified_claims`` reports (when, how, by whom).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class VerificationRequest(Base):
    __tablename__ = "verification_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    # The identity id while the request is open, NULL once closed: the unique constraint lets the
    # database itself refuse a second open request for one identity, even under concurrent uploads.
    open_for: Mapped[str | None] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    method: Mapped[str] = mapped_column(String(40), default="document+portrait")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_operator: Mapped[str | None] = mapped_column(String(255))
    first_approved_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


class EvidenceImage(Base):
    """A re-encoded JPEG, sealed with a context naming its own row so it cannot be moved to another."""

    __tablename__ = "evidence_images"
    __table_args__ = (UniqueConstraint("request_id", "kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("verification_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
