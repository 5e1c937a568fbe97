"""The Nonce Endpoint, OpenID4VCI 1.0 Section 7: a fresh ``c_nonce`` for each proof, used at most once.

Single use is enforced by the database: a nonce is consumed by one conditional UPDATE, so two requests
racing with the same nonce cannot both succeed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from idp.crypto import new_token, sha256_hex
from idp.db import utcnow
from wallet.models import CredentialNonce


class NonceStore:
    def __init__(self, ttl: int) -> None:
        self.ttl = ttl

    def issue(self, s: Session) -> str:
        now = utcnow()
        # Expired nonces are useless; clearing them here keeps the table as small as the traffic.
        s.execute(delete(CredentialNonce).where(CredentialNonce.expires_at < now - timedelta(hours=1)))
        nonce = new_token(24)
        s.add(CredentialNonce(nonce_hash=sha256_hex(nonce), expires_at=now + timedelta(seconds=self.ttl)))
        return nonce

    def consume(self, s: Session, nonce: str) -> bool:
        """True once for a nonce we issued that has not expired; False for any other value or a replay."""
        now = utcnow()
        result = s.execute(
            update(CredentialNonce)
            .where(
                CredentialNonce.nonce_hash == sha256_hex(nonce),
                CredentialNonce.used_at.is_(None),
                CredentialNonce.expires_at > now,
            )
            .values(used_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
