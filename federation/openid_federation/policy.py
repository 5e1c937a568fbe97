"""Metadata policy, OpenID Federation 1.0 Section 6.1.

A policy maps entity types to metadata parameters to operators. The standard operators (Section 6.1.3.1)
are ``value``, ``add``, ``default``, ``one_of``, ``subset_of``, ``superset_of`` and ``essential``. Policies
of a chain are merged from the trust anchor down (Section 6.1.4.1), each merge and each single policy is
checked for the allowed operator combinations, and the result is applied to the subject's metadata in the
fixed operator order (Section 6.1.4.2). Every rule broken is a policy error: ``InvalidMetadata``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from federation.openid_federation.errors import InvalidMetadata

# Section 6.1.4.2: operators are applied in this order.
OPERATORS = ("value", "add", "default", "one_of", "subset_of", "superset_of", "essential")
_LIST_OPERATORS = ("add", "one_of", "subset_of", "superset_of")
# Section 6.1.3.1: pairs that MUST NOT appear together in one parameter policy.
_FORBIDDEN = {
    frozenset({"add", "one_of"}),
    frozenset({"one_of", "subset_of"}),
    frozenset({"one_of", "superset_of"}),
}

Policy = dict[str, dict[str, dict[str, Any]]]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _same(a: Any, b: Any) -> bool:
    """Equal values; arrays compare as sets, since metadata arrays carry no order that matters."""
    if isinstance(a, list) and isinstance(b, list):
        return {_key(x) for x in a} == {_key(x) for x in b}
    return _key(a) == _key(b)


def _subset(a: Iterable[Any], b: Iterable[Any]) -> bool:
    return {_key(x) for x in a} <= {_key(x) for x in b}


def _union(a: list[Any], b: list[Any]) -> list[Any]:
    seen = {_key(x) for x in a}
    return a + [x for x in b if _key(x) not in seen]


def _intersection(a: list[Any], b: list[Any]) -> list[Any]:
    keep = {_key(x) for x in b}
    return [x for x in a if _key(x) in keep]


def _known(ops: dict[str, Any], name: str, crit: Iterable[str]) -> dict[str, Any]:
    """Section 6.1.2: an unknown operator named in metadata_policy_crit voids the chain; else ignored."""
    if critical := [op for op in ops if op not in OPERATORS and op in set(crit)]:
        raise InvalidMetadata(f"policy for {name} uses critical operators not supported: {critical}")
    return {op: v for op, v in ops.items() if op in OPERATORS}


def check_parameter_policy(name: str, ops: dict[str, Any]) -> None:
    """Section 6.1.3.1: operand types and the allowed (some conditional) operator combinations."""
    for op in _LIST_OPERATORS:
        if op in ops and not isinstance(ops[op], list):
            raise InvalidMetadata(f"policy operator {op} for {name} must be an array")
    if "essential" in ops and not isinstance(ops["essential"], bool):
        raise InvalidMetadata(f"policy operator essential for {name} must be a boolean")
    if "default" in ops and ops["default"] is None:
        raise InvalidMetadata(f"policy operator default for {name} must not be null")
    present = set(ops)
    for pair in _FORBIDDEN:
        if pair <= present:
            raise InvalidMetadata(f"policy for {name} combines {' and '.join(sorted(pair))}")
    _check_value_combinations(name, ops)
    if "add" in ops and "subset_of" in ops and not _subset(ops["add"], ops["subset_of"]):
        raise InvalidMetadata(f"policy for {name}: add must be a subset of subset_of")
    if "subset_of" in ops and "superset_of" in ops and not _subset(ops["superset_of"], ops["subset_of"]):
        raise InvalidMetadata(f"policy for {name}: superset_of must be a subset of subset_of")


def _check_value_combinations(name: str, ops: dict[str, Any]) -> None:
    if "value" not in ops:
        return
    value = ops["value"]
    values = [] if value is None else _as_list(value)
    if "add" in ops and (value is None or not _subset(ops["add"], values)):
        raise InvalidMetadata(f"policy for {name}: add must be a subset of value")
    if "default" in ops and value is None:
        raise InvalidMetadata(f"policy for {name}: default cannot go with a null value")
    if "one_of" in ops and value is not None and _key(value) not in {_key(x) for x in ops["one_of"]}:
        raise InvalidMetadata(f"policy for {name}: value must be one of one_of")
    if "subset_of" in ops and value is not None and not _subset(values, ops["subset_of"]):
        raise InvalidMetadata(f"policy for {name}: value must be a subset of subset_of")
    if "superset_of" in ops and value is not None and not _subset(ops["superset_of"], values):
        raise InvalidMetadata(f"policy for {name}: value must be a superset of superset_of")
    if ops.get("essential") is True and value is None:
        raise InvalidMetadata(f"policy for {name}: an essential parameter cannot have a null value")


def _merge_operator(name: str, op: str, superior: Any, subordinate: Any) -> Any:
    """Section 6.1.3.1, each operator's merge rule."""
    if op in ("value", "default"):
        if not _same(superior, subordinate):
            raise InvalidMetadata(f"policy conflict for {name}: two different {op} operators")
        return superior
    if op in ("add", "superset_of"):
        return _union(superior, subordinate)
    if op == "one_of":
        merged = _intersection(superior, subordinate)
        if not merged:
            raise InvalidMetadata(f"policy conflict for {name}: one_of operators have nothing in common")
        return merged
    if op == "subset_of":
        return _intersection(superior, subordinate)  # may be empty since draft 42
    return bool(superior) or bool(subordinate)  # essential: a superior's true cannot be relaxed


