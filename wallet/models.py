"""Tables of the credential side of the wallet: offers, nonces, issued credentials, presentation requests.

On the IdP's declarative ``Base``; imported by the wallet extension and wherever the metadata is used.
Secrets we issue (pre-authorized codes, access tokens, request handles) are stored as SHA-256 hashes; the
transaction code, a short number, only as a keyed hash (``BlindIndex``) so a dump cannot brute-force it.
Personal data in a verification result is sealed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import idp.models  # noqa: F401  (the identities table these refer to)
from idp.db import Base, utcnow


class CredentialOffer(Base):
    """OpenID4VCI Section 4.1: a pre-authorized offer made to a citizen from their self-service pages."""

    __tablename__ = "wallet_credential_offers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    credential_configuration_id: Mapped[str] = mapped_column(String(80))
    pre_authorized_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_index: Mapped[str | None] = mapped_column(String(64))
    tx_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]


class CredentialAccessToken(Base):
    """An access token for the Credential Endpoint obtained with a pre-authorized code (opaque, hashed)."""

    __tablename__ = "wallet_credential_access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("wallet_credential_offers.id", ondelete="CASCADE"))
    credential_configuration_id: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CredentialNonce(Base):
    """OpenID4VCI Section 7: a c_nonce from the Nonce Endpoint; used once, enforced by ``used_at``."""

    __tablename__ = "wallet_credential_nonces"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class IssuedCredential(Base):
    """An SD-JWT VC we issued: to whom, bound to which key, and its entry in the status list."""

    __tablename__ = "wallet_issued_credentials"
    __table_args__ = (UniqueConstraint("status_list_uri", "status_index"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    credential_configuration_id: Mapped[str] = mapped_column(String(80))
    vct: Mapped[str] = mapped_column(String(255))
    # RFC 7638 thumbprint of the holder key in cnf: which phone holds it, without keeping the key itself.
    holder_jkt: Mapped[str] = mapped_column(String(64))
    status_list_uri: Mapped[str] = mapped_column(String(255))
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(255))
    revocation_reason: Mapped[str | None] = mapped_column(String(80))


class PresentationRequest(Base):
    """OpenID4VP: one request for a presentation, from the verifier page or a portal, and its outcome."""

    __tablename__ = "wallet_presentation_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The request_uri carries a random handle; only its hash is kept.
    request_handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who may read the result (the verifier page's browser or the portal): hash of a secret they hold.
    result_secret_hash: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str | None] = mapped_column(String(255))  # portal client_id, None for the page
    nonce: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64), unique=True)
    dcql_query: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    fetched_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    verdict: Mapped[str | None] = mapped_column(String(40))
    result_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class VerifierKey(Base):
    """The OpenID4VP verifier's signing key (sealed) and self-signed certificate (x509_hash client id)."""

    __tablename__ = "wallet_verifier_keys"

    kid: Mapped[str] = mapped_column(String(36), primary_key=True)
    private_enc: Mapped[bytes] = mapped_column(LargeBinary)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_after: Mapped[datetime]


__all__ = [
    "CredentialAccessToken",
    "CredentialNonce",
    "CredentialOffer",
    "IssuedCredential",
    "PresentationRequest",
    "VerifierKey",
]
