"""The platform's services, built once from settings and shared by the web app and the command line."""

from __future__ import annotations

from idp.config import Settings
from idp.crypto import BlindIndex, Sealer
from idp.db import Database
from idp.keys import SoftwareKeyManager
from idp.passwords import PasswordHashing
from idp.shared_state import SharedState


class Platform:
    def __init__(self, settings: Settings) -> None:
        secrets = settings.secrets  # refuses unsafe production settings before anything is opened
        self.settings = settings
        self.db = Database(settings.resolved_database_url)
        self.sealer = Sealer(secrets.kek)
        self.blind_index = BlindIndex(secrets.blind_index)
        self.passwords = PasswordHashing(
            settings.argon2_memory_kib,
            settings.argon2_time_cost,
            settings.argon2_parallelism,
            concurrent=settings.argon2_concurrency,
        )
        self.keys = SoftwareKeyManager(
            self.db,
            Sealer(secrets.kek, purpose=b"signing-keys"),
            settings.max_signed_token_ttl,
            settings.rsa_key_bits,
        )
        # Redis between worker processes (NIXA_REDIS_URL), optional: the database stays the authority.
        self.shared = SharedState(settings.redis_url)

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    def close(self) -> None:
        self.shared.close()
        self.db.dispose()
