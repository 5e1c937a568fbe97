"""Scopes, the ``claims`` request parameter and the claims released about a person.

OIDC Core Section 5.4 (scope claims), 5.5 (claims parameter), 5.1 (standard claims). The personal ID
number is released only under its own scope ``nixa.personal_id`` with the person's explicit consent.
"""

from __future__ import annotations

import json
from typing import Any

from idp.errors import InvalidRequest
from idp.identities import Person
from idp.oauth import verified_claims

PERSONAL_ID_SCOPE = "nixa.personal_id"
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "profile": (
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "birthdate",
        "gender",
        "locale",
        "updated_at",
    ),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
    PERSONAL_ID_SCOPE: ("personal_id",),
}
CLAIM_SCOPE = {claim: scope for scope, claims in SCOPE_CLAIMS.items() for claim in claims}
# Claims about the authentication itself: not personal data, no consent needed.
AUTH_CLAIMS = ("sub", "acr", "amr", "auth_time")
SUPPORTED_CLAIMS = (*AUTH_CLAIMS, "iss", "aud", "exp", "iat", "nonce", "sid", *CLAIM_SCOPE)


def parse_claims_parameter(raw: str | None) -> dict[str, dict[str, Any]]:
    """OIDC Core 5.5: a JSON object whose members ``userinfo`` and ``id_token`` name requested claims."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise InvalidRequest("claims is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidRequest("claims must be a JSON object")
    out: dict[str, dict[str, Any]] = {}
    for member in ("userinfo", "id_token"):
        section = value.get(member)
        if section is None:
            continue
        if not isinstance(section, dict) or not all(
            v is None or isinstance(v, dict) for k, v in section.items() if k != "verified_claims"
        ):
            raise InvalidRequest(f"claims.{member} must map claim names to null or an object")
        if "verified_claims" in section:
            # IDA 1.0: may also be an array, and has a structure of its own.
            verified_claims.validate_request(section["verified_claims"], member)
        out[member] = section
    return out


def requested_claim_names(scopes: list[str], claims_param: dict[str, dict[str, Any]]) -> list[str]:
    """Every personal-data claim the portal asks for, by scope or by name (what consent must cover)."""
    names = [c for s in scopes for c in SCOPE_CLAIMS.get(s, ())]
    inner = verified_claims.requested_names(claims_param)
    for section in (*claims_param.values(), dict.fromkeys(inner)):
        for name in section:
            scope = CLAIM_SCOPE.get(name)
            # The personal ID number needs its own scope; naming it in ``claims`` alone is not enough.
            if scope and (scope != PERSONAL_ID_SCOPE or PERSONAL_ID_SCOPE in scopes) and name not in names:
                names.append(name)
    return names


def person_claims(person: Person, names: list[str], updated_at: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": person.full_name,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "middle_name": person.middle_name,
        "birthdate": person.birth_date,
        "gender": {"M": "male", "F": "female"}.get(person.sex or ""),
        "locale": person.locale,
        "updated_at": updated_at,
        "email": person.email,
        "email_verified": person.email_verified if person.email else None,
        "phone_number": person.phone,
        "phone_number_verified": person.phone_verified if person.phone else None,
        "address": {"formatted": person.address} if person.address else None,
        "personal_id": person.personal_id,
    }
    # OIDC Core 5.3.2: claims with no value are omitted rather than sent as null.
    return {n: values[n] for n in names if values.get(n) is not None}


def id_token_claim_names(claims_param: dict[str, dict[str, Any]], granted: list[str]) -> list[str]:
    """Claims the portal asked to have in the ID token itself (only those it was granted)."""
    return [n for n in claims_param.get("id_token", {}) if n in granted]


def userinfo_claim_names(
    scopes: list[str], claims_param: dict[str, dict[str, Any]], granted: list[str]
) -> list[str]:
    wanted = [c for s in scopes for c in SCOPE_CLAIMS.get(s, ())] + list(claims_param.get("userinfo", {}))
    return [n for n in dict.fromkeys(wanted) if n in granted]
