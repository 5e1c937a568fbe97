"""Entity statements, OpenID Federation 1.0 Section 3: signed JWTs of type ``entity-statement+jwt``.

An entity configuration is a statement an entity makes about itself (``iss`` == ``sub``), published at
``{entity_id}/.well-known/openid-federation``; a subordinate statement is one a superior makes about a
subordinate (Section 3.1), served by its fetch endpoint. This module signs them and checks one
statement on its own (its form, its signature against given keys, its lifetime); the chain that links
them is ``trust_chain``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import JWSRegistry

from federation.openid_federation.errors import FederationError, InvalidTrustChain

ENTITY_STATEMENT_TYP = "entity-statement+jwt"
ENTITY_STATEMENT_MEDIA_TYPE = "application/entity-statement+jwt"
WELL_KNOWN = "/.well-known/openid-federation"
SIGNING_ALGS = ("ES256", "ES384", "ES512", "PS256", "RS256", "EdDSA")
# Section 3.1 claims this implementation understands; a ``crit`` naming any other is refused.
UNDERSTOOD_CLAIMS = frozenset(
    {
        "iss",
        "sub",
        "iat",
        "exp",
        "jwks",
        "aud",
        "authority_hints",
        "metadata",
        "metadata_policy",
        "metadata_policy_crit",
        "constraints",
        "crit",
        "trust_marks",
        "trust_mark_issuers",
        "trust_mark_owners",
        "source_endpoint",
        "trust_anchor",
    }
)
CLOCK_SKEW = 60
MAX_STATEMENT_BYTES = 64 * 1024
FederationKey = ECKey | RSAKey


def _registry() -> JWSRegistry:
    """joserfc refuses payloads over 8000 bytes; entity statements with metadata and resolve responses
    with whole chains are larger, so statements get a registry with a limit of their own."""
    registry = JWSRegistry(algorithms=list(SIGNING_ALGS))
    registry.max_payload_length = MAX_STATEMENT_BYTES
    return registry


REGISTRY = _registry()


def configuration_url(entity_id: str) -> str:
    """Section 9: the well-known URL is the entity ID with any trailing slash removed, plus the path."""
    return entity_id.rstrip("/") + WELL_KNOWN


def sign(claims: dict[str, Any], key: FederationKey, *, typ: str = ENTITY_STATEMENT_TYP) -> str:
    """Sign with the entity's federation key; Section 3.1: the header MUST carry ``kid`` and ``typ``."""
    header = {"alg": key.alg or "ES256", "kid": key.kid, "typ": typ}
    return jwt.encode(header, claims, key, registry=REGISTRY)


def _b64json(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidTrustChain("a statement is not a readable JWT") from None
    if not isinstance(value, dict):
        raise InvalidTrustChain("a statement is not a readable JWT")
    return value


@dataclass(frozen=True)
class EntityStatement:
    """A statement as received: its compact JWS and the header and claims read from it (not yet trusted)."""

    token: str
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def iss(self) -> str:
        return str(self.claims["iss"])

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])

    @property
    def exp(self) -> int:
        return int(self.claims["exp"])

    @property
    def is_configuration(self) -> bool:
        return self.iss == self.sub

    @property
    def jwks(self) -> dict[str, Any]:
        value = self.claims.get("jwks")
        return value if isinstance(value, dict) else {"keys": []}

    @property
    def authority_hints(self) -> list[str]:
        hints = self.claims.get("authority_hints") or []
        return [h for h in hints if isinstance(h, str)] if isinstance(hints, list) else []

    @property
    def metadata(self) -> dict[str, Any]:
        value = self.claims.get("metadata")
        return value if isinstance(value, dict) else {}

    def federation_endpoint(self, name: str) -> str | None:
        value = self.metadata.get("federation_entity", {}).get(name)
        return value if isinstance(value, str) else None


def parse(
    token: str, *, typ: str = ENTITY_STATEMENT_TYP, require_exp: bool = True, require_sub: bool = True
) -> EntityStatement:
    """Read a statement and check its form (Section 3.1 and 10.2 step 1), before any key is trusted."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise InvalidTrustChain("a statement is not a compact JWS")
    header, claims = _b64json(parts[0]), _b64json(parts[1])
    if header.get("typ") != typ:
        # Section 3.1: statements without the explicit typ MUST be rejected, so no other JWT passes.
        raise InvalidTrustChain(f"a statement does not have typ {typ}")
    if header.get("alg") not in SIGNING_ALGS:
        raise InvalidTrustChain("a statement is signed with an algorithm that is not accepted")
    if not isinstance(header.get("kid"), str):
        raise InvalidTrustChain("a statement header has no kid")
    for name in ("iss", "sub") if require_sub else ("iss",):
        if not isinstance(claims.get(name), str) or not claims[name]:
            raise InvalidTrustChain(f"a statement has no {name}")
    for name in ("iat", "exp"):
        if name == "exp" and not require_exp and "exp" not in claims:
            continue
        if not isinstance(claims.get(name), int) or isinstance(claims.get(name), bool):
            raise InvalidTrustChain(f"a statement has no numeric {name}")
    crit = claims.get("crit", [])
    if not isinstance(crit, list) or any(c not in UNDERSTOOD_CLAIMS for c in crit):
        # Section 3.1: crit lists extensions that MUST be understood; one we do not know voids it.
        raise InvalidTrustChain("a statement names a critical claim this resolver does not understand")
    return EntityStatement(token.strip(), header, claims)


def verify(statement: EntityStatement, jwks: dict[str, Any], *, now: int) -> None:
    """The signature by a key of ``jwks`` (matched by ``kid``) and the lifetime (Section 10.2)."""
    kid = statement.header["kid"]
    keys = [k for k in jwks.get("keys", []) if isinstance(k, dict) and k.get("kid") == kid]
    if not keys:
        raise InvalidTrustChain(
            "a statement is signed with a key its issuer's superior does not vouch for",
            detail=f"iss={statement.iss} kid={kid}",
        )
    try:
        jwt.decode(statement.token, KeySet.import_key_set({"keys": keys}), registry=REGISTRY)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidTrustChain("a statement signature is invalid", detail=f"iss={statement.iss}") from exc
    if statement.claims["iat"] > now + CLOCK_SKEW:
        raise InvalidTrustChain("a statement is issued in the future", detail=f"iss={statement.iss}")
    if "exp" in statement.claims and statement.exp <= now:
        raise InvalidTrustChain("a statement has expired", detail=f"iss={statement.iss}")


def self_signed(token: str, *, now: int) -> EntityStatement:
    """An entity configuration checked with its own keys (Section 10.2: ES[0] is verified by its jwks)."""
    statement = parse(token)
    if not statement.is_configuration:
        raise InvalidTrustChain("an entity configuration must have iss equal to sub")
    verify(statement, statement.jwks, now=now)
    return statement


__all__ = [
    "EntityStatement",
    "FederationError",
    "configuration_url",
    "parse",
    "self_signed",
    "sign",
    "verify",
]
