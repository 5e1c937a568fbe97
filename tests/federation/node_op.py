"""Run panva's oidc-provider (OpenID Certified, from npm) as an upstream OpenID Provider on loopback.

Usage::

    with run_node_op(clients=[...], accounts={...}) as op:
        op.issuer          # "http://127.0.0.1:<port>", discovery at op.discovery_url

``node_op/op.mjs`` says what the provider does; ``npm ci`` runs once (under a lock) when node_modules does
not match package-lock.json, as ``./dev test`` does.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.node_rp import free_port

NODE_OP_DIR = Path(__file__).resolve().parent / "node_op"
_STAMP = ".nixa-npm-ci.sha256"
_STARTUP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class NodeOP:
    issuer: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((NODE_OP_DIR / name).read_bytes())
    return digest.hexdigest()


def ensure_node_modules() -> None:
    expected = _digest()
    stamp = NODE_OP_DIR / "node_modules" / _STAMP
    pinned = json.loads((NODE_OP_DIR / "package.json").read_text())["dependencies"]["oidc-provider"]
    module = NODE_OP_DIR / "node_modules" / "oidc-provider" / "package.json"

    def installed() -> bool:
        # Installed by this helper (stamp) or by `./dev test` (npm ci): the pinned version is there.
        if stamp.is_file() and stamp.read_text().strip() == expected:
            return True
        return module.is_file() and json.loads(module.read_text()).get("version") == pinned

    if installed():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the upstream OpenID Provider of the federation tests")
    lock_path = (
        Path(tempfile.gettempdir())
        / f"nixa-node-op-{hashlib.sha256(str(NODE_OP_DIR).encode()).hexdigest()[:12]}.lock"
    )
    with open(lock_path, "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            if installed():
                return
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=NODE_OP_DIR,
                check=True,
                capture_output=True,
                timeout=300,
            )
            stamp.write_text(expected + "\n")
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def run_node_op(*, clients: list[dict[str, Any]], accounts: dict[str, Any]) -> Iterator[NodeOP]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed for the upstream OpenID Provider of the federation tests")
    ensure_node_modules()
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "NODE_ENV": "test",
        "NIXA_OP_PORT": str(port),
        "NIXA_OP_CLIENTS": json.dumps(clients),
        "NIXA_OP_ACCOUNTS": json.dumps(accounts),
    }
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [node, "op.mjs"], cwd=NODE_OP_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        issuer = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + _STARTUP_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"oidc-provider exited: {log.read().decode(errors='replace')}")
                try:
                    if (
                        httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1.0).status_code
                        == 200
                    ):
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("oidc-provider did not start")
                time.sleep(0.05)
            yield NodeOP(issuer)
        finally:
            if os.environ.get("NIXA_NODE_OP_LOG"):
                log.seek(0)
                print(log.read().decode(errors="replace"))
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
