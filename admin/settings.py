"""Settings of the operator console (environment prefix ``NIXA_ADMIN_``); the platform's are ``Settings``."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class AdminSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIXA_ADMIN_", env_file=None, extra="ignore")

    # Where operators' browsers reach the console; its /callback is the registered redirect URI.
    base_url: str = "http://localhost:8090"
    client_id: str = "nixa-admin-console"
    # OWASP ASVS 3.3.2 / NIST SP 800-63B 7.2 (AAL3): re-authenticate after 15 minutes without activity.
    idle_timeout: int = 15 * 60
    session_ttl: int = 8 * 3600
    login_ttl: int = 10 * 60
    page_size: int = 50

    @property
    def redirect_uri(self) -> str:
        return self.base_url.rstrip("/") + "/callback"

    @property
    def signed_out_uri(self) -> str:
        return self.base_url.rstrip("/") + "/signed-out"

    @property
    def backchannel_logout_uri(self) -> str:
        return self.base_url.rstrip("/") + "/backchannel-logout"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")
