"""Factories for the console's tests: operators (level-3 citizens with an authenticator app and roles)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyotp
from PIL import Image

from admin import operators
from idp.db import utcnow
from idp.factors.totp import TotpFactors
from idp.models import Identity
from idp.proofing.submission import EVIDENCE_KINDS, ProofingSubmissions
from idp.provider import OpenIDProvider
from tests.support.factories import Citizen, make_citizen


@dataclass
class OperatorInfo:
    citizen: Citizen
    totp: pyotp.TOTP
    roles: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.citizen.id

    @property
    def actor(self) -> str:
        return operators.operator_actor(self.citizen.id)


def make_operator(
    op: OpenIDProvider, *roles: str, full_name: str = "Lê Văn Vận", loa: int = 3
) -> OperatorInfo:
    """A citizen of level ``loa`` with a confirmed TOTP factor, holding ``roles``."""
    citizen = make_citizen(op, full_name=full_name, loa=loa)
    factors = TotpFactors(op.platform.sealer, "NIXA")
    with op.db.session() as s:
        factor = factors.start(s, citizen.id)
        factor.confirmed_at = utcnow()
        secret = factors.secret(factor)
        for role in roles:
            operators.grant(s, citizen.id, role, actor="test", reason="test set-up")
    return OperatorInfo(citizen, pyotp.TOTP(secret), roles)


def jpeg(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def make_pending_verification(op: OpenIDProvider, citizen: Citizen) -> str:
    """A level-2 citizen's proofing request with its three images, as the upload page would leave it."""
    submissions = ProofingSubmissions(op.platform.sealer, max_bytes=500_000, max_pixels=1_000_000)
    cleaned = submissions.clean({kind: jpeg() for kind in EVIDENCE_KINDS})
    with op.db.session() as s:
        identity = s.get(Identity, citizen.id)
        assert identity is not None
        return submissions.submit(s, identity, cleaned, ip=None)
