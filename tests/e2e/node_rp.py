"""Run the independent openid-client (panva, OpenID-certified) relying party for end-to-end tests.

Usage::

    from tests.e2e.node_rp import free_port, run_node_rp

    port = free_port()
    # the client must be registered at the IdP with
    #   redirect_uri             http://127.0.0.1:{port}/callback
    #   post_logout_redirect_uri http://127.0.0.1:{port}/logged-out
    #   token_endpoint_auth_method client_secret_basic
    with run_node_rp(issuer, "client-id", "secret", port) as rp_url:
        page.goto(f"{rp_url}/login")  # ... log in at the IdP ...
        page.wait_for_selector("#result")

See ``node_rp/rp.mjs`` for the routes and what the result page contains.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

NODE_RP_DIR = Path(__file__).resolve().parent / "node_rp"
_STAMP_NAME = ".nixa-npm-ci.sha256"
_NPM_CI_TIMEOUT_S = 300.0
_STARTUP_TIMEOUT_S = 30.0  # rp.mjs itself retries discovery for 10 s before giving up


class NodeRPError(RuntimeError):
    """The relying party could not be installed, started, or it died."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update(name.encode())
        digest.update((NODE_RP_DIR / name).read_bytes())
    return digest.hexdigest()


def _is_installed(expected: str) -> bool:
    stamp = NODE_RP_DIR / "node_modules" / _STAMP_NAME
    return (
        stamp.is_file()
        and stamp.read_text().strip() == expected
        and (NODE_RP_DIR / "node_modules" / "openid-client" / "package.json").is_file()
    )


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise NodeRPError(f"{name!r} not found on PATH; Node.js >= 20 and npm are needed for the e2e RP")
    return path


def ensure_node_modules() -> None:
    """Run ``npm ci`` in node_rp/ unless node_modules already matches package-lock.json.

    Guarded by an exclusive file lock so parallel pytest-xdist workers install only once.
    """
    expected = _lock_digest()
    if _is_installed(expected):
        return
    npm = _require_tool("npm")
    dir_key = hashlib.sha256(str(NODE_RP_DIR).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"nixa-e2e-node-rp-{dir_key}.lock"
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            if _is_installed(expected):  # another worker did it while we waited
                return
            proc = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=NODE_RP_DIR,
                capture_output=True,
                text=True,
                timeout=_NPM_CI_TIMEOUT_S,
                check=False,
            )
            if proc.returncode != 0:
                raise NodeRPError(
                    f"npm ci failed in {NODE_RP_DIR} (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
                )
            (NODE_RP_DIR / "node_modules" / _STAMP_NAME).write_text(expected + "\n")
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def _read(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")


def _healthy(base_url: str) -> bool:
    try:
        response = httpx.get(f"{base_url}/health", timeout=1.0, trust_env=False)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.text == "ok"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def run_node_rp(
    issuer: str,
    client_id: str,
    client_secret: str,
    port: int,
    scope: str | None = None,
    extra_auth_params: dict[str, object] | None = None,
) -> Iterator[str]:
    """Start ``node rp.mjs`` against ``issuer`` and yield its base URL ``http://127.0.0.1:{port}``.

    Raises :class:`NodeRPError` (with the RP's stderr) if it exits or does not become healthy.
    If the ``with`` body raises, the RP's stderr (which logs every failed request) is attached
    to that exception as a note.
    """
    ensure_node_modules()
    node = _require_tool("node")
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        ISSUER=issuer,
        CLIENT_ID=client_id,
        CLIENT_SECRET=client_secret,
        PORT=str(port),
        REQUIRE_ISS=env.get("NIXA_RP_REQUIRE_ISS", "1"),
    )
    if scope is not None:
        env["SCOPE"] = scope
    else:
        env.pop("SCOPE", None)
    if extra_auth_params:
        env["EXTRA_AUTH_PARAMS"] = json.dumps(extra_auth_params)
    else:
        env.pop("EXTRA_AUTH_PARAMS", None)

    with tempfile.TemporaryFile() as out_log, tempfile.TemporaryFile() as err_log:
        proc = subprocess.Popen(
            [node, "rp.mjs"],
            cwd=NODE_RP_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out_log,
            stderr=err_log,
        )
        try:
            deadline = time.monotonic() + _STARTUP_TIMEOUT_S
            while not _healthy(base_url):
                if proc.poll() is not None:
                    raise NodeRPError(
                        f"node RP exited with code {proc.returncode} during startup "
                        f"(issuer={issuer}):\n{_read(err_log)}"
                    )
                if time.monotonic() > deadline:
                    raise NodeRPError(
                        f"node RP not healthy at {base_url} after {_STARTUP_TIMEOUT_S:.0f}s:\n"
                        f"{_read(err_log)}"
                    )
                time.sleep(0.1)
            try:
                yield base_url
            except BaseException as exc:
                exc.add_note(f"node RP stderr:\n{_read(err_log)}")
                raise
            if proc.poll() is not None:
                raise NodeRPError(f"node RP died with code {proc.returncode}:\n{_read(err_log)}")
        finally:
            _stop(proc)
