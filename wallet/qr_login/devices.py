"""Wallet device keys: a one-time registration code from self-service after a level 3 login, the key
registered with a proof of possession, listing and revocation (also by an operator)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import constant_time_equal, new_token, sha256_hex
from idp.db import utcnow
from idp.factors.recent_login import is_recent
from idp.models import Identity
from idp.sessions import ActiveSession, level_of
from wallet.audit_events import WalletAuditEvent
from wallet.qr_login import jws
from wallet.qr_login.errors import ExpiredToken, MalformedApproval, Refused
from wallet.qr_login.models import DeviceRegistration, WalletDevice

REGISTRATION_TYP = "nixa-device-registration+jwt"
KEY_PROTECTIONS = ("hardware", "software")


class NeedsLevel3(Exception):
    """Registering a device needs a recent login at level 3 (password and a second factor)."""


@dataclass(frozen=True)
class DeviceView:
    id: str
    name: str
    key_protection: str
    created_at: datetime
    last_used_at: datetime | None


class DeviceService:
    def __init__(self, issuer: str, registration_ttl: int, recent_login_seconds: int) -> None:
        self.issuer = issuer
        self.registration_ttl = registration_ttl
        self.recent_login_seconds = recent_login_seconds

    def start_registration(self, s: Session, session: ActiveSession) -> str:
        """A one-time registration code for this person's new device (shown once, stored hashed)."""
        level = min(session.identity.loa, level_of(session.row.acr))
        if level < 3 or not is_recent(session, self.recent_login_seconds):
            raise NeedsLevel3("a device key is registered only after a recent level 3 login")
        code = new_token(24)
        row = DeviceRegistration(
            id=str(uuid.uuid4()),
            identity_id=session.identity.id,
            code_hash=sha256_hex(code),
            expires_at=utcnow() + timedelta(seconds=self.registration_ttl),
        )
        s.add(row)
        audit.record(
            s,
            WalletAuditEvent.DEVICE_REGISTRATION_STARTED,
            identity_id=row.identity_id,
            data={"sid": session.row.sid},
        )
        return code

    def register(self, s: Session, body: dict[str, Any], *, ip: str | None) -> WalletDevice:
        code, proof = body.get("registration_code"), body.get("proof")
        name, protection = str(body.get("device_name") or "")[:80], body.get("key_protection", "software")
        if not isinstance(code, str) or not isinstance(proof, str) or protection not in KEY_PROTECTIONS:
            raise MalformedApproval("registration_code, proof and key_protection are required")
        key = jws.public_device_key(jws.unverified_header(proof).get("jwk"))
        claims = jws.verify(proof, key, typ=REGISTRATION_TYP, audience=self.issuer)
        # The proof binds the new key to this one-time code: possession of the key, consent of the person.
        if not isinstance(claims.get("nonce"), str) or not constant_time_equal(claims["nonce"], code):
            raise Refused("wrong_nonce", "the proof is not for this registration code")
        registration = s.scalar(
            select(DeviceRegistration).where(DeviceRegistration.code_hash == sha256_hex(code))
        )
        if registration is None:
            raise Refused("unknown_code", "unknown registration code")
        if registration.expires_at <= utcnow():
            raise ExpiredToken("the registration code has expired")
        jkt = key.thumbprint()
        if s.scalar(select(WalletDevice.id).where(WalletDevice.jkt == jkt)):
            raise Refused("key_reused", "this key is already registered")
        device = WalletDevice(
            id=str(uuid.uuid4()),
            identity_id=registration.identity_id,
            name=name or "NIXA wallet",
            public_jwk=key.as_dict(private=False),
            jkt=jkt,
            key_protection=protection,
        )
        # Single use, decided by the database: only one request can turn used_at from NULL.
        used = s.execute(
            update(DeviceRegistration)
            .where(DeviceRegistration.id == registration.id, DeviceRegistration.used_at.is_(None))
            .values(used_at=utcnow(), device_id=device.id)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise Refused("code_used", "the registration code has been used")
        s.add(device)
        audit.record(
            s,
            WalletAuditEvent.DEVICE_REGISTERED,
            identity_id=device.identity_id,
            ip=ip,
            data={"device": device.id, "jkt": jkt, "key_protection": protection},
        )
        return device

    def usable_device(self, s: Session, device_id: Any) -> WalletDevice:
        device = s.get(WalletDevice, device_id) if isinstance(device_id, str) else None
        if device is None:
            raise Refused("unregistered_device", "this device is not registered")
        if device.revoked_at is not None:
            raise Refused("revoked_device", "this device has been revoked")
        identity = s.get(Identity, device.identity_id)
        if identity is None or identity.locked:
            raise Refused("account_locked", "the account cannot log in")
        return device

    def devices(self, s: Session, identity_id: str) -> list[DeviceView]:
        rows = s.scalars(
            select(WalletDevice)
            .where(WalletDevice.identity_id == identity_id, WalletDevice.revoked_at.is_(None))
            .order_by(WalletDevice.created_at)
        )
        return [DeviceView(r.id, r.name, r.key_protection, r.created_at, r.last_used_at) for r in rows]

    def revoke_all(self, s: Session, identity_id: str, *, actor: str) -> int:
        """Lost phone, or an operator's decision: no device of this person can approve a log-in any more."""
        ids = [d.id for d in self.devices(s, identity_id)]
        return sum(self.revoke(s, identity_id, device_id, actor=actor) for device_id in ids)

    def revoke(self, s: Session, identity_id: str, device_id: str, *, actor: str) -> bool:
        device = s.get(WalletDevice, device_id)
        if device is None or device.identity_id != identity_id or device.revoked_at is not None:
            return False
        device.revoked_at, device.revoked_by = utcnow(), actor
        audit.record(
            s,
            WalletAuditEvent.DEVICE_REVOKED,
            actor=actor,
            identity_id=identity_id,
            data={"device": device_id},
        )
        return True
