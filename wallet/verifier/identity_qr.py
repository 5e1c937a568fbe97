"""The verdict on an identity QR. Order matters: nothing in the code is believed before its signature
has been checked with a trusted key (the issuer and kid are only used to find that key)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from wallet import cose
from wallet.identity_qr import codec
from wallet.identity_qr.claim169 import CLAIM_169, IdentityData, InvalidIdentityData, parse_claim
from wallet.status_list.client import StatusUnavailable
from wallet.status_list.service import CWT_STATUS, STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID

# Tolerated clock difference between the issuer and an offline verifier's device.
CLOCK_SKEW = 60


class Verdict(StrEnum):
    VALID = "valid"
    MALFORMED = "malformed"
    UNKNOWN_ISSUER = "unknown_issuer"
    TAMPERED = "tampered"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_UNKNOWN = "status_unknown"


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    detail: str
    issuer: str | None = None
    kid: str | None = None
    expires_at: int | None = None
    identity: IdentityData | None = None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "valid": self.valid,
            "detail": self.detail,
            "issuer": self.issuer,
            "kid": self.kid,
            "expires_at": self.expires_at,
        }
        # Only a valid code's data is shown as an identity: a revoked or forged one is no one's proof.
        if self.identity is not None and self.valid:
            i = self.identity
            out["identity"] = {
                "personal_id": i.personal_id,
                "full_name": i.full_name,
                "birth_date": i.birth_date,
                "sex": i.sex,
                "address": i.address,
                "nationality": i.nationality,
                "photo": base64.b64encode(i.photo).decode() if i.photo else None,
                "photo_format": i.photo_format,
            }
        return out


# (issuer, kid) -> the trusted public key, or None.
KeyLookup = Callable[[str, str | None], ec.EllipticCurvePublicKey | None]
# (issuer, status list uri, idx) -> status value; raises StatusUnavailable.
StatusLookup = Callable[[str, str, int], int]


def verify_identity_qr(
    text: str, *, key_for: KeyLookup, status_of: StatusLookup, now: float | None = None
) -> VerificationResult:
    now = time.time() if now is None else now
    try:
        decoded = codec.decode(text)
    except codec.MalformedQr as exc:
        return VerificationResult(Verdict.MALFORMED, str(exc))
    claims, message = decoded.claims, decoded.message
    issuer = claims.get(cose.CWT_ISS)
    if not isinstance(issuer, str):
        return VerificationResult(Verdict.MALFORMED, "no issuer")
    key = key_for(issuer, message.kid)
    if key is None:
        return VerificationResult(
            Verdict.UNKNOWN_ISSUER, "no trusted key for this issuer", issuer, message.kid
        )
    if not cose.verify_sign1(message, key):
        return VerificationResult(Verdict.TAMPERED, "the signature does not match", issuer, message.kid)
    return _checked_claims(claims, issuer, message.kid, status_of, now)


def _checked_claims(
    claims: dict[Any, Any], issuer: str, kid: str | None, status_of: StatusLookup, now: float
) -> VerificationResult:
    exp, nbf = claims.get(cose.CWT_EXP), claims.get(cose.CWT_NBF)
    if not isinstance(exp, int) or (nbf is not None and not isinstance(nbf, int)):
        return VerificationResult(Verdict.MALFORMED, "exp and nbf must be NumericDate", issuer, kid)
    try:
        identity = parse_claim(claims.get(CLAIM_169))
    except InvalidIdentityData as exc:
        return VerificationResult(Verdict.MALFORMED, str(exc), issuer, kid)

    def result(verdict: Verdict, detail: str) -> VerificationResult:
        return VerificationResult(verdict, detail, issuer, kid, exp, identity)

    # RFC 8392 Section 3.1.4: the token MUST NOT be accepted on or after its expiration time.
    if now >= exp + CLOCK_SKEW:
        return result(Verdict.EXPIRED, "the code has expired")
    if nbf is not None and now < nbf - CLOCK_SKEW:
        return result(Verdict.NOT_YET_VALID, "the code is not valid yet")
    reference = _status_reference(claims.get(CWT_STATUS))
    if reference is None:
        return result(Verdict.MALFORMED, "no status list entry")
    try:
        status = status_of(issuer, *reference)
    except StatusUnavailable as exc:
        return result(Verdict.STATUS_UNKNOWN, f"revocation status unavailable: {exc}")
    if status == STATUS_INVALID:
        return result(Verdict.REVOKED, "the code has been revoked")
    if status == STATUS_SUSPENDED:
        return result(Verdict.SUSPENDED, "the code is suspended")
    if status != STATUS_VALID:
        return result(Verdict.STATUS_UNKNOWN, "unknown status value")
    return result(Verdict.VALID, "signature, expiry and status checked")


def _status_reference(claim: Any) -> tuple[str, int] | None:
    # draft-ietf-oauth-status-list Section 6.3: {"status_list": {"idx": uint, "uri": tstr}}
    if not hasattr(claim, "get"):
        return None
    entry = claim.get("status_list")
    if not hasattr(entry, "get"):
        return None
    uri, idx = entry.get("uri"), entry.get("idx")
    if not isinstance(uri, str) or not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
        return None
    return uri, idx
