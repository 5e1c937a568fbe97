"""Checking a ``vp_token`` against its request, OpenID4VP 1.0 Section 8.6 and Appendix B.3 (SD-JWT VC).

For every credential query: a presentation must be there; the issuer's signature (a trusted issuer), the
type (vct), validity period, the Key Binding JWT (nonce, aud = our client_id, iat, sd_hash), the requested
claims, and the status list entry. Only the requested claims are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wallet.sd_jwt import SdJwtError, verify_presentation
from wallet.sd_jwt.verification import KeyResolver
from wallet.vp.dcql import CredentialQuery

SD_JWT_VC_TYP = "dc+sd-jwt"
# Status list values (draft-ietf-oauth-status-list Section 7.1) and what a verifier concludes.
STATUS_VERDICTS = {0: None, 1: "revoked", 2: "suspended"}
StatusLookup = Callable[[str, int], int]


@dataclass
class Verdict:
    """``verdict`` is ``valid`` or the first reason for refusal, a stable tag the pages translate."""

    verdict: str
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"


class PresentationRefused(Exception):
    def __init__(self, verdict: str) -> None:
        super().__init__(verdict)
        self.verdict = verdict


def parse_vp_token(raw: str | None) -> dict[str, list[str]]:
    """Section 8.1: a JSON object, credential query id -> array of presentations."""
    try:
        token = json.loads(raw or "")
    except ValueError as exc:
        raise PresentationRefused("malformed") from exc
    if not isinstance(token, dict) or not all(
        isinstance(v, list) and v and all(isinstance(p, str) for p in v) for v in token.values()
    ):
        raise PresentationRefused("malformed")
    return token


def _check_credential(
    presentation: str,
    query: CredentialQuery,
    *,
    keys: KeyResolver,
    client_id: str,
    nonce: str,
    now: int,
    max_age: int,
    status_of: StatusLookup,
) -> dict[str, Any]:
    try:
        verified = verify_presentation(
            presentation, keys, audience=client_id, nonce=nonce, now=now, max_age=max_age, typ=SD_JWT_VC_TYP
        )
    except SdJwtError as exc:
        raise PresentationRefused(exc.reason) from exc
    claims = verified.claims
    if claims.get("vct") not in query.vct_values:
        raise PresentationRefused("wrong_type")
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, int) or exp <= now or (isinstance(nbf, int) and nbf > now + 60):
        raise PresentationRefused("expired")
    options = query.claim_names()
    chosen = next((o for o in options if query.satisfied_by(o, claims)), None)
    if chosen is None:
        raise PresentationRefused("missing_claims")
    _check_status(claims.get("status"), status_of)
    return {n: claims[n] for n in chosen}


def _check_status(status: Any, status_of: StatusLookup) -> None:
    ref = status.get("status_list") if isinstance(status, dict) else None
    if (
        not isinstance(ref, dict)
        or not isinstance(ref.get("uri"), str)
        or not isinstance(ref.get("idx"), int)
    ):
        raise PresentationRefused("no_status")
    try:
        value = status_of(ref["uri"], ref["idx"])
    except Exception as exc:  # any failure to establish the status means we cannot call it valid
        raise PresentationRefused("status_unavailable") from exc
    verdict = STATUS_VERDICTS.get(value, "revoked")
    if verdict is not None:
        raise PresentationRefused(verdict)


def verify_vp_token(
    raw: str | None,
    queries: list[CredentialQuery],
    *,
    keys: KeyResolver,
    client_id: str,
    nonce: str,
    now: int,
    max_age: int,
    status_of: StatusLookup,
) -> Verdict:
    try:
        token = parse_vp_token(raw)
        out: dict[str, dict[str, Any]] = {}
        for query in queries:
            presentations = token.get(query.id)
            # Section 8.1: one presentation unless the query allows multiple.
            if presentations is None or len(presentations) != 1:
                raise PresentationRefused("missing_credential")
            out[query.id] = _check_credential(
                presentations[0],
                query,
                keys=keys,
                client_id=client_id,
                nonce=nonce,
                now=now,
                max_age=max_age,
                status_of=status_of,
            )
    except PresentationRefused as exc:
        return Verdict(exc.verdict)
    return Verdict("valid", out)
