"""The operators' side of proofing: review queue, evidence, and the four-eyes decision.

NIST SP 800-63A (IAL2/3 review) and DESIGN.md: an identity reaches loa 3 only when two different
operators have each approved the same request; one refusal with a reason closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import Sealer
from idp.db import Database, utcnow
from idp.identities import IdentityStore, Person
from idp.models import Identity, RegistryRecord
from idp.models.proofing import EvidenceImage, VerificationRequest
from idp.proofing.errors import DecisionRefused, UnknownRequest
from idp.proofing.submission import evidence_context


@dataclass(frozen=True)
class PendingRequest:
    id: str
    identity_id: str
    created_at: datetime
    first_operator: str | None


@dataclass(frozen=True)
class RegistryView:
    full_name: str
    birth_date: str
    sex: str
    status: str


@dataclass(frozen=True)
class RequestDetail:
    request: PendingRequest
    status: str
    declared: Person
    registry: RegistryView | None
    images: dict[str, bytes]  # kind -> JPEG bytes, for display only


class VerificationService:
    """Service API for the admin console; every method is its own unit of work."""

    def __init__(self, db: Database, sealer: Sealer, identities: IdentityStore) -> None:
        self.db = db
        self.sealer = sealer
        self.identities = identities

    def list_pending(self, *, limit: int = 50, offset: int = 0) -> list[PendingRequest]:
        with self.db.session() as s:
            rows = s.scalars(
                select(VerificationRequest)
                .where(VerificationRequest.status == "pending")
                .order_by(VerificationRequest.created_at, VerificationRequest.id)
                .limit(limit)
                .offset(offset)
            ).all()
            return [_summary(r) for r in rows]

    def detail(self, request_id: str, operator_id: str = "operator") -> RequestDetail:
        """Declared data beside the registry record, images decrypted; the viewing itself is audited."""
        with self.db.session() as s:
            row = _get(s, request_id)
            identity = s.get(Identity, row.identity_id)
            assert identity is not None  # the foreign key cascades: a request never outlives its identity
            images = {
                img.kind: self.sealer.open(img.content_enc, evidence_context(img.id, row.id, img.kind))
                for img in s.scalars(select(EvidenceImage).where(EvidenceImage.request_id == row.id))
            }
            audit.record(
                s,
                audit.AuditEvent.PROOFING_EVIDENCE_VIEWED,
                actor=operator_id,
                identity_id=identity.id,
                data={"request_id": row.id},
            )
            return RequestDetail(
                _summary(row),
                row.status,
                self.identities.person(identity),
                self._registry(s, identity),
                images,
            )

    def approve(self, request_id: str, operator_id: str, reason: str | None = None) -> str:
        """First approval is recorded; a second by another operator raises the identity to loa 3.

        Returns the request's status afterwards ("pending" after the first approval, else "approved").
        """
        operator_id = _operator(operator_id)
        with self.db.session() as s:
            row = _get(s, request_id, for_update=True)
            _require_pending(row)
            if row.first_operator is None:
                row.first_operator, row.first_approved_at = operator_id, utcnow()
                _audit(s, audit.AuditEvent.PROOFING_APPROVAL_RECORDED, row, operator_id, reason)
                return row.status
            # Four eyes: the second approval must come from a different person than the first.
            if row.first_operator == operator_id:
                raise DecisionRefused("proofing.error.same_operator")
            identity = s.get(Identity, row.identity_id, with_for_update=True)
            # Only a registry-matched identity (loa 2) may be raised; loa 1 has nothing to build on.
            if identity is None or identity.loa != 2:
                raise DecisionRefused("proofing.error.not_eligible")
            identity.loa = 3
            _close(row, "approved", operator_id, reason)
            _audit(s, audit.AuditEvent.PROOFING_APPROVED, row, operator_id, reason, loa=3)
            return row.status

    def reject(self, request_id: str, operator_id: str, reason: str) -> str:
        """One operator may refuse; the reason is required because the citizen is shown it."""
        operator_id = _operator(operator_id)
        reason = (reason or "").strip()
        if not reason:
            raise DecisionRefused("proofing.error.reason_required")
        with self.db.session() as s:
            row = _get(s, request_id, for_update=True)
            _require_pending(row)
            _close(row, "rejected", operator_id, reason)
            _audit(s, audit.AuditEvent.PROOFING_REJECTED, row, operator_id, reason)
            return row.status

    def _registry(self, s: Session, identity: Identity) -> RegistryView | None:
        record = s.get(RegistryRecord, identity.personal_id_index) if identity.personal_id_index else None
        if record is None:
            return None
        ctx = f"registry:{record.personal_id_index}"
        open_ = lambda field, v: self.sealer.open(v, f"{ctx}:{field}".encode()).decode()  # noqa: E731
        return RegistryView(
            full_name=open_("full_name", record.full_name_enc),
            birth_date=open_("birth_date", record.birth_date_enc),
            sex=open_("sex", record.sex_enc),
            status=record.status,
        )


def _operator(operator_id: str) -> str:
    if not operator_id or not operator_id.strip():
        raise DecisionRefused("proofing.error.operator_required")
    return operator_id.strip()


def _get(s: Session, request_id: str, *, for_update: bool = False) -> VerificationRequest:
    # A row lock on PostgreSQL so two operators deciding at once are serialised (SQLite locks the file).
    row = s.get(VerificationRequest, request_id, with_for_update=for_update)
    if row is None:
        raise UnknownRequest("proofing.error.unknown_request")
    return row


def _require_pending(row: VerificationRequest) -> None:
    if row.status != "pending":
        raise DecisionRefused("proofing.error.already_decided")


def _close(row: VerificationRequest, status: str, operator_id: str, reason: str | None) -> None:
    row.status, row.decided_by, row.decided_at, row.reason = status, operator_id, utcnow(), reason
    row.open_for = None


def _audit(
    s: Session,
    event: audit.AuditEvent,
    row: VerificationRequest,
    operator_id: str,
    reason: str | None,
    **extra: object,
) -> None:
    data = {"request_id": row.id, "method": row.method, "reason": reason, **extra}
    audit.record(s, event, actor=operator_id, identity_id=row.identity_id, data=data)


def _summary(row: VerificationRequest) -> PendingRequest:
    return PendingRequest(row.id, row.identity_id, row.created_at, row.first_operator)
