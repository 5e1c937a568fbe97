"""Digital Credentials Query Language, OpenID4VP 1.0 Section 6 (the subset for SD-JWT VCs).

A query names credentials (``id``, ``format``, ``meta.vct_values``) and, for each, the claims wanted by
path, optionally with ``claim_sets`` (alternatives). ``credential_sets`` are not supported and refused
when a verifier builds a query, rather than silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SD_JWT_VC = "dc+sd-jwt"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Section 6.1: alphanumeric, underscore or hyphen


class InvalidQuery(ValueError):
    pass


@dataclass(frozen=True)
class ClaimQuery:
    id: str | None
    path: tuple[str, ...]
    values: tuple[Any, ...] | None = None

    def accepts(self, value: Any) -> bool:
        """Section 6.3: with ``values``, only a claim equal to one of them (type and value) matches."""
        return self.values is None or any(type(v) is type(value) and v == value for v in self.values)


@dataclass(frozen=True)
class CredentialQuery:
    id: str
    format: str
    vct_values: tuple[str, ...]
    claims: tuple[ClaimQuery, ...]
    claim_sets: tuple[tuple[str, ...], ...]

    def claim_names(self) -> list[list[str]]:
        """The alternatives of top-level claim names to disclose, most preferred first (Section 6.4.1)."""
        if not self.claim_sets:
            return [[c.path[0] for c in self.claims]]
        by_id = {c.id: c.path[0] for c in self.claims}
        return [[by_id[i] for i in option] for option in self.claim_sets]

    def satisfied_by(self, names: list[str], claims: dict[str, Any]) -> bool:
        """Every named claim is there, and within the values asked for, if any."""
        by_name = {c.path[0]: c for c in self.claims}
        return all(n in claims and by_name[n].accepts(claims[n]) for n in names)


def _claim(raw: Any) -> ClaimQuery:
    if not isinstance(raw, dict):
        raise InvalidQuery("a claims query must be an object")
    path = raw.get("path")
    # Section 7: a claims path pointer is a non-empty array of strings (objects), ints or null (arrays).
    if not isinstance(path, list) or not path or not all(isinstance(p, str) for p in path):
        raise InvalidQuery("claims paths must be non-empty arrays of claim names")
    if len(path) != 1:
        raise InvalidQuery("only top-level claims can be asked for (each is disclosed whole)")
    cid = raw.get("id")
    if cid is not None and (not isinstance(cid, str) or not _ID.match(cid)):
        raise InvalidQuery("a claim id must be alphanumeric")
    if set(raw) - {"id", "path", "values"}:
        raise InvalidQuery("unsupported member in a claims query")
    values = raw.get("values")
    if values is not None and (
        not isinstance(values, list) or not values or not all(isinstance(v, str | int | bool) for v in values)
    ):
        raise InvalidQuery("values must be a non-empty array of strings, integers or booleans")
    return ClaimQuery(cid, tuple(path), tuple(values) if values is not None else None)


def _credential(raw: Any) -> CredentialQuery:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not _ID.match(raw["id"]):
        raise InvalidQuery("each credential query needs an alphanumeric id")
    if raw.get("format") != SD_JWT_VC:
        raise InvalidQuery("only dc+sd-jwt credentials can be asked for")
    vct_values = (raw.get("meta") or {}).get("vct_values")
    # Appendix B.3.5: for dc+sd-jwt, meta.vct_values is required.
    if not isinstance(vct_values, list) or not vct_values or not all(isinstance(v, str) for v in vct_values):
        raise InvalidQuery("meta.vct_values is required for dc+sd-jwt")
    claims = tuple(_claim(c) for c in raw.get("claims") or [])
    if not claims:
        raise InvalidQuery("ask for at least one claim (data minimisation: nothing is asked for by default)")
    ids = [c.id for c in claims if c.id is not None]
    claim_sets = raw.get("claim_sets") or []
    if claim_sets and (len(ids) != len(claims) or not all(isinstance(o, list) and o for o in claim_sets)):
        raise InvalidQuery("claim_sets need an id on every claim")
    if any(i not in ids for option in claim_sets for i in option):
        raise InvalidQuery("claim_sets refer to an unknown claim id")
    return CredentialQuery(
        raw["id"], SD_JWT_VC, tuple(vct_values), claims, tuple(tuple(o) for o in claim_sets)
    )


def parse_query(raw: Any) -> list[CredentialQuery]:
    if not isinstance(raw, dict) or not isinstance(raw.get("credentials"), list) or not raw["credentials"]:
        raise InvalidQuery("a DCQL query has a non-empty credentials array")
    if "credential_sets" in raw:
        raise InvalidQuery("credential_sets are not supported")
    queries = [_credential(c) for c in raw["credentials"]]
    if len({q.id for q in queries}) != len(queries):
        raise InvalidQuery("credential query ids must be unique")
    return queries


def identity_query(vct: str, claims: list[str]) -> dict[str, Any]:
    """The query the verifier page and portals use: these claims of the NIXA identity credential."""
    return {
        "credentials": [
            {
                "id": "identity",
                "format": SD_JWT_VC,
                "meta": {"vct_values": [vct]},
                "claims": [{"path": [c]} for c in claims],
            }
        ]
    }
