"""Trust marks, OpenID Federation 1.0 Section 7, and their status (Section 8.4).

A trust mark is a JWT of type ``trust-mark+jwt`` by which an issuer says a subject meets the criteria of
a ``trust_mark_type``. It counts only when the trust anchor names its issuer for that type in its
``trust_mark_issuers`` claim, its signature verifies under the issuer's federation keys, it has not
expired, and the issuer's status endpoint does not say it was revoked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from federation.openid_federation.errors import InvalidTrustChain
from federation.openid_federation.statements import EntityStatement, FederationKey, parse, sign, verify

TRUST_MARK_TYP = "trust-mark+jwt"
STATUS_TYP = "trust-mark-status-response+jwt"
STATUS_MEDIA_TYPE = "application/trust-mark-status-response+jwt"
STATUSES = ("active", "expired", "revoked", "invalid")


@dataclass(frozen=True)
class VerifiedTrustMark:
    trust_mark_type: str
    issuer: str
    subject: str
    token: str
    expires_at: int | None


def issue(key: FederationKey, *, issuer: str, subject: str, trust_mark_type: str, iat: int, exp: int) -> str:
    claims = {"iss": issuer, "sub": subject, "trust_mark_type": trust_mark_type, "iat": iat, "exp": exp}
    return sign(claims, key, typ=TRUST_MARK_TYP)


def read(token: str) -> EntityStatement:
    """The trust mark's form; Section 7.1 makes its ``exp`` optional (a mark that does not expire)."""
    return parse(token, typ=TRUST_MARK_TYP, require_exp=False)


def verify_trust_mark(
    token: str,
    *,
    subject: str,
    anchor: EntityStatement,
    issuer_jwks: Callable[[str], dict[str, Any]],
    status: Callable[[str, str], str],
    now: int,
) -> VerifiedTrustMark:
    """Section 7.3: recognised issuer, signature, subject, lifetime, then the issuer's status answer."""
    mark = read(token)
    mark_type = mark.claims.get("trust_mark_type")
    if not isinstance(mark_type, str):
        raise InvalidTrustChain("a trust mark has no trust_mark_type")
    if mark.sub != subject:
        raise InvalidTrustChain("a trust mark was issued to another entity")
    issuers = (anchor.claims.get("trust_mark_issuers") or {}).get(mark_type)
    # Section 7.3: the trust anchor decides who may issue a type; one it does not list is not recognised.
    if not isinstance(issuers, list) or (issuers and mark.iss not in issuers):
        raise InvalidTrustChain(
            "a trust mark's issuer is not recognised by the trust anchor", detail=mark_type
        )
    verify(mark, issuer_jwks(mark.iss), now=now)
    state = status(mark.iss, token)
    if state != "active":
        raise InvalidTrustChain(f"a trust mark is {state}", detail=mark_type)
    return VerifiedTrustMark(mark_type, mark.iss, mark.sub, token, mark.claims.get("exp"))


def status_response(key: FederationKey, *, issuer: str, trust_mark: str, status: str, iat: int) -> str:
    """Section 8.4.2: a signed status response naming the trust mark it answers for."""
    claims = {
        "iss": issuer,
        "iat": iat,
        "exp": iat + 300,
        "trust_mark": trust_mark,
        "status": status,
    }
    return sign(claims, key, typ=STATUS_TYP)
