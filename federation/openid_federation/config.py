"""Settings of NIXA's federation roles, from the environment with the prefix ``NIXA_FEDERATION_``."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FederationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIXA_FEDERATION_", extra="ignore")

    # NIXA's own trust anchor ({issuer}/federation/ta) is trusted for admitting portals unless turned off.
    trust_own_anchor: bool = True
    # Further trust anchors, entity ID -> JWKS, configured out of band (Section 10.2: the anchor's keys).
    trust_anchors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Trust mark types a portal must hold (valid, unrevoked, from an issuer its anchor names) to be admitted.
    required_trust_marks: list[str] = Field(default_factory=list)
    # Trust mark types NIXA's trust anchor issues and names itself issuer of; default: one portal mark.
    trust_mark_types: list[str] = Field(default_factory=list)
    # Other issuers the trust anchor recognises, trust mark type -> issuer entity IDs.
    trust_mark_issuers: dict[str, list[str]] = Field(default_factory=dict)
    organization_name: str = "NIXA – Định danh và xác thực quốc gia"
    statement_ttl: int = Field(default=24 * 3600, ge=60)
    trust_mark_ttl: int = Field(default=365 * 24 * 3600, ge=60)
    max_path_depth: int = Field(default=5, ge=1, le=10)
    chain_cache_seconds: int = Field(default=300, ge=0)
    http_timeout: float = 5.0
    # In production statements are fetched only from public addresses unless this is set.
    allow_private_networks: bool = False
