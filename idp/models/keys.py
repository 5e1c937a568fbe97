"""Signing keys with their life cycle: next -> current -> retired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class SigningKey(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(10), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)  # next | current | retired
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Private JWK, AES-GCM encrypted; ``kek_id`` names which key-encryption secret sealed it.
    private_enc: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    # A retired key stays in the JWKS until every token it signed has expired.
    unpublish_after: Mapped[datetime | None]
