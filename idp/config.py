"""Typed settings for NIXA (pydantic-settings, prefix ``NIXA_``).

Settings are built once by the caller and passed in (``create_app(settings)``); nothing reads the
environment at import time. In development, missing secrets are generated into the data directory
(which git ignores) with a loud warning; in production mode the same situation refuses to start.
"""

from __future__ import annotations

import json
import logging
import secrets
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("nixa.config")

DEV_SECRETS_FILE = "dev-secrets.json"
_PLACEHOLDERS = {"", "changeme", "change-me", "change_me", "secret", "dev", "development", "test", "password"}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class ConfigurationError(RuntimeError):
    """The settings cannot run safely; the message says why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIXA_", env_file=None, extra="ignore")

    issuer: str = "http://localhost:8000"
    database_url: str | None = None
    data_dir: Path = Path("var")
    production: bool = False

    # Key-encryption secrets: the first encrypts, all decrypt (rotation without re-encrypting at once).
    key_encryption_secrets: list[SecretStr] = Field(default_factory=list)
    # Keyed hash for lookups by personal ID number / email, and the salt of pairwise subjects.
    blind_index_secret: SecretStr | None = None
    pairwise_secret: SecretStr | None = None
    # HMAC key for CSRF tokens and browser binding.
    csrf_secret: SecretStr | None = None

    # Argon2id parameters (OWASP: m=19 MiB, t=2, p=1).
    argon2_memory_kib: int = 19 * 1024
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    # Hashes computed at once per worker process; 0: as many as the cores it may run on (idp.passwords).
    argon2_concurrency: int = Field(default=0, ge=0, le=256)

    # Threads per worker process for the token, UserInfo, introspection and revocation endpoints: their
    # own small pool, so page requests never starve them, and few threads contend little for the GIL and
    # keep their database connections warm (measured in bench/RESULTS.md).
    api_threads: int = Field(default=4, ge=1, le=64)

    # Lifetimes in seconds.
    authorization_code_ttl: int = 60
    access_token_ttl: int = 600
    id_token_ttl: int = 600
    refresh_token_ttl: int = 30 * 24 * 3600
    session_ttl: int = 12 * 3600
    interaction_ttl: int = 15 * 60
    logout_token_ttl: int = 120
    client_assertion_max_age: int = 300

    # Login throttling.
    account_max_failures: int = 5
    ip_max_failures: int = 30
    failure_window: int = 15 * 60
    lockout_seconds: int = 15 * 60

    # Back-channel logout delivery.
    backchannel_timeout: float = 5.0
    backchannel_max_attempts: int = 5
    backchannel_backoff_base: float = 2.0  # seconds before the first retry; doubles after each failure

    # Population registry (issue 3): "local" uses the imported table; "http" the registry service.
    registry_mode: str = "local"
    registry_url: str | None = None
    registry_client_cert: Path | None = None
    registry_client_key: Path | None = None
    registry_ca: Path | None = None
    registry_timeout: float = 3.0
    registry_retries: int = 2
    registry_breaker_failures: int = 5
    registry_breaker_reset: float = 30.0

    # Outbound messages: SMTP for email confirmation; SMS through a gateway (development: a file).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "NIXA <no-reply@nixa.gov.vn>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    sms_gateway: str = "file"  # "file" writes messages to data_dir/sms-outbox.jsonl (development)
    confirmation_ttl: int = 24 * 3600
    otp_ttl: int = 10 * 60

    # Sensitive account changes need a password entered this recently (OWASP ASVS 3.7.1).
    recent_login_seconds: int = Field(default=600, ge=60)
    # Reverse proxies whose X-Forwarded-For is believed (IP addresses or CIDR networks); empty: none.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Second factors.
    totp_issuer: str = "NIXA"
    webauthn_rp_id: str | None = None  # defaults to the issuer's host
    webauthn_rp_name: str = "NIXA"

    # Identity proofing uploads.
    upload_max_bytes: int = 5 * 1024 * 1024
    upload_max_pixels: int = 40_000_000

    default_signing_alg: str = "ES256"
    rsa_key_bits: int = Field(default=3072, ge=2048)  # NIST SP 800-57: 3072 bits for use beyond 2030
    default_locale: str = "vi"
    redis_url: str | None = None

    @model_validator(mode="after")
    def _normalise(self) -> Settings:
        self.issuer = self.issuer.rstrip("/")
        return self

    # -- derived values -------------------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)  # the embedded database lives in the data dir
        return f"sqlite:///{(self.data_dir / 'nixa.db').resolve()}"

    @property
    def secure_cookies(self) -> bool:
        return urlsplit(self.issuer).scheme == "https"

    @property
    def max_signed_token_ttl(self) -> int:
        """How long a retired key must stay published: the longest life of anything it signed."""
        return max(self.access_token_ttl, self.id_token_ttl, self.logout_token_ttl)

    @cached_property
    def secrets(self) -> ResolvedSecrets:
        return ResolvedSecrets.load(self)

    def check_production(self) -> None:
        """Refuse to run in production with development secrets or an unsafe issuer."""
        if not self.production:
            return
        problems: list[str] = []
        parts = urlsplit(self.issuer)
        if parts.scheme != "https" and parts.hostname not in _LOCAL_HOSTS:
            problems.append(f"NIXA_ISSUER must use https in production (got {parts.scheme}://)")
        if not self.key_encryption_secrets:
            problems.append("NIXA_KEY_ENCRYPTION_SECRETS is not set (a JSON list of secrets)")
        dev_values = _read_dev_secrets(self.data_dir)
        named: dict[str, list[str | None]] = {
            "NIXA_KEY_ENCRYPTION_SECRETS": [s.get_secret_value() for s in self.key_encryption_secrets],
            "NIXA_BLIND_INDEX_SECRET": [_value(self.blind_index_secret)],
            "NIXA_PAIRWISE_SECRET": [_value(self.pairwise_secret)],
            "NIXA_CSRF_SECRET": [_value(self.csrf_secret)],
        }
        for name, values in named.items():
            for v in values:
                if v is None:
                    problems.append(f"{name} is not set")
                elif v.lower() in _PLACEHOLDERS or len(v) < 32:
                    problems.append(f"{name} is a placeholder or shorter than 32 characters")
                elif v in dev_values:
                    problems.append(f"{name} is a development secret generated by NIXA")
        if problems:
            raise ConfigurationError("refusing to start in production mode: " + "; ".join(problems))


def _value(s: SecretStr | None) -> str | None:
    return s.get_secret_value() if s is not None else None


def _read_dev_secrets(data_dir: Path) -> set[str]:
    """Every secret NIXA generated for development, so production can refuse to reuse one."""
    path = data_dir / DEV_SECRETS_FILE
    if not path.exists():
        return set()
    found: set[str] = set()
    for value in json.loads(path.read_text()).values():
        found.update(value if isinstance(value, list) else [value])
    return found


class ResolvedSecrets:
    """The secrets in force: configured ones, or (development only) generated into the data dir."""

    def __init__(self, kek: list[bytes], blind_index: bytes, pairwise: bytes, csrf: bytes) -> None:
        self.kek = kek
        self.blind_index = blind_index
        self.pairwise = pairwise
        self.csrf = csrf

    @classmethod
    def load(cls, settings: Settings) -> ResolvedSecrets:
        settings.check_production()
        generated = cls._dev_file(settings) if not settings.production else {}
        generated_kek = generated.get("kek", [])
        kek = [s.get_secret_value() for s in settings.key_encryption_secrets] or (
            [str(k) for k in generated_kek] if isinstance(generated_kek, list) else []
        )

        def pick(configured: SecretStr | None, name: str) -> bytes:
            value = _value(configured) or generated.get(name)
            if not value:
                raise ConfigurationError(f"NIXA_{name.upper()}_SECRET is not set")
            return str(value).encode()

        if not kek:
            raise ConfigurationError("no key-encryption secret (NIXA_KEY_ENCRYPTION_SECRETS)")
        return cls(
            kek=[k.encode() for k in kek],
            blind_index=pick(settings.blind_index_secret, "blind_index"),
            pairwise=pick(settings.pairwise_secret, "pairwise"),
            csrf=pick(settings.csrf_secret, "csrf"),
        )

    @staticmethod
    def _dev_file(settings: Settings) -> dict[str, object]:
        path = settings.data_dir / DEV_SECRETS_FILE
        if path.exists():
            data: dict[str, object] = json.loads(path.read_text())
            return data
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        data = {
            "kek": [secrets.token_urlsafe(32)],
            "blind_index": secrets.token_urlsafe(32),
            "pairwise": secrets.token_urlsafe(32),
            "csrf": secrets.token_urlsafe(32),
        }
        path.write_text(json.dumps(data, indent=2))
        path.chmod(0o600)
        log.warning(
            "DEVELOPMENT SECRETS generated in %s: never use them in production "
            "(NIXA_PRODUCTION=true refuses)",
            path,
        )
        return data
