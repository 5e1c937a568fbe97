"""Citizens: the person (encrypted attributes, level of assurance) apart from their credentials."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class Identity(Base):
    """A person. Personal data is AES-GCM encrypted; lookups go through keyed hashes (blind indexes)."""

    __tablename__ = "identities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    personal_id_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    email_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    personal_id_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    full_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    birth_date_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sex_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # Identity level of assurance from proofing: 1 self-registered, 2 registry-matched, 3 operator-checked.
    loa: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str] = mapped_column(String(10), default="vi")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PasswordCredential(Base):
    __tablename__ = "password_credentials"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    # argon2id PHC string with its own parameters, so a change of parameters can rehash at login.
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failure counters per account and per client IP (key is a keyed hash, never the raw value)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class RegistryRecord(Base):
    """A row of the population registry, imported by ``nixa registry import``; encrypted like identities."""

    __tablename__ = "registry_records"

    personal_id_index: Mapped[str] = mapped_column(String(64), primary_key=True)
    personal_id_enc: Mapped[bytes] = mapped_column(LargeBinary)
    full_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    birth_date_enc: Mapped[bytes] = mapped_column(LargeBinary)
    sex_enc: Mapped[bytes] = mapped_column(LargeBinary)
    birth_province_code: Mapped[str] = mapped_column(String(3))
    nationality: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["Identity", "LoginThrottle", "PasswordCredential", "RegistryRecord", "date"]
