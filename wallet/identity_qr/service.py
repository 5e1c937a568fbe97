"""Issuing and revoking identity QR codes (level 2 and above), each with its own status list entry."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import cbor2
from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.db import utcnow
from idp.identities import IdentityStore
from idp.models import Identity, RegistryRecord
from idp.platform import Platform
from wallet import cose
from wallet.audit_events import WalletAuditEvent
from wallet.identity_qr import codec
from wallet.identity_qr.claim169 import CLAIM_169, IdentityData
from wallet.identity_qr.models import IdentityQrCredential
from wallet.identity_qr.portrait import FORMAT_WEBP, approved_portrait, thumbnail
from wallet.settings import WalletSettings
from wallet.status_list.service import CWT_STATUS, STATUS_INVALID, StatusListService, StatusReference

PURPOSE = "identity_qr"
MIN_LEVEL = 2  # issue 7: an identity QR for identities at level 2 or above


class NotEligible(Exception):
    """The identity may not have an identity QR (below level 2, locked, or missing data)."""


@dataclass(frozen=True)
class IssuedQr:
    id: str
    text: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


class IdentityQrService:
    def __init__(self, platform: Platform, status_lists: StatusListService, settings: WalletSettings) -> None:
        self.platform = platform
        self.status_lists = status_lists
        self.settings = settings
        self.identities = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)

    def identity_data(self, s: Session, identity: Identity, *, with_portrait: bool = False) -> IdentityData:
        person = self.identities.person(identity)
        if not person.personal_id or not person.full_name or not person.birth_date:
            raise NotEligible("identity data incomplete")
        record = s.get(RegistryRecord, identity.personal_id_index) if identity.personal_id_index else None
        photo = None
        if with_portrait:
            portrait = approved_portrait(s, self.platform.sealer, identity.id)
            if portrait is None:
                raise NotEligible("no portrait checked in identity proofing")
            photo = thumbnail(portrait)
        return IdentityData(
            personal_id=person.personal_id,
            full_name=person.full_name,
            birth_date=person.birth_date,
            sex=person.sex,
            address=person.address,
            nationality=record.nationality if record else None,
            photo=photo,
            photo_format=FORMAT_WEBP if photo else None,
        )

    def issue(self, s: Session, identity_id: str, *, actor: str, with_portrait: bool = False) -> IssuedQr:
        identity = s.get(Identity, identity_id)
        if identity is None or identity.locked or identity.loa < MIN_LEVEL:
            raise NotEligible("an identity QR needs a verified identity at level 2 or above")
        data = self.identity_data(s, identity, with_portrait=with_portrait)
        for previous in self._active_rows(s, identity_id):  # one identity QR at a time
            self._revoke_row(s, previous, actor=actor, reason="superseded")
        ref = self.status_lists.allocate(s, purpose=PURPOSE)
        cti = secrets.token_bytes(16)
        now = utcnow()
        expires = now + timedelta(seconds=self.settings.identity_qr_ttl)
        claims = {
            cose.CWT_ISS: self.platform.issuer,
            cose.CWT_IAT: int(now.timestamp()),
            cose.CWT_NBF: int(now.timestamp()),
            cose.CWT_EXP: int(expires.timestamp()),
            cose.CWT_CTI: cti,
            CLAIM_169: data.to_claim(),
            CWT_STATUS: ref.cwt_claim(),
        }
        key = self.platform.keys.signing_key("ES256")
        signed = cose.sign1(cbor2.dumps(claims), key.private_key, kid=key.kid)  # type: ignore[arg-type]
        text = codec.encode(signed)
        row = IdentityQrCredential(
            id=cti.hex(),
            identity_id=identity_id,
            status_uri=ref.uri,
            status_idx=ref.idx,
            text_enc=self.platform.sealer.seal(text.encode(), self._ctx(cti.hex())),
            kid=key.kid,
            issued_at=now,
            expires_at=expires,
        )
        s.add(row)
        audit.record(
            s,
            WalletAuditEvent.IDENTITY_QR_ISSUED,
            actor=actor,
            identity_id=identity_id,
            data={
                "credential": row.id,
                "kid": key.kid,
                "expires_at": expires.isoformat(),
                "portrait": data.photo is not None,
            },
        )
        return IssuedQr(row.id, text, now, expires)

    def current(self, s: Session, identity_id: str) -> IssuedQr | None:
        rows = self._active_rows(s, identity_id)
        return self._view(rows[-1]) if rows else None

    def get(self, s: Session, identity_id: str, credential_id: str) -> IssuedQr | None:
        row = s.get(IdentityQrCredential, credential_id)
        if row is None or row.identity_id != identity_id:
            return None
        return self._view(row)

    def revoke_all(self, s: Session, identity_id: str, *, actor: str, reason: str) -> int:
        """The citizen lost their phone, or an operator withdraws the identity QR: every active code."""
        rows = self._active_rows(s, identity_id)
        for row in rows:
            self._revoke_row(s, row, actor=actor, reason=reason)
        return len(rows)

    def revoke(self, s: Session, credential_id: str, *, actor: str, reason: str) -> bool:
        row = s.get(IdentityQrCredential, credential_id)
        if row is None or row.revoked_at is not None:
            return False
        self._revoke_row(s, row, actor=actor, reason=reason)
        return True

    def _revoke_row(self, s: Session, row: IdentityQrCredential, *, actor: str, reason: str) -> None:
        row.revoked_at, row.revoked_by, row.revocation_reason = utcnow(), actor, reason
        ref = StatusReference(row.status_uri, row.status_idx)
        self.status_lists.set_status(s, ref, STATUS_INVALID, actor=actor, reason=reason)
        audit.record(
            s,
            WalletAuditEvent.IDENTITY_QR_REVOKED,
            actor=actor,
            identity_id=row.identity_id,
            data={"credential": row.id, "reason": reason},
        )

    def _active_rows(self, s: Session, identity_id: str) -> list[IdentityQrCredential]:
        return list(
            s.scalars(
                select(IdentityQrCredential)
                .where(
                    IdentityQrCredential.identity_id == identity_id,
                    IdentityQrCredential.revoked_at.is_(None),
                    IdentityQrCredential.expires_at > utcnow(),
                )
                .order_by(IdentityQrCredential.issued_at)
            )
        )

    def _view(self, row: IdentityQrCredential) -> IssuedQr:
        text = self.platform.sealer.open(row.text_enc, self._ctx(row.id)).decode()
        return IssuedQr(row.id, text, row.issued_at, row.expires_at, row.revoked_at)

    @staticmethod
    def _ctx(credential_id: str) -> bytes:
        return f"identity_qr:{credential_id}".encode()
