"""The identity claims of the credential, from the identity's sealed attributes (idp's IdentityStore)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from idp.identities import IdentityStore
from idp.models import Identity, RegistryRecord


def _age_over_18(birthdate: str | None, today: date) -> bool | None:
    if not birthdate:
        return None
    try:
        born = date.fromisoformat(birthdate)
    except ValueError:
        return None
    return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) >= 18


def identity_claims(s: Session, identities: IdentityStore, identity: Identity, today: date) -> dict[str, Any]:
    """Each claim becomes its own Disclosure; claims without a value are left out, not sent as null."""
    person = identities.person(identity)
    registry = s.get(RegistryRecord, identity.personal_id_index) if identity.personal_id_index else None
    values: dict[str, Any] = {
        "personal_id": person.personal_id,
        "name": person.full_name,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "birthdate": person.birth_date,
        "gender": {"M": "male", "F": "female"}.get(person.sex or ""),
        "nationalities": [registry.nationality] if registry is not None else None,
        "address": {"formatted": person.address} if person.address else None,
        "age_over_18": _age_over_18(person.birth_date, today),
    }
    return {k: v for k, v in values.items() if v is not None}
