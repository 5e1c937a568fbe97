"""Settings of the wallet package, from the environment with the prefix ``NIXA_WALLET_``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WalletSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIXA_WALLET_", extra="ignore")

    # Status lists: 2 bits per entry (valid, invalid, suspended); 2^16 entries hide one credential well.
    status_list_bits: Literal[1, 2, 4, 8] = 2
    status_list_size: int = Field(default=65536, ge=1024)
    # How long a Status List Token is valid (offline verifiers may use it that long) and how long to cache.
    status_list_token_ttl: int = Field(default=24 * 3600, ge=300)
    status_list_cache_ttl: int = Field(default=300, ge=30)
    # The identity QR: how long one is valid after issuance.
    identity_qr_ttl: int = Field(default=30 * 24 * 3600, ge=3600)
    # Log-in by scanning a QR: how long the request stays open, and the length of the matching number.
    qr_login_ttl: int = Field(default=120, ge=30, le=600)
    qr_login_code_digits: int = Field(default=2, ge=2, le=6)
    # Device registration codes, issued in self-service after a level 3 login.
    device_registration_ttl: int = Field(default=600, ge=60)
