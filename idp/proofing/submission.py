"""The citizen's side of proofing: submit evidence, see where the request stands."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import Sealer
from idp.models import Identity
from idp.models.proofing import EvidenceImage, VerificationRequest
from idp.proofing import images
from idp.proofing.errors import AlreadyOpen, NotEligible

EVIDENCE_KINDS = ("portrait", "id_front", "id_back")
METHOD = "document+portrait"


def evidence_context(image_id: str, request_id: str, kind: str) -> bytes:
    # The ciphertext names its row, request and kind: a sealed image cannot be swapped into another request.
    return f"evidence_image:{image_id}:{request_id}:{kind}".encode()


@dataclass(frozen=True)
class ProofingStatus:
    status: str | None  # None: never submitted; else pending / approved / rejected
    reason: str | None
    loa: int


class ProofingSubmissions:
    def __init__(self, sealer: Sealer, *, max_bytes: int, max_pixels: int) -> None:
        self.sealer = sealer
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    def clean(self, uploads: Mapping[str, bytes]) -> dict[str, bytes]:
        """Every evidence kind sanitised, before anything touches the database; raises ImageRefused."""
        return {
            kind: images.sanitise(
                uploads.get(kind, b""), max_bytes=self.max_bytes, max_pixels=self.max_pixels
            )
            for kind in EVIDENCE_KINDS
        }

    def submit(self, s: Session, identity: Identity, cleaned: Mapping[str, bytes], ip: str | None) -> str:
        """A pending request with its sealed images; returns its id."""
        # DESIGN.md: loa 3 is "matched, and portrait or document checked"; without the match there is no base.
        if identity.loa < 2:
            raise NotEligible("proofing.error.not_eligible")
        if identity.loa >= 3:
            raise NotEligible("proofing.error.already_verified")
        if open_request(s, identity.id) is not None:
            raise AlreadyOpen("proofing.error.already_open")
        request = VerificationRequest(id=str(uuid.uuid4()), identity_id=identity.id, open_for=identity.id)
        s.add(request)
        try:
            s.flush()
        except IntegrityError:
            raise AlreadyOpen("proofing.error.already_open") from None
        for kind in EVIDENCE_KINDS:
            image_id = str(uuid.uuid4())
            sealed = self.sealer.seal(cleaned[kind], evidence_context(image_id, request.id, kind))
            s.add(EvidenceImage(id=image_id, request_id=request.id, kind=kind, content_enc=sealed))
        audit.record(
            s,
            audit.AuditEvent.PROOFING_SUBMITTED,
            actor=identity.id,
            identity_id=identity.id,
            ip=ip,
            data={"request_id": request.id, "method": METHOD},
        )
        return request.id

    def status(self, s: Session, identity: Identity) -> ProofingStatus:
        latest = s.scalar(
            select(VerificationRequest)
            .where(VerificationRequest.identity_id == identity.id)
            .order_by(VerificationRequest.created_at.desc())
            .limit(1)
        )
        if latest is None:
            return ProofingStatus(None, None, identity.loa)
        return ProofingStatus(latest.status, latest.reason, identity.loa)


def open_request(s: Session, identity_id: str) -> VerificationRequest | None:
    return s.scalar(select(VerificationRequest).where(VerificationRequest.open_for == identity_id))
