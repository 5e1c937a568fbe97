"""Second factors of an identity: what it has, step-up in the login flow, and account security changes.

Every change that alters how a person can log in (a factor added or removed, the password changed) ends
the person's other sessions in the same transaction and is audited (issue 3): whoever held one of them may
be the reason for the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from idp import audit
from idp.db import utcnow
from idp.factors.passkeys import PasskeyError, Passkeys, RelyingParty
from idp.factors.recovery import RecoveryCodes
from idp.factors.totp import TotpFactors
from idp.models import PasswordCredential
from idp.models.factors import Factor, RecoveryCode
from idp.oauth.logout import SingleLogout
from idp.passwords import PasswordPolicyError, check_policy
from idp.platform import Platform
from idp.sessions import ActiveSession, acr_for
from idp.throttle import count_failure, locked_row

SECOND_FACTOR_LEVEL = 3
PASSWORD_LEVEL = 2
_ANY_CONFIRMED = (
    select(Factor.id)
    .where(Factor.identity_id == bindparam("identity_id"), Factor.confirmed_at.is_not(None))
    .limit(1)
)


@dataclass(frozen=True)
class StepUpResult:
    ok: bool
    amr: list[str] | None = None
    locked: bool = False


class SecondFactors:
    def __init__(self, platform: Platform, logout: SingleLogout) -> None:
        self.logout = logout
        st = platform.settings
        self.settings = st
        self.passwords = platform.passwords
        self.totp = TotpFactors(platform.sealer, st.totp_issuer)
        rp_id = st.webauthn_rp_id or urlsplit(platform.issuer).hostname or "localhost"
        self.passkeys = Passkeys(RelyingParty(rp_id, st.webauthn_rp_name, platform.issuer))
        self.recovery = RecoveryCodes()

    # -- what the identity has ----------------------------------------------------------------------
    def confirmed(self, s: Session, identity_id: str) -> list[Factor]:
        return list(
            s.scalars(
                select(Factor)
                .where(Factor.identity_id == identity_id, Factor.confirmed_at.is_not(None))
                .order_by(Factor.created_at)
            )
        )

    def max_level(self, s: Session, identity_id: str) -> int:
        """decide()'s max_auth_level: recovery codes alone are a fallback, not a factor of their own."""
        # Asked at every login and every authorization with a session: one key read by Core, not the
        # identity's factors loaded as entities. Flushed first, as the ORM's autoflush would.
        s.flush()
        found = s.connection().execute(_ANY_CONFIRMED, {"identity_id": identity_id}).first()
        return SECOND_FACTOR_LEVEL if found is not None else PASSWORD_LEVEL

    def recovery_left(self, s: Session, identity_id: str) -> int:
        rows = s.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.identity_id == identity_id, RecoveryCode.used_at.is_(None)
            )
        )
        return len(list(rows))

    # -- step-up in the login flow ------------------------------------------------------------------
    def step_up(
        self, s: Session, session: ActiveSession, *, method: str, value: str | dict[str, Any], ip: str | None
    ) -> StepUpResult:
        identity_id = session.identity.id
        # Six digits are guessable without a limit (NIST SP 800-63B Section 5.2.2): count per identity.
        throttle = locked_row(s, f"2fa:{identity_id}")
        if throttle.locked_until is not None and throttle.locked_until > utcnow():
            return StepUpResult(False, locked=True)
        amr = self._verify(s, identity_id, method, value)
        event = audit.AuditEvent.SECOND_FACTOR_SUCCEEDED if amr else audit.AuditEvent.SECOND_FACTOR_FAILED
        audit.record(
            s, event, identity_id=identity_id, ip=ip, data={"sid": session.row.sid, "method": method}
        )
        if amr is None:
            st = self.settings
            count_failure(
                throttle,
                limit=st.account_max_failures,
                window=st.failure_window,
                lockout=st.lockout_seconds,
                now=utcnow(),
            )
            return StepUpResult(False)
        throttle.failures, throttle.locked_until = 0, None
        row = session.row
        row.acr = acr_for(SECOND_FACTOR_LEVEL)
        # RFC 8176 Section 2: "mfa" when more than one factor was used; auth_time stays the password's
        # time so that max_age is measured from the oldest factor of this authentication.
        row.amr = [m for m in row.amr if m != "mfa"] + [x for x in (amr, "mfa") if x not in row.amr]
        return StepUpResult(True, amr=list(row.amr))

    def _verify(self, s: Session, identity_id: str, method: str, value: str | dict[str, Any]) -> str | None:
        if method == "passkey" and isinstance(value, dict):
            try:
                return self.passkeys.authenticate(s, identity_id, value).amr
            except PasskeyError:
                return None
        if method == "totp" and isinstance(value, str):
            for factor in self.confirmed(s, identity_id):
                if factor.kind == "totp" and self.totp.verify(s, factor, value):
                    return "otp"
            return None
        if method == "recovery" and isinstance(value, str) and self.recovery.use(s, identity_id, value):
            audit.record(s, audit.AuditEvent.RECOVERY_CODE_USED, identity_id=identity_id)
            # A look-up secret used once is a one-time password in the sense of RFC 8176 "otp".
            return "otp"
        return None

    # -- account security changes -------------------------------------------------------------------
    def end_other_sessions(self, s: Session, identity_id: str, keep_sid: str, ip: str | None = None) -> int:
        # A changed credential may mean the old one leaked: other sessions end as full single logouts,
        # so the portals they reached are told too, not only NIXA's cookie invalidated.
        ended, _deliveries = self.logout.end_identity_sessions(s, identity_id, keep_sid=keep_sid, ip=ip)
        return ended

    def changed(
        self, s: Session, session: ActiveSession, event: audit.AuditEvent, ip: str | None, **data: Any
    ) -> None:
        ended = self.end_other_sessions(s, session.identity.id, session.row.sid, ip)
        audit.record(
            s, event, identity_id=session.identity.id, ip=ip, data={**data, "other_sessions_ended": ended}
        )

    def confirm_totp(
        self, s: Session, session: ActiveSession, factor_id: str, code: str, ip: str | None
    ) -> bool:
        factor = self.totp.pending(s, session.identity.id, factor_id)
        if factor is None or not self.totp.confirm(s, factor, code):
            return False
        self.changed(s, session, audit.AuditEvent.FACTOR_ADDED, ip, factor_id=factor.id, kind="totp")
        return True

    def register_passkey(
        self, s: Session, session: ActiveSession, credential: dict[str, Any], ip: str | None
    ) -> Factor:
        factor = self.passkeys.register(s, session.identity.id, credential)
        self.changed(s, session, audit.AuditEvent.FACTOR_ADDED, ip, factor_id=factor.id, kind="passkey")
        return factor

    def remove(self, s: Session, session: ActiveSession, factor_id: str, ip: str | None) -> bool:
        result = s.execute(
            delete(Factor)
            .where(Factor.id == factor_id, Factor.identity_id == session.identity.id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        self.changed(s, session, audit.AuditEvent.FACTOR_REMOVED, ip, factor_id=factor_id)
        return True

    def new_recovery_codes(self, s: Session, session: ActiveSession, ip: str | None) -> list[str]:
        codes = self.recovery.generate(s, session.identity.id)
        audit.record(s, audit.AuditEvent.RECOVERY_CODES_GENERATED, identity_id=session.identity.id, ip=ip)
        return codes

    def change_password(
        self, s: Session, session: ActiveSession, *, current: str, new: str, ip: str | None
    ) -> str | None:
        """None when changed, else the message key to show."""
        cred = s.get(PasswordCredential, session.identity.id)
        if cred is None or not self.passwords.verify(cred.password_hash, current):
            return "security.password_wrong"
        try:
            check_policy(new)
        except PasswordPolicyError:
            return "security.password_policy"
        cred.password_hash = self.passwords.hash(new)
        cred.updated_at = utcnow()
        self.changed(s, session, audit.AuditEvent.PASSWORD_CHANGED, ip)
        return None
