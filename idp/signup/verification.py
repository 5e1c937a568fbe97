"""Confirming an email address (link) or a phone number (code) sets its verified flag, once."""

from __future__ import annotations

from idp import audit
from idp.db import Database
from idp.models import Identity
from idp.signup.confirmations import CONFIRM, Confirmations


class ChannelVerification:
    def __init__(self, db: Database, confirmations: Confirmations) -> None:
        self.db = db
        self.confirmations = confirmations

    def link_is_open(self, token: str) -> bool:
        with self.db.read_session() as s:
            return self.confirmations.peek_link(s, token, CONFIRM)

    def confirm_email(self, token: str, ip: str | None) -> bool:
        with self.db.session() as s:
            identity_id = self.confirmations.redeem_link(s, token, CONFIRM)
            identity = s.get(Identity, identity_id) if identity_id else None
            if identity is None:
                return False
            identity.email_verified = True
            audit.record(s, audit.AuditEvent.EMAIL_CONFIRMED, identity_id=identity.id, ip=ip)
            return True

    def confirm_phone(self, ref: str, code: str, ip: str | None) -> bool:
        with self.db.session() as s:
            identity_id = self.confirmations.redeem_code(s, ref, code, CONFIRM)
            identity = s.get(Identity, identity_id) if identity_id else None
            if identity is None:
                return False
            identity.phone_verified = True
            audit.record(s, audit.AuditEvent.PHONE_CONFIRMED, identity_id=identity.id, ip=ip)
            return True
