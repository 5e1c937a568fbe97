"""Tables of the upstream-provider broker (issue 5), on the IdP's declarative base.

Personal data (the upstream subject, the ID token kept for logout, SAML NameIDs) is sealed with the
platform Sealer; lookups use blind indexes; one-time values (state, replayed assertion IDs) are SHA-256
hashes whose single use the database enforces (primary keys, ``UPDATE ... WHERE used_at IS NULL``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow


class UpstreamProvider(Base):
    """One upstream identity provider: its protocol settings (``config``) and sealed credentials."""

    __tablename__ = "federation_upstream_providers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    protocol: Mapped[str] = mapped_column(String(8))  # oidc | saml
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    private_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FederatedLink(Base):
    """A NIXA identity linked to one subject at one upstream provider."""

    __tablename__ = "federation_links"
    __table_args__ = (UniqueConstraint("provider_id", "subject_index"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("federation_upstream_providers.id", ondelete="CASCADE")
    )
    subject_index: Mapped[str] = mapped_column(String(64))
    subject_enc: Mapped[bytes] = mapped_column(LargeBinary)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class BrokerLogin(Base):
    """One trip to an upstream provider: what the answer must match (state, nonce, PKCE, SAML request ID),
    then, when the person must choose how to link, the verified answer (sealed) until they do."""

    __tablename__ = "federation_broker_logins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("federation_upstream_providers.id", ondelete="CASCADE")
    )
    interaction_id: Mapped[str] = mapped_column(String(64))
    browser_hash: Mapped[str] = mapped_column(String(64))
    nonce_hash: Mapped[str | None] = mapped_column(String(64))
    code_verifier_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    saml_request_id: Mapped[str | None] = mapped_column(String(100))
    # The lowest level the portal accepts: an upstream answer below it is refused.
    min_level: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set once, atomically, when the upstream answer arrives: a replayed callback finds it used.
    used_at: Mapped[datetime | None]
    link_ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    answer_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    linked_at: Mapped[datetime | None]


class UpstreamSession(Base):
    """What NIXA must remember of an upstream login to end it later, or to be ended by it."""

    __tablename__ = "federation_upstream_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    sid: Mapped[str] = mapped_column(ForeignKey("sso_sessions.sid", ondelete="CASCADE"), index=True)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("federation_upstream_providers.id", ondelete="CASCADE")
    )
    subject_index: Mapped[str] = mapped_column(String(64), index=True)
    upstream_sid_index: Mapped[str | None] = mapped_column(String(64), index=True)
    # The upstream ID token (id_token_hint for RP-Initiated Logout) or SAML NameID + SessionIndex.
    logout_data_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class ReplayGuard(Base):
    """Identifiers that may be accepted once (SAML assertion IDs, logout token jti), until they expire."""

    __tablename__ = "federation_replay_guard"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    expires_at: Mapped[datetime]


class ServiceProviderKey(Base):
    """NIXA's own SAML signing and encryption key pair; the private key sealed."""

    __tablename__ = "federation_sp_keys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    cert_pem: Mapped[str] = mapped_column(Text)
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
