"""Starting and watching the servers under test: pinned to a core, on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

# The server gets core 0 and the load generator core 1, so per-core figures mean one core each.
SERVER_CORE = 0
LOADGEN_CORE = 1


def pin_loadgen() -> str:
    cores = os.sched_getaffinity(0)
    if len(cores) < 2 or os.cpu_count() is None:
        return "not pinned (fewer than 2 cores)"
    os.sched_setaffinity(0, {LOADGEN_CORE})
    return f"server on core {SERVER_CORE}, load generator on core {LOADGEN_CORE}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def tree(self) -> list[psutil.Process]:
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.tree():
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def rss_per_worker(self) -> list[int]:
        """Resident memory of each process that serves requests (uvicorn's supervisor excluded)."""
        procs = self.tree()
        # With --workers, the first process only supervises; multiprocessing's resource tracker serves none.
        workers = [p for p in procs[1:] if "resource_tracker" not in " ".join(_cmd(p))] or procs[:1]
        return [p.memory_info().rss for p in workers if p.is_running()]


def _cmd(p: psutil.Process) -> list[str]:
    with contextlib.suppress(psutil.Error):
        return p.cmdline()
    return []


@contextlib.contextmanager
def start(
    name: str, argv: list[str], *, env: dict[str, str], base_url: str, log: Path, cwd: Path | None = None
) -> Iterator[Server]:
    """Run ``argv`` pinned to the server core until the block ends; wait for its discovery document."""
    handle = log.open("wb")
    proc = subprocess.Popen(
        ["taskset", "-c", str(SERVER_CORE), *argv],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=cwd,
    )
    server = Server(name, base_url, proc, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        handle.close()


def _wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    url = f"{server.base_url}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited at start; see {server.log}:\n{server.log.read_text()[-2000:]}"
            )
        try:
            if httpx.get(url, timeout=1.0, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not come up within {timeout:.0f}s; see {server.log}")


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A Redis of the benchmark's own on a free port (not the machine's shared one); yields its URL."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "redis.log").open("wb")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(port=port, socket_timeout=0.5).ping():
                    break
            except redis.RedisError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
