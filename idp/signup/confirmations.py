"""One-time secrets proving control of an email address (a link) or a phone (a 6-digit code).

Links carry 256 random bits and are stored as SHA-256. Codes are short, so they are stored as a keyed
hash, bound to their row, and allow only ``MAX_ATTEMPTS`` guesses (NIST SP 800-63B-4 Section 3.1.3: an
out-of-band secret is single use, expires, and guessing is rate-limited).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from idp.crypto import BlindIndex, constant_time_equal, new_token, sha256_hex
from idp.db import utcnow
from idp.models.signup import ChannelConfirmation

MAX_ATTEMPTS = 5
EMAIL, PHONE = "email", "phone"
CONFIRM, RESET = "confirm", "reset"


@dataclass(frozen=True)
class IssuedCode:
    ref: str  # names the row in the code form; it is not the secret
    code: str


class Confirmations:
    def __init__(self, index: BlindIndex, link_ttl: int, code_ttl: int) -> None:
        self.index = index
        self.link_ttl = link_ttl
        self.code_ttl = code_ttl

    def _code_hash(self, ref: str, code: str) -> str:
        return self.index(f"otp:{ref}", code)

    def issue_link(self, s: Session, identity_id: str, purpose: str) -> str:
        token = new_token(32)
        self._add(s, identity_id, EMAIL, purpose, sha256_hex(token), self.link_ttl)
        return token

    def issue_code(self, s: Session, identity_id: str, purpose: str) -> IssuedCode:
        ref, code = new_token(16), f"{secrets.randbelow(10**6):06d}"
        self._add(s, identity_id, PHONE, purpose, self._code_hash(ref, code), self.code_ttl, ref=ref)
        return IssuedCode(ref, code)

    def _add(
        self,
        s: Session,
        identity_id: str,
        channel: str,
        purpose: str,
        digest: str,
        ttl: int,
        *,
        ref: str = "",
    ) -> None:
        # A new secret replaces any earlier unused one for the same channel and purpose.
        s.execute(
            update(ChannelConfirmation)
            .where(
                ChannelConfirmation.identity_id == identity_id,
                ChannelConfirmation.channel == channel,
                ChannelConfirmation.purpose == purpose,
                ChannelConfirmation.used_at.is_(None),
            )
            .values(used_at=utcnow())
        )
        s.add(
            ChannelConfirmation(
                id=ref or new_token(16),
                identity_id=identity_id,
                channel=channel,
                purpose=purpose,
                secret_hash=digest,
                expires_at=utcnow() + timedelta(seconds=ttl),
            )
        )
        s.flush()

    def redeem_link(self, s: Session, token: str, purpose: str) -> str | None:
        """The identity the link belongs to, consuming it; None if unknown, used or expired."""
        row = s.scalar(
            select(ChannelConfirmation).where(
                ChannelConfirmation.secret_hash == sha256_hex(token),
                ChannelConfirmation.channel == EMAIL,
                ChannelConfirmation.purpose == purpose,
            )
        )
        if row is None or not self._consume(s, row.id):
            return None
        return row.identity_id

    def peek_link(self, s: Session, token: str, purpose: str) -> bool:
        """Whether a link is still good, without consuming it (to show the form it opens)."""
        row = s.scalar(
            select(ChannelConfirmation).where(
                ChannelConfirmation.secret_hash == sha256_hex(token), ChannelConfirmation.purpose == purpose
            )
        )
        return row is not None and row.used_at is None and row.expires_at > utcnow()

    def redeem_code(self, s: Session, ref: str, code: str, purpose: str) -> str | None:
        """The identity the code belongs to, consuming it; None if wrong, used, expired or out of tries."""
        row = s.get(ChannelConfirmation, ref)
        if row is None or row.channel != PHONE or row.purpose != purpose:
            return None
        # Count the guess first, in its own conditional UPDATE, so parallel guesses cannot exceed the limit.
        counted = s.execute(
            update(ChannelConfirmation)
            .where(ChannelConfirmation.id == ref, ChannelConfirmation.attempts < MAX_ATTEMPTS)
            .values(attempts=ChannelConfirmation.attempts + 1)
        )
        if counted.rowcount != 1:  # type: ignore[attr-defined]
            return None
        if not constant_time_equal(row.secret_hash, self._code_hash(ref, code.strip())):
            return None
        return row.identity_id if self._consume(s, ref) else None

    def latest_code_ref(self, s: Session, identity_id: str, purpose: str) -> str | None:
        return s.scalar(
            select(ChannelConfirmation.id)
            .where(
                ChannelConfirmation.identity_id == identity_id,
                ChannelConfirmation.channel == PHONE,
                ChannelConfirmation.purpose == purpose,
                ChannelConfirmation.used_at.is_(None),
            )
            .order_by(ChannelConfirmation.created_at.desc())
            .limit(1)
        )

    def _consume(self, s: Session, row_id: str) -> bool:
        # Single use is enforced by the database: only one UPDATE can see used_at IS NULL.
        now = utcnow()
        result = s.execute(
            update(ChannelConfirmation)
            .where(
                ChannelConfirmation.id == row_id,
                ChannelConfirmation.used_at.is_(None),
                ChannelConfirmation.expires_at > now,
            )
            .values(used_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
