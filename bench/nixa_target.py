"""NIXA under test: a fresh database (SQLite file or PostgreSQL schema), seeded, served by ``nixa serve``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import citizens, procs
from idp.clients import ClientSpec, create_client
from idp.config import Settings
from idp.identities import IdentityStore
from idp.migrate import upgrade
from idp.passwords import PasswordHashing
from idp.platform import Platform

REDIRECT_URI = "https://cong.bench.example.vn/callback"
# Keycloak's sizing guide hashes with argon2id at 7 MiB, t=5: the login figures use the same cost.
KEYCLOAK_ARGON2 = (7 * 1024, 5)
__all__ = ["IdentityStore", "Target", "run", "seed"]


@dataclass
class Target:
    """What a flow needs to know about a server under test, NIXA or the peer."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    usernames: list[str]
    password: str
    server: procs.Server | None = None


def pg_schema_url(base: str, schema: str) -> str:
    url = "postgresql+psycopg://" + base.split("://", 1)[1]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def settings_env(workdir: Path, port: int, database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {
        "NIXA_ISSUER": f"http://127.0.0.1:{port}",
        "NIXA_DATA_DIR": str(workdir / "data"),
        "NIXA_DATABASE_URL": database_url,
        "NIXA_ARGON2_MEMORY_KIB": str(KEYCLOAK_ARGON2[0]),
        "NIXA_ARGON2_TIME_COST": str(KEYCLOAK_ARGON2[1]),
        "NIXA_ARGON2_PARALLELISM": "1",
    }
    if redis_url:
        env["NIXA_REDIS_URL"] = redis_url
    return env


def settings_from(env: dict[str, str]) -> Settings:
    """The settings a server started with ``env`` (``settings_env``) reads from its environment."""
    return Settings(**{k.removeprefix("NIXA_").lower(): v for k, v in env.items()})  # type: ignore[arg-type]


def seed(env: dict[str, str], people: int, consented: int | None = None) -> tuple[str, str, list[str]]:
    """Migrate, create the portal and ``people`` citizens, the first ``consented`` (default: all) with
    pre-approved consent."""
    settings = settings_from(env)
    upgrade(settings.resolved_database_url)
    platform = Platform(settings)
    try:
        platform.keys.ensure_keys()
        spec = ClientSpec(
            name="Cổng dịch vụ công (benchmark)",
            redirect_uris=[REDIRECT_URI],
            post_logout_redirect_uris=[],
            grant_types=("authorization_code", "refresh_token", "client_credentials"),
            subject_type="public",
        )
        with platform.db.session() as s:
            _client, secret = create_client(s, spec, actor="bench", client_id="bench-portal")
        assert secret is not None
        # Hashed as the server hashes, so its login verifies the string its own library would write.
        hasher = PasswordHashing(*KEYCLOAK_ARGON2, parallelism=1)
        secrets = settings.secrets
        citizens.load(
            platform.db,
            0,
            people,
            kek=secrets.kek,
            blind=secrets.blind_index,
            password_hash=hasher.hash(citizens.PASSWORD),
        )
        citizens.consent_all(platform.db, "bench-portal", 0, people if consented is None else consented)
    finally:
        platform.close()
    return "bench-portal", secret, [citizens.personal_id(n) for n in range(people)]


@contextlib.contextmanager
def run(
    workdir: Path,
    *,
    database_url: str,
    people: int,
    consented: int | None = None,
    workers: int = 1,
    redis_url: str | None = None,
    label: str = "NIXA",
) -> Iterator[Target]:
    port = procs.free_port()
    env = settings_env(workdir, port, database_url, redis_url)
    client_id, secret, usernames = seed(env, people, consented)
    argv = [
        sys.executable,
        "-m",
        "nixa",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    with procs.start(label, argv, env=env, base_url=env["NIXA_ISSUER"], log=workdir / "server.log") as server:
        yield Target(
            label, env["NIXA_ISSUER"], client_id, secret, REDIRECT_URI, usernames, citizens.PASSWORD, server
        )
