"""Revoking issued credentials through their Token Status List entry.

A citizen whose phone is lost revokes the credentials it holds from the self-service pages; an operator
revokes from the command line. Either way the entry turns ``invalid`` (draft-ietf-oauth-status-list
Section 7.1) and every verifier that fetches the list sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.db import utcnow
from wallet.models import IssuedCredential
from wallet.status_list.service import STATUS_INVALID, StatusListService, StatusReference
from wallet.vci.events import CredentialAuditEvent

REASONS = ("lost_device", "holder_request", "operator", "identity_changed", "compromised")


class UnknownCredential(LookupError):
    pass


@dataclass(frozen=True)
class CredentialSummary:
    id: str
    vct: str
    holder_jkt: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "valid"


def _summary(row: IssuedCredential) -> CredentialSummary:
    return CredentialSummary(
        row.id, row.vct, row.holder_jkt, row.issued_at, row.expires_at, row.revoked_at, row.revocation_reason
    )


class CredentialRevocation:
    def __init__(self, status_lists: StatusListService) -> None:
        self.status_lists = status_lists

    def list_for(self, s: Session, identity_id: str | None = None) -> list[CredentialSummary]:
        query = select(IssuedCredential).order_by(IssuedCredential.issued_at.desc())
        if identity_id is not None:
            query = query.where(IssuedCredential.identity_id == identity_id)
        return [_summary(r) for r in s.scalars(query)]

    def revoke(
        self,
        s: Session,
        credential_id: str,
        *,
        actor: str,
        reason: str,
        identity_id: str | None = None,
        ip: str | None = None,
    ) -> CredentialSummary:
        """``identity_id`` given: only that citizen's own credential (self-service); None: an operator."""
        if reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}")
        row = s.get(IssuedCredential, credential_id, with_for_update=True)
        if row is None or (identity_id is not None and row.identity_id != identity_id):
            raise UnknownCredential("no such credential")
        if row.revoked_at is None:
            ref = StatusReference(row.status_list_uri, row.status_index)
            self.status_lists.set_status(s, ref, STATUS_INVALID, actor=actor, reason=reason)
            row.revoked_at, row.revoked_by, row.revocation_reason = utcnow(), actor, reason
            audit.record(
                s,
                CredentialAuditEvent.CREDENTIAL_REVOKED,
                actor=actor,
                identity_id=row.identity_id,
                ip=ip,
                data={"credential_id": row.id, "reason": reason},
            )
        return _summary(row)
