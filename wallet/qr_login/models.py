"""Wallet devices and QR log-in requests. Every transition of a request is one conditional UPDATE, so the
database, not the application, decides that a request is scanned once, approved once and used once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class WalletDevice(Base):
    __tablename__ = "wallet_devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # RFC 7638 thumbprint: one key is one device, registered once.
    jkt: Mapped[str] = mapped_column(String(64), unique=True)
    key_protection: Mapped[str] = mapped_column(String(20))  # hardware | software
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(255))


class DeviceRegistration(Base):
    """A one-time code from self-service (level 3 session) that lets one wallet register its key."""

    __tablename__ = "wallet_device_registrations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[str | None] = mapped_column(String(36))


class QrLoginRequest(Base):
    __tablename__ = "qr_login_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(String(64), index=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the secret in the request URI the QR carries.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The request URI again, sealed, so the browser's page can show the same QR when reloaded.
    request_uri_enc: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(8))
    # Where the browser asked from: the wallet shows it, so a person scanning a QR relayed from a
    # phishing page can see that the request does not come from the computer in front of them.
    browser_ip: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    refusal: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    scanned_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    consumed_at: Mapped[datetime | None]
    device_id: Mapped[str | None] = mapped_column(String(36))
    identity_id: Mapped[str | None] = mapped_column(String(36))
    amr: Mapped[list[str] | None] = mapped_column(JSON)
    auth_level: Mapped[int | None]
