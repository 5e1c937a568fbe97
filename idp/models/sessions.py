"""Browser sessions, login interactions, consents, grants and the tokens issued under them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class SsoSession(Base):
    """One single sign-on session per browser; the cookie holds a secret whose SHA-256 is ``cookie_hash``."""

    __tablename__ = "sso_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    cookie_hash: Mapped[str] = mapped_column(String(64), unique=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    auth_time: Mapped[datetime]
    acr: Mapped[str] = mapped_column(String(40))
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class SessionClient(Base):
    """Which portals took part in a session, for single logout."""

    __tablename__ = "session_clients"
    __table_args__ = (UniqueConstraint("sid", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    sid: Mapped[str] = mapped_column(ForeignKey("sso_sessions.sid", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Interaction(Base):
    """A validated authorization request waiting for the person (login, consent, account choice)."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the browser-binding cookie: only the browser that started the request may finish it.
    browser_hash: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    prompt: Mapped[str] = mapped_column(String(20))  # login | consent | select_account
    identity_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("identity_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    claims: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class Grant(Base):
    """What a person authorised a portal to have; every token hangs off a grant so it can be revoked whole."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"), index=True)
    identity_id: Mapped[str | None] = mapped_column(String(36), index=True)
    sid: Mapped[str | None] = mapped_column(String(64), index=True)
    scope: Mapped[str] = mapped_column(Text)
    claims: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    auth_time: Mapped[datetime | None]
    acr: Mapped[str | None] = mapped_column(String(40))
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(80))


class AuthorizationCode(Base):
    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(255))
    redirect_uri: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime]
    # Set once, atomically (UPDATE ... WHERE used_at IS NULL): the database enforces single use.
    used_at: Mapped[datetime | None]


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set when exchanged for a new one (rotation); presenting it again is reuse.
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class IssuedAccessToken(Base):
    """Record of an RFC 9068 JWT access token, so it can be revoked and introspected."""

    __tablename__ = "access_tokens"
    # Every token issued writes this row, and each index is one more B-tree written in the same commit
    # (migration 0014): no index on client_id, which nothing looks tokens up by, and the grant index only
    # over the tokens that have a grant (revoke_grant's lookup); client_credentials tokens have none.
    __table_args__ = (
        Index(
            "ix_access_tokens_grant_id",
            "grant_id",
            sqlite_where=text("grant_id IS NOT NULL"),
            postgresql_where=text("grant_id IS NOT NULL"),
        ),
    )

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str | None] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # SHA-256 (hex) of the token exactly as issued: NIXA's own endpoints accept a token whose hash matches
    # its record without checking the signature again (the record proves the issuance). None for tokens
    # issued before revision 0013, which are verified by signature.
    token_hash: Mapped[str | None] = mapped_column(String(64))


class LogoutDelivery(Base):
    """A back-channel logout token waiting to be delivered (retried with back-off)."""

    __tablename__ = "logout_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id", ondelete="CASCADE"))
    uri: Mapped[str] = mapped_column(Text)
    logout_token: Mapped[str] = mapped_column(Text)
    sid: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
