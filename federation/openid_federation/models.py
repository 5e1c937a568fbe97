"""Tables of OpenID Federation 1.0: the entities NIXA runs (trust anchor, intermediates, the OP leaf) with
their sealed federation keys, the subordinates each vouches for, the trust marks issued, and the portals
admitted through the federation with the expiry of the chain that admitted them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.db import Base, utcnow

TRUST_ANCHOR = "trust_anchor"
INTERMEDIATE = "intermediate"
OPENID_PROVIDER = "openid_provider"


class FederationEntity(Base):
    """An entity NIXA runs: the trust anchor, an intermediate or the OP leaf."""

    __tablename__ = "federation_entities"

    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    superior: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FederationKey(Base):
    """A federation signing key of an entity NIXA runs, ``next`` -> ``current`` -> ``retired`` like the OP's
    keys (``idp.keys``); the private half sealed (``idp.crypto.Sealer``) with kid and entity ID as context."""

    __tablename__ = "federation_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("federation_entities.entity_id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(10))  # next | current | retired
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    private_enc: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A retired key stays published until every statement it signed has expired.
    unpublish_after: Mapped[datetime | None]


class FederationSubordinate(Base):
    """What a NIXA entity says about a subordinate in its subordinate statement (Section 3.1)."""

    __tablename__ = "federation_subordinates"
    __table_args__ = (UniqueConstraint("superior", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    superior: Mapped[str] = mapped_column(
        ForeignKey("federation_entities.entity_id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    jwks: Mapped[dict[str, Any]] = mapped_column(JSON)
    metadata_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metadata_override: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    constraints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entity_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    intermediate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FederationTrustMark(Base):
    """A trust mark a NIXA entity issued; its status endpoint answers from here (Section 8.4)."""

    __tablename__ = "federation_trust_marks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    trust_mark_type: Mapped[str] = mapped_column(String(255))
    # The signed mark is public (it travels in the subject's entity configuration); its SHA-256 finds it.
    token: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(255))


class FederatedClient(Base):
    """A portal admitted through the federation: its client row lives until the chain that admitted it
    expires, then the chain is resolved again (OpenID Federation 1.0 Section 12.1.1 and 12.2)."""

    __tablename__ = "federated_clients"

    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.client_id", ondelete="CASCADE"), primary_key=True
    )
    trust_anchor: Mapped[str] = mapped_column(String(255))
    registration_type: Mapped[str] = mapped_column(String(10))  # automatic | explicit
    chain_entities: Mapped[list[str]] = mapped_column(JSON, default=list)
    trust_mark_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    resolved_at: Mapped[datetime] = mapped_column(default=utcnow)
    chain_expires_at: Mapped[datetime]
