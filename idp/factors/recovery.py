"""Recovery codes: ten single-use look-up secrets (NIST SP 800-63B Section 5.1.2), shown once."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from idp.db import utcnow
from idp.models.factors import RecoveryCode

COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are copied by hand


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash(code: str) -> str:
    # 80 random bits per code: a plain SHA-256 cannot be reversed by guessing, unlike a password hash.
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class RecoveryCodes:
    def generate(self, s: Session, identity_id: str) -> list[str]:
        """Replace any earlier set; the codes in clear are returned once and never stored."""
        s.execute(delete(RecoveryCode).where(RecoveryCode.identity_id == identity_id))
        codes = [_new_code() for _ in range(COUNT)]
        s.add_all(RecoveryCode(identity_id=identity_id, code_hash=_hash(c)) for c in codes)
        s.flush()
        return codes

    def use(self, s: Session, identity_id: str, code: str) -> bool:
        """Single use enforced by the database: only one UPDATE can move used_at from NULL."""
        if len(_normalise(code)) != 16:
            return False
        result = s.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.identity_id == identity_id,
                RecoveryCode.code_hash == _hash(code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
