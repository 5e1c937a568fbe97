"""Trust chain constraints, OpenID Federation 1.0 Section 6.2.

A superior's subordinate statement may limit what lies below it: ``max_path_length`` (how many
intermediates may stand between it and the chain's subject), ``naming_constraints`` (which entity IDs are
permitted or excluded, with the URI rules of RFC 5280 Section 4.2.1.10) and ``allowed_entity_types``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from federation.openid_federation.errors import InvalidTrustChain
from federation.openid_federation.statements import EntityStatement


def _host_matches(host: str, constraint: str) -> bool:
    """RFC 5280 Section 4.2.1.10 for URIs: ".example.vn" matches any subdomain, "example.vn" exactly."""
    constraint = constraint.lower()
    if constraint.startswith("."):
        return host.endswith(constraint)
    return host == constraint


def check_naming(constraints: dict[str, Any], entity_ids: Sequence[str]) -> None:
    naming = constraints.get("naming_constraints") or {}
    if not isinstance(naming, dict):
        raise InvalidTrustChain("naming_constraints must be an object")
    permitted, excluded = naming.get("permitted") or [], naming.get("excluded") or []
    for entity_id in entity_ids:
        host = (urlsplit(entity_id).hostname or "").lower()
        if any(_host_matches(host, c) for c in excluded):
            raise InvalidTrustChain("an entity ID is excluded by a naming constraint", detail=entity_id)
        if permitted and not any(_host_matches(host, c) for c in permitted):
            raise InvalidTrustChain("an entity ID is outside the permitted names", detail=entity_id)


def check_chain(statements: Sequence[EntityStatement]) -> None:
    """Every subordinate statement's constraints hold for the part of the chain beneath its issuer.

    ``statements`` is ``[leaf EC, SS(leaf), SS(intermediate 1), ..., TA EC]``: ``statements[j]`` for
    ``0 < j < len - 1`` was issued by the j-th superior, and j - 1 intermediates stand below that issuer.
    """
    for j in range(1, len(statements) - 1):
        constraints = statements[j].claims.get("constraints")
        if not constraints:
            continue
        if not isinstance(constraints, dict):
            raise InvalidTrustChain("constraints must be an object")
        max_path = constraints.get("max_path_length")
        if max_path is not None:
            if not isinstance(max_path, int) or max_path < 0:
                raise InvalidTrustChain("max_path_length must be a non-negative integer")
            # Section 6.2.1: the number of intermediates between the constraining entity and the subject.
            if j - 1 > max_path:
                raise InvalidTrustChain(
                    "the trust chain is longer than a superior allows (max_path_length)",
                    detail=f"{statements[j].iss}: {j - 1} > {max_path}",
                )
        check_naming(constraints, [s.sub for s in statements[:j]])


def allowed_types(statements: Sequence[EntityStatement], metadata: dict[str, Any]) -> dict[str, Any]:
    """Section 6.2.3: drop entity types a superior does not allow; federation_entity always stays."""
    result = dict(metadata)
    for statement in statements[1:-1]:
        allowed = (statement.claims.get("constraints") or {}).get("allowed_entity_types")
        if isinstance(allowed, list):
            result = {t: v for t, v in result.items() if t == "federation_entity" or t in allowed}
    return result
