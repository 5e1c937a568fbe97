"""Issued identity QR codes. The code's text is personal data: kept only sealed, to show and download it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class IdentityQrCredential(Base):
    __tablename__ = "identity_qr_credentials"

    # The CWT ID (cti, RFC 8392 Section 3.1.7) in hex: random, so it says nothing about the person.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    status_uri: Mapped[str] = mapped_column(String(255))
    status_idx: Mapped[int]
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    kid: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(255))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
