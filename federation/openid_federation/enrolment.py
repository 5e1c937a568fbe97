"""What an operator may enrol: a subordinate's public JWKS and its constraints (Section 6.2)."""

from __future__ import annotations

from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from idp.errors import InvalidRequest

_CONSTRAINTS = {"max_path_length", "naming_constraints", "allowed_entity_types"}


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def check_jwks(jwks: Any) -> dict[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not 0 < len(keys) <= 10:
        raise InvalidRequest("jwks must be a JWK Set with 1 to 10 keys")
    if any(not isinstance(k, dict) or {"d", "p", "q", "k"} & k.keys() or not k.get("kid") for k in keys):
        raise InvalidRequest("jwks must hold public keys, each with a kid")
    try:
        KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidRequest("jwks holds a key that cannot be read") from exc
    return {"keys": keys}


def check_constraints(constraints: dict[str, Any]) -> dict[str, Any]:
    if unknown := set(constraints) - _CONSTRAINTS:
        raise InvalidRequest(f"unknown constraints: {', '.join(sorted(unknown))}")
    max_path = constraints.get("max_path_length")
    if max_path is not None and (not isinstance(max_path, int) or max_path < 0):
        raise InvalidRequest("max_path_length must be a non-negative integer")
    _check_shapes(constraints)
    return constraints


def _check_shapes(constraints: dict[str, Any]) -> None:
    naming = constraints.get("naming_constraints")
    if naming is not None and (
        not isinstance(naming, dict)
        or set(naming) - {"permitted", "excluded"}
        or not all(_strings(v) for v in naming.values())
    ):
        raise InvalidRequest("naming_constraints has permitted and excluded lists of names")
    types = constraints.get("allowed_entity_types")
    if types is not None and not _strings(types):
        raise InvalidRequest("allowed_entity_types is a list of entity types")
