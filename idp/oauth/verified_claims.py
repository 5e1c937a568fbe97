"""OpenID Connect for Identity Assurance 1.0: the ``verified_claims`` request and response elements.

Trust framework ``vn_nixa``: NIXA's own framework for identities proofed to ``urn:nixa:loa:3`` (DESIGN.md):
data matched against the population registry, then the citizen's portrait and both sides of the citizen ID
card checked remotely by two different operators (Decree 69/2024/NĐ-CP level 2). The evidence reports it as
a ``document`` (an ``idcard``) with check methods ``vri`` (document inspected remotely) and ``pvr`` (person
compared with the portrait remotely), verified by the organisation NIXA.

Only portals an operator marked with ``metadata_extra["verified_claims_allowed"] = true`` receive it, and
only for identities with an approved proofing; otherwise the element is omitted, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from idp.db import Unit, orm
from idp.errors import InvalidRequest
from idp.identities import PersonRecord
from idp.models import Client
from idp.models.proofing import VerificationRequest

TRUST_FRAMEWORK = "vn_nixa"
# Claims the document check actually verifies; email, phone and address are not on the ID card.
VERIFIABLE_CLAIMS = ("name", "family_name", "given_name", "middle_name", "birthdate", "gender", "personal_id")


# -- request ---------------------------------------------------------------------------------------------
def validate_request(value: Any, where: str) -> None:
    """IDA 1.0 Section 6: ``verified_claims`` is an object, or an array of objects, each with a
    ``verification`` object and a ``claims`` object whose members are null or objects (OIDC Core 5.5.1)."""
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            raise InvalidRequest(f"claims.{where}.verified_claims must be an object or array of objects")
        verification, claims = item.get("verification"), item.get("claims")
        if not isinstance(verification, dict):
            raise InvalidRequest(f"claims.{where}.verified_claims.verification must be an object")
        if not isinstance(claims, dict) or not all(v is None or isinstance(v, dict) for v in claims.values()):
            raise InvalidRequest(
                f"claims.{where}.verified_claims.claims must map claim names to null or object"
            )
        framework = verification.get("trust_framework")
        if framework is not None and not isinstance(framework, dict):
            raise InvalidRequest(f"claims.{where}.verified_claims.verification.trust_framework is malformed")


def requested_names(claims_param: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Claim names asked for inside any ``verified_claims`` element (consent must cover them)."""
    names: list[str] = []
    for section in claims_param.values():
        value = section.get("verified_claims")
        for item in value if isinstance(value, list) else [value] if value else []:
            names += [n for n in item.get("claims", {}) if n in VERIFIABLE_CLAIMS and n not in names]
    return names


# -- response --------------------------------------------------------------------------------------------
def verified_claims_for(
    s: Unit,
    client: Client,
    identity: PersonRecord,
    requested: Any,
    values: Callable[[], Mapping[str, Any]],
) -> dict[str, Any] | list[dict[str, Any]] | None:
    """The element to release, or None to omit it. ``values()`` gives only claims the person consented
    to; it is called only when something may be released (most requests ask for no verified claims)."""
    if not requested or client.metadata_extra.get("verified_claims_allowed") is not True:
        return None
    record = approved_proofing(s, identity)
    if record is None:
        return None
    items = requested if isinstance(requested, list) else [requested]
    consented = values()
    released = [r for r in (_one(item, record, consented) for item in items) if r is not None]
    if not released:
        return None
    return released if isinstance(requested, list) else released[0]


def approved_proofing(s: Unit, identity: PersonRecord) -> VerificationRequest | None:
    if identity.loa < 3:
        return None
    return orm(s).scalar(
        select(VerificationRequest)
        .where(VerificationRequest.identity_id == identity.id, VerificationRequest.status == "approved")
        .order_by(VerificationRequest.decided_at.desc())
        .limit(1)
    )


def _one(
    item: dict[str, Any], record: VerificationRequest, values: Mapping[str, Any]
) -> dict[str, Any] | None:
    if not _framework_matches(item["verification"].get("trust_framework")):
        return None
    claims = {n: values[n] for n in item["claims"] if n in VERIFIABLE_CLAIMS and values.get(n) is not None}
    # OIDC Core 5.3.2 as applied by IDA: with no claim to release, the whole element is left out.
    if not claims:
        return None
    return {"verification": verification(record), "claims": claims}


def _framework_matches(constraint: dict[str, Any] | None) -> bool:
    # IDA 1.0 Section 6.5: a ``value``/``values`` constraint the OP cannot meet means nothing is returned.
    if not constraint:
        return True
    if "value" in constraint:
        return bool(constraint["value"] == TRUST_FRAMEWORK)
    if isinstance(constraint.get("values"), list):
        return TRUST_FRAMEWORK in constraint["values"]
    return True


def verification(record: VerificationRequest) -> dict[str, Any]:
    """How and when the identity was verified.

    No request id or operator: one value shared by every portal would link the person across pairwise subs.
    """
    assert record.decided_at is not None  # an approved request always has its decision time
    when = record.decided_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "trust_framework": TRUST_FRAMEWORK,
        "time": when,
        "evidence": [
            {
                "type": "document",
                "check_details": [{"check_method": "vri"}, {"check_method": "pvr"}],
                "time": when,
                "verifier": {"organization": "NIXA"},
                "document_details": {"type": "idcard"},
            }
        ],
    }
