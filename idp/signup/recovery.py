"""Password recovery through a channel the person has already confirmed (email link or SMS code).

The request step answers the same way whatever was typed (OWASP ASVS 4 V2.5.x / Forgot Password cheat
sheet: no account enumeration). A reset ends every other session of the identity: whoever knew the old
password must not stay logged in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial

from sqlalchemy.orm import Session

from idp import audit
from idp.db import Database, utcnow
from idp.identities import IdentityStore
from idp.models import PasswordCredential
from idp.oauth.logout import SingleLogout
from idp.signup.confirmations import RESET, Confirmations
from idp.signup.outbox import DeliveryFailed, Notifier
from idp.signup.ratelimit import RECOVER_PER_IDENTIFIER, RECOVER_PER_IP, RateLimit, RateLimited, ip_bucket


class PasswordRecovery:
    def __init__(
        self,
        db: Database,
        identities: IdentityStore,
        confirmations: Confirmations,
        notifier: Notifier,
        logout: SingleLogout,
    ) -> None:
        self.logout = logout
        self.db = db
        self.identities = identities
        self.confirmations = confirmations
        self.notifier = notifier
        self.per_ip = RateLimit(identities.index, "recover-ip", *RECOVER_PER_IP)
        self.per_identifier = RateLimit(identities.index, "recover-id", *RECOVER_PER_IDENTIFIER)

    def request(self, identifier: str, ip: str | None) -> Callable[[], None] | None:
        """Prepare a reset link (verified email) or code (verified phone) if the account exists.

        Returns the delivery to run after the answer is sent, so that the time taken to answer does not
        reveal whether a message went out.

        Raises RateLimited when this address asked too often: that says something only about the
        requester. The limit per identifier is silent instead: it counts the text typed (normalised like
        usernames), before and whether or not an account is found, and when reached the answer is the
        usual one with nothing sent. A 429 there would tell a prober that someone else had asked for that
        identifier lately, which hints that it belongs to a real person.
        """
        with self.db.session() as s:
            by_ip = self.per_ip.hit(s, ip_bucket(ip))
            if not by_ip.allowed:
                assert by_ip.retry_at is not None
                raise RateLimited(by_ip.retry_at)
        with self.db.session() as s:
            if not self.per_identifier.hit(s, identifier.strip().lower()).allowed:
                return None
            row = self.identities.find_by_username(s, identifier)
            if row is None:
                return None
            person = self.identities.person(row)
            if person.email and person.email_verified:
                token, email = self.confirmations.issue_link(s, row.id, RESET), person.email
                channel, delivery = "email", lambda: self.notifier.reset_email(email, token)
            elif person.phone and person.phone_verified:
                code, phone = self.confirmations.issue_code(s, row.id, RESET).code, person.phone
                channel, delivery = "phone", lambda: self.notifier.phone_code(phone, code)
            else:
                return None
            audit.record(
                s,
                audit.AuditEvent.PASSWORD_RESET_REQUESTED,
                identity_id=row.id,
                ip=ip,
                data={"channel": channel},
            )
        return partial(_quietly, delivery)

    def link_is_open(self, token: str) -> bool:
        with self.db.read_session() as s:
            return self.confirmations.peek_link(s, token, RESET)

    def reset_with_link(self, token: str, password: str, keep_sid: str | None, ip: str | None) -> bool:
        with self.db.session() as s:
            identity_id = self.confirmations.redeem_link(s, token, RESET)
            return identity_id is not None and self._set_password(s, identity_id, password, keep_sid, ip)

    def reset_with_code(
        self, identifier: str, code: str, password: str, keep_sid: str | None, ip: str | None
    ) -> bool:
        with self.db.session() as s:
            row = self.identities.find_by_username(s, identifier)
            ref = self.confirmations.latest_code_ref(s, row.id, RESET) if row else None
            identity_id = self.confirmations.redeem_code(s, ref, code, RESET) if ref else None
            return identity_id is not None and self._set_password(s, identity_id, password, keep_sid, ip)

    def _set_password(
        self, s: Session, identity_id: str, password: str, keep_sid: str | None, ip: str | None
    ) -> bool:
        digest = self.identities.passwords.hash(password)
        credential = s.get(PasswordCredential, identity_id)
        if credential is None:
            s.add(PasswordCredential(identity_id=identity_id, password_hash=digest))
        else:
            credential.password_hash, credential.updated_at = digest, utcnow()
        # Whoever knew the old password may hold sessions: end them as single logouts (portals told too).
        ended, _deliveries = self.logout.end_identity_sessions(s, identity_id, keep_sid=keep_sid, ip=ip)
        audit.record(
            s,
            audit.AuditEvent.PASSWORD_RESET,
            identity_id=identity_id,
            ip=ip,
            data={"sessions_ended": ended},
        )
        return True


def _quietly(delivery: Callable[[], None]) -> None:
    # Nobody is waiting for the answer any more; the mailer has logged the failure.
    with contextlib.suppress(DeliveryFailed):
        delivery()
