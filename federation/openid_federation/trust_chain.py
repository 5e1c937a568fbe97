"""Trust chain validation, OpenID Federation 1.0 Section 10.2, and the subject's resolved metadata.

A chain is ``[ES0 = subject's entity configuration, ES1 .. ESi-1 = subordinate statements, ESi = trust
anchor's entity configuration]``. Every statement is signed by a key its superior vouches for, the anchor's
by a key configured out of band; the chain lives until the earliest ``exp``; constraints and the merged
metadata policy are applied (Section 6) to give the metadata a relying party may use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.openid_federation import constraints, policy
from federation.openid_federation.errors import InvalidTrustChain
from federation.openid_federation.statements import EntityStatement, verify


@dataclass(frozen=True)
class TrustChain:
    statements: tuple[EntityStatement, ...]
    metadata: dict[str, Any]
    expires_at: int
    trust_marks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return self.statements[0].sub

    @property
    def trust_anchor(self) -> str:
        return self.statements[-1].iss

    @property
    def superior(self) -> str:
        """The entity that vouches for the subject directly (its authority hint used)."""
        return self.statements[1].iss

    @property
    def entity_ids(self) -> list[str]:
        return [s.sub for s in self.statements]

    def tokens(self) -> list[str]:
        """Section 4: the chain as an array of JWTs, as sent in a ``trust_chain`` header or response."""
        return [s.token for s in self.statements]


def _check_links(statements: Sequence[EntityStatement], anchor_jwks: dict[str, Any], now: int) -> None:
    """Section 10.2: ES[j].iss == ES[j+1].sub, ES[j] verified with ES[j+1].jwks, ES[i] with the anchor's."""
    last = len(statements) - 1
    head, anchor = statements[0], statements[last]
    if not head.is_configuration or not anchor.is_configuration:
        raise InvalidTrustChain("a chain must begin and end with entity configurations")
    verify(head, head.jwks, now=now)  # the subject's own keys sign its configuration
    for j in range(last):
        upper = statements[j + 1]
        if statements[j].iss != upper.sub:
            raise InvalidTrustChain("the chain is not linked: an issuer is not the next subject")
        if j > 0 and statements[j].is_configuration:
            raise InvalidTrustChain("only the first and last statements may be entity configurations")
        verify(statements[j], upper.jwks, now=now)
        if j > 0 and statements[j].sub != statements[j - 1].iss:
            raise InvalidTrustChain("the chain is not linked: a statement is about another entity")
    # The anchor's keys come from configuration, never from the anchor's own word.
    verify(anchor, anchor_jwks, now=now)
    if statements[1].iss not in head.authority_hints:
        # Section 10.1: a chain is collected by following authority_hints; a superior not named is no link.
        raise InvalidTrustChain("the subject's authority_hints do not name the superior that vouches for it")


def resolved_metadata(statements: Sequence[EntityStatement]) -> dict[str, Any]:
    """Section 6.1.4: merge the policies top-down, apply the superior's ``metadata`` then the policy."""
    crit: list[str] = []
    for statement in statements[1:-1]:
        crit += [c for c in statement.claims.get("metadata_policy_crit", []) if isinstance(c, str)]
    merged: policy.Policy = {}
    for statement in reversed(statements[1:-1]):
        merged = policy.merge(
            merged, policy.check_policy(statement.claims.get("metadata_policy", {}), crit), crit
        )
    metadata = {t: dict(v) for t, v in statements[0].metadata.items() if isinstance(v, dict)}
    if len(statements) > 2:
        # Section 6.1.4.2: metadata set by the immediate superior overrides the subject's own values.
        for entity_type, values in statements[1].metadata.items():
            if isinstance(values, dict):
                metadata[entity_type] = {**metadata.get(entity_type, {}), **values}
    resolved = policy.apply(merged, metadata)
    return constraints.allowed_types(statements, resolved)


def validate(statements: Sequence[EntityStatement], anchor_jwks: dict[str, Any], *, now: int) -> TrustChain:
    """Check a whole chain and return it with the subject's resolved metadata and the chain's expiry."""
    if len(statements) < 1:
        raise InvalidTrustChain("an empty trust chain")
    if len(statements) == 1:
        # The subject is the trust anchor itself: its configuration alone, under the configured keys.
        verify(statements[0], anchor_jwks, now=now)
    else:
        _check_links(statements, anchor_jwks, now)
        constraints.check_chain(statements)
    return TrustChain(
        statements=tuple(statements),
        metadata=resolved_metadata(statements) if len(statements) > 1 else dict(statements[0].metadata),
        # Section 10.4: the chain expires when its first statement does.
        expires_at=min(s.exp for s in statements),
        trust_marks=[m for m in statements[0].claims.get("trust_marks", []) if isinstance(m, dict)],
    )
