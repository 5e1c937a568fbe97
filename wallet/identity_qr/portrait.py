"""The optional small portrait of an identity QR (Claim 169 attributes 16 and 17): the portrait an operator
checked during identity proofing, reduced to a thumbnail that still fits a QR code."""

from __future__ import annotations

import io

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from idp.crypto import Sealer
from idp.models.proofing import EvidenceImage, VerificationRequest
from idp.proofing.submission import evidence_context
from wallet.identity_qr.claim169 import MAX_PHOTO_BYTES

FORMAT_WEBP = 4  # Claim 169 attribute 17: 1 JPEG, 2 JPEG2000, 3 AVIF, 4 WebP
SIZE = (48, 60)


def approved_portrait(s: Session, sealer: Sealer, identity_id: str) -> bytes | None:
    """The portrait of the newest approved proofing request, or None."""
    request = s.scalar(
        select(VerificationRequest)
        .where(VerificationRequest.identity_id == identity_id, VerificationRequest.status == "approved")
        .order_by(VerificationRequest.decided_at.desc())
        .limit(1)
    )
    if request is None:
        return None
    image = s.scalar(
        select(EvidenceImage).where(EvidenceImage.request_id == request.id, EvidenceImage.kind == "portrait")
    )
    if image is None:
        return None
    return sealer.open(image.content_enc, evidence_context(image.id, request.id, "portrait"))


def thumbnail(image_bytes: bytes) -> bytes:
    """A small greyscale WebP: a face a verifier can compare, a few hundred bytes in the code."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        small = ImageOps.fit(ImageOps.exif_transpose(image).convert("L"), SIZE)
    for quality in (40, 25, 10):
        buffer = io.BytesIO()
        small.save(buffer, format="WEBP", quality=quality, method=6)
        if buffer.tell() <= MAX_PHOTO_BYTES:
            return buffer.getvalue()
    raise ValueError("the portrait does not fit an identity QR")
