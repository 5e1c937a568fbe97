"""Settings of credential issuance and presentation, from the environment with the prefix ``NIXA_WALLET_``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CredentialSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIXA_WALLET_", extra="ignore")

    # How long an issued identity credential is valid.
    credential_ttl: int = Field(default=365 * 24 * 3600, ge=3600)
    # A pre-authorized offer shown in self-service, and the access token it buys.
    offer_ttl: int = Field(default=600, ge=60, le=3600)
    credential_access_token_ttl: int = Field(default=300, ge=60, le=3600)
    # Transaction codes: digits shown beside the offer QR, and wrong tries before the offer is void.
    tx_code_digits: int = Field(default=6, ge=4, le=8)
    tx_code_max_failures: int = Field(default=5, ge=1, le=10)
    # c_nonce lifetime and how old a proof of possession or key binding JWT may be.
    nonce_ttl: int = Field(default=300, ge=30, le=3600)
    proof_max_age: int = Field(default=300, ge=30, le=3600)
    # Wallet apps (NIXA client_ids) allowed to obtain credentials with the authorization code flow.
    credential_clients: list[str] = Field(default_factory=list)
    # OpenID4VP: how long a presentation request stays open.
    presentation_ttl: int = Field(default=300, ge=60, le=3600)
