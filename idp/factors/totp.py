"""Time-based one-time passwords, RFC 6238 (HOTP of RFC 4226 over 30-second time steps)."""

from __future__ import annotations

import base64
import io
import time
import uuid

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from idp.crypto import Sealer
from idp.db import utcnow
from idp.models.factors import Factor

STEP_SECONDS = 30
# RFC 6238 Section 5.2: "We RECOMMEND that at most one time step is allowed as the network delay."
DRIFT_STEPS = 1


def _context(factor_id: str) -> bytes:
    return f"factor:totp:{factor_id}".encode()


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as an inline SVG (the CSP allows ``img-src data:``; no third-party QR service)."""
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class TotpFactors:
    def __init__(self, sealer: Sealer, issuer_name: str) -> None:
        self.sealer = sealer
        self.issuer_name = issuer_name

    def start(self, s: Session, identity_id: str) -> Factor:
        """A new secret, generated here and stored sealed; it counts only after ``confirm``."""
        factor_id = str(uuid.uuid4())
        secret = pyotp.random_base32(32)  # 160 bits, RFC 4226 Section 4 R6 recommends at least 160
        row = Factor(
            id=factor_id,
            identity_id=identity_id,
            kind="totp",
            amr="otp",
            secret_enc=self.sealer.seal(secret.encode(), _context(factor_id)),
            sign_count=0,
        )
        s.add(row)
        s.flush()
        return row

    def secret(self, factor: Factor) -> str:
        assert factor.secret_enc is not None
        return self.sealer.open(factor.secret_enc, _context(factor.id)).decode()

    def provisioning_uri(self, factor: Factor, account_name: str) -> str:
        return pyotp.TOTP(self.secret(factor)).provisioning_uri(
            name=account_name, issuer_name=self.issuer_name
        )

    def pending(self, s: Session, identity_id: str, factor_id: str) -> Factor | None:
        return s.scalar(
            select(Factor).where(
                Factor.id == factor_id,
                Factor.identity_id == identity_id,
                Factor.kind == "totp",
                Factor.confirmed_at.is_(None),
            )
        )

    def confirm(self, s: Session, factor: Factor, code: str) -> bool:
        if not self.verify(s, factor, code):
            return False
        factor.confirmed_at = utcnow()
        return True

    def verify(self, s: Session, factor: Factor, code: str, now: float | None = None) -> bool:
        """Accept a code of the current step or one step either side, each step at most once."""
        code = code.strip().replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            return False
        totp = pyotp.TOTP(self.secret(factor))
        at = time.time() if now is None else now
        current = int(at // STEP_SECONDS)
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
            if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
                return self._claim_step(s, factor, step)
        return False

    def _claim_step(self, s: Session, factor: Factor, step: int) -> bool:
        # RFC 6238 Section 5.2: "the verifier MUST NOT accept the second attempt of the OTP after the
        # successful validation has been issued for the first OTP". The conditional UPDATE lets the database
        # decide, so two concurrent submissions of one code cannot both win; earlier steps are refused too.
        result = s.execute(
            update(Factor)
            .where(
                Factor.id == factor.id,
                or_(Factor.last_used_step.is_(None), Factor.last_used_step < step),
            )
            .values(last_used_step=step, last_used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        s.refresh(factor)
        return True
