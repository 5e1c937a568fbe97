"""node oidc-provider under test (bench/peer/server.mjs), installed from npm with ``npm ci``.

``store="sqlite"`` is the peer configured like NIXA on SQLite: every session, code, token and grant is
written to a SQLite file (WAL, synchronous=FULL) before the answer goes out. ``store="memory"`` keeps them
in a Map, as a reference for what durable writes cost the peer.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bench import citizens, procs
from bench.nixa_target import KEYCLOAK_ARGON2, REDIRECT_URI, Target

PEER_DIR = Path(__file__).parent / "peer"
NAMES = {"sqlite": "node oidc-provider", "memory": "node oidc-provider mem"}


def install() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("the peer needs Node.js and npm")
    lock = PEER_DIR / "package-lock.json"
    modules = PEER_DIR / "node_modules"
    if not modules.is_dir() or lock.stat().st_mtime > modules.stat().st_mtime:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER_DIR, check=True)


@contextlib.contextmanager
def run(workdir: Path, *, people: int, store: str = "sqlite") -> Iterator[Target]:
    install()
    workdir.mkdir(parents=True, exist_ok=True)
    port = procs.free_port()
    secret = secrets.token_urlsafe(32)
    env = {
        "PORT": str(port),
        "PEOPLE": str(people),
        "BENCH_PASSWORD": citizens.PASSWORD,
        "BENCH_CLIENT_SECRET": secret,
        "BENCH_REDIRECT_URI": REDIRECT_URI,
        "BENCH_COOKIE_KEY": secrets.token_urlsafe(32),
        "ARGON2_MEMORY_KIB": str(KEYCLOAK_ARGON2[0]),
        "ARGON2_TIME_COST": str(KEYCLOAK_ARGON2[1]),
        "NODE_ENV": "production",
        "PEER_STORE": store,
        "PEER_DATABASE": str(workdir / "peer.sqlite3"),
    }
    base = f"http://127.0.0.1:{port}"
    with procs.start(
        NAMES[store],
        ["node", "server.mjs"],
        env=env,
        base_url=base,
        log=workdir / "peer.log",
        cwd=PEER_DIR,
    ) as server:
        usernames = [citizens.personal_id(n) for n in range(people)]
        yield Target(
            server.name, base, "bench-portal", secret, REDIRECT_URI, usernames, citizens.PASSWORD, server
        )