def merge(superior: Policy, subordinate: Policy, crit: Iterable[str] = ()) -> Policy:
    """Section 6.1.4.1: merge a subordinate's policy into its superior's; conflicts are errors."""
    merged: Policy = {}
    crit = list(crit)
    for entity_type in superior.keys() | subordinate.keys():
        upper, lower = superior.get(entity_type, {}), subordinate.get(entity_type, {})
        if not isinstance(upper, dict) or not isinstance(lower, dict):
            raise InvalidMetadata(f"metadata_policy for {entity_type} must be an object")
        params: dict[str, dict[str, Any]] = {}
        for name in upper.keys() | lower.keys():
            a = _known(upper.get(name, {}), name, crit)
            b = _known(lower.get(name, {}), name, crit)
            ops = {**a, **b}
            for op in a.keys() & b.keys():
                ops[op] = _merge_operator(name, op, a[op], b[op])
            check_parameter_policy(name, ops)
            params[name] = ops
        merged[entity_type] = params
    return merged


def check_policy(policy: Any, crit: Iterable[str] = ()) -> Policy:
    """A single statement's metadata_policy: well formed and every parameter policy allowed."""
    if not isinstance(policy, dict):
        raise InvalidMetadata("metadata_policy must be an object")
    return merge({}, policy, crit)


def _apply_parameter(name: str, ops: dict[str, Any], metadata: dict[str, Any]) -> None:
    if "value" in ops:
        if ops["value"] is None:
            metadata.pop(name, None)
            return
        metadata[name] = ops["value"]
    if "add" in ops:
        metadata[name] = _union(_as_list(metadata[name]) if name in metadata else [], ops["add"])
    if "default" in ops and name not in metadata:
        metadata[name] = ops["default"]
    if "one_of" in ops and name in metadata and _key(metadata[name]) not in {_key(x) for x in ops["one_of"]}:
        raise InvalidMetadata(f"metadata {name} is not one of the values the federation allows")
    if "subset_of" in ops and name in metadata:
        metadata[name] = _intersection(_as_list(metadata[name]), ops["subset_of"])
    if (
        "superset_of" in ops
        and name in metadata
        and not _subset(ops["superset_of"], _as_list(metadata[name]))
    ):
        raise InvalidMetadata(f"metadata {name} lacks values the federation requires")
    if ops.get("essential") and name not in metadata:
        raise InvalidMetadata(f"metadata {name} is essential in this federation but missing")


# Parameters whose value is a string of space-separated values; the array operators see them as arrays.
_SPACE_SEPARATED = ("scope",)


def apply(policy: Policy, metadata: dict[str, Any]) -> dict[str, Any]:
    """Section 6.1.4.2: apply a (merged) policy to an entity's metadata; returns a new document."""
    result = {t: dict(v) for t, v in metadata.items() if isinstance(v, dict)}
    for entity_type, params in policy.items():
        if entity_type not in result:
            continue  # a policy for a type the entity does not have changes nothing
        values = result[entity_type]
        for name, ops in params.items():
            spaced = name in _SPACE_SEPARATED and isinstance(values.get(name), str)
            if spaced:
                values[name] = values[name].split()
            _apply_parameter(name, ops, values)
            if spaced and isinstance(values.get(name), list):
                values[name] = " ".join(values[name])
    return result
