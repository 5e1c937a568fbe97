"""Real processes on loopback for the serving tests: a Redis of our own and NIXA server processes.

Each NIXA process is ``python -m nixa serve`` against one database (PostgreSQL when
``NIXA_DATABASE_URL`` points at it, else a SQLite file shared in WAL mode), all with the same settings
and issuer, as behind a load balancer.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from idp.config import Settings
from idp.migrate import upgrade
from idp.platform import Platform
from tests.support.db import base_url, create_schema, drop_schema

# Generous: on a loaded CI machine a process with two spawned workers can take a while to import.
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(check: object, what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start:\n{log.read_text()[-3000:]}")
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready after {START_TIMEOUT_S:.0f}s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class RedisServer:
    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe, "redis-server is not installed (Debian package redis-server)"
        log = self.workdir / f"redis-{self.port}.log"
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        _wait(lambda: _redis_ping(self.port), "redis-server", self.proc, log)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def _redis_ping(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


@dataclass
class NixaProcess:
    base_url: str
    proc: subprocess.Popen[bytes]
    log: Path


class Cluster:
    """Settings, database and processes shared by the serving tests of one module."""

    def __init__(self, workdir: Path, redis_url: str | None) -> None:
        self.workdir = workdir
        self.issuer_port = free_port()
        self.issuer = f"http://127.0.0.1:{self.issuer_port}"
        self.schema: str | None = None
        self.database_url = self._database()
        self.env = {
            "NIXA_ISSUER": self.issuer,
            "NIXA_DATA_DIR": str(workdir / "data"),
            "NIXA_DATABASE_URL": self.database_url,
            "NIXA_ARGON2_MEMORY_KIB": "1024",  # fast hashing: these tests are about processes, not cost
            "NIXA_ARGON2_TIME_COST": "1",
            "NIXA_RSA_KEY_BITS": "2048",
        }
        if redis_url:
            self.env["NIXA_REDIS_URL"] = redis_url
        self.settings = Settings(**{k.removeprefix("NIXA_").lower(): v for k, v in self.env.items()})  # type: ignore[arg-type]
        upgrade(self.database_url)
        self.platform = Platform(self.settings)
        self.platform.keys.ensure_keys()
        self.processes: list[NixaProcess] = []

    def _database(self) -> str:
        pg = base_url()
        if not pg:
            return f"sqlite:///{self.workdir / 'nixa.db'}"
        self.schema = f"nixa_serving_{os.getpid()}_{free_port()}"
        return create_schema(self.schema)

    def start(self, *, port: int | None = None, workers: int = 1) -> NixaProcess:
        port = port or free_port()
        log = self.workdir / f"nixa-{port}.log"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nixa",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-access-log",
            ],
            env={**os.environ, **self.env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        server = NixaProcess(f"http://127.0.0.1:{port}", proc, log)
        self.processes.append(server)  # stopped by close() even when it never became healthy
        _wait(lambda: _healthy(server.base_url), f"nixa serve on {port}", proc, log)
        return server

    def close(self) -> None:
        for p in self.processes:
            stop(p.proc)
        self.platform.close()
        if self.schema:
            drop_schema(self.schema)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def cluster(workdir: Path, redis_url: str | None) -> Iterator[Cluster]:
    c = Cluster(workdir, redis_url)
    try:
        yield c
    finally:
        c.close()
