"""Tables of the factors work (issue 3): second factors, recovery codes and WebAuthn challenges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class Factor(Base):
    """A second factor of one identity: a TOTP secret (sealed) or a WebAuthn passkey (public key only)."""

    __tablename__ = "factors"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # totp | passkey
    # RFC 8176 amr value this factor contributes: otp, hwk or swk.
    amr: Mapped[str] = mapped_column(String(10))
    secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # RFC 6238 Section 5.2: a time step once accepted is never accepted again (conditional UPDATE).
    last_used_step: Mapped[int | None]
    credential_id: Mapped[str | None] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A TOTP secret counts only once a first code proved the app holds it.
    confirmed_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A single-use recovery code; only the SHA-256 of the (80-bit random) code is kept."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("identity_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class WebAuthnChallenge(Base):
    """A challenge handed to the browser for one ceremony; consumed once (WebAuthn L2 Section 13.4.3)."""

    __tablename__ = "webauthn_challenges"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # register | authenticate
    challenge: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
