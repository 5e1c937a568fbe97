"""The IdP served by a real uvicorn on a loopback port, for end-to-end tests.

Usage (normally through the ``live_idp`` fixture of ``tests/e2e/conftest.py``)::

    with serve_idp(tmp_path, database_url) as idp:
        idp.base_url   # "http://127.0.0.1:<port>", also the issuer
        idp.platform   # the Platform behind it (same database), e.g. for make_portal
        idp.provider   # the OpenIDProvider, e.g. for make_citizen

The e2e tests are skipped only when Debian's Chromium or Node.js is not installed
(:func:`require_e2e_tools`). Set ``NIXA_E2E_REQUIRED=1`` to turn that skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from idp.config import Settings
from idp.platform import Platform
from idp.provider import OpenIDProvider
from nixa.composition import build_idp_app
from tests.e2e.browser import chromium_executable

_STARTUP_TIMEOUT_S = 15.0
_SHUTDOWN_TIMEOUT_S = 10.0


@dataclass
class LiveIdP:
    """A running IdP: its issuer/base URL and the objects behind it (same process, same database)."""

    base_url: str
    platform: Platform
    provider: OpenIDProvider
    app: FastAPI

    @property
    def issuer(self) -> str:
        return self.base_url


def missing_e2e_tools() -> list[str]:
    missing = []
    exe = chromium_executable()
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        missing.append(f"Chromium ({exe})")
    if shutil.which("node") is None:
        missing.append("Node.js (node on PATH)")
    return missing


def require_e2e_tools() -> None:
    """Skip if Chromium or node is absent (fail instead when ``NIXA_E2E_REQUIRED=1``).

    Deliberately narrow: nothing else (Playwright not installed, a browser that does not start, npm
    errors, an IdP that does not come up) becomes a skip, so with the tools installed every problem fails.
    """
    missing = missing_e2e_tools()
    if not missing:
        return
    reason = "end-to-end tests need " + " and ".join(missing) + ", which is not installed"
    if os.environ.get("NIXA_E2E_REQUIRED") == "1":
        pytest.fail(reason + " (NIXA_E2E_REQUIRED=1)")
    pytest.skip(reason)


class _ServerThread(threading.Thread):
    def __init__(self, server: uvicorn.Server, sock: socket.socket) -> None:
        super().__init__(name=f"uvicorn-e2e-{sock.getsockname()[1]}", daemon=True)
        self.server = server
        self.sock = sock
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.server.run(sockets=[self.sock])
        except BaseException as exc:  # SystemExit from a failed lifespan startup included
            self.error = exc


def _wait_healthy(base_url: str, thread: _ServerThread, path: str = "/healthz") -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    last: object = None
    with httpx.Client(timeout=1.0, trust_env=False) as http:
        while time.monotonic() < deadline:
            if not thread.is_alive():
                raise RuntimeError(f"uvicorn exited during startup: {thread.error!r}")
            try:
                response = http.get(f"{base_url}{path}")
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.05)
    raise RuntimeError(f"server at {base_url} not healthy after {_STARTUP_TIMEOUT_S:.0f}s (last: {last!r})")


def loopback_socket(host: str = "127.0.0.1") -> tuple[socket.socket, str]:
    """Bind first and hand the socket to uvicorn: the port is known up front and nobody can take it.

    The socket is always bound to 127.0.0.1; ``host`` is only the name used in the returned base URL
    (e.g. ``"localhost"``, which WebAuthn accepts as an RP ID where an IP address is refused).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://{host}:{sock.getsockname()[1]}"


@contextlib.contextmanager
def serve_asgi(
    app: Any, sock: socket.socket, base_url: str, *, health_path: str = "/healthz"
) -> Iterator[None]:
    """Serve an ASGI app on the bound socket until the block ends; fail if it does not start or stop."""
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = _ServerThread(server, sock)
    thread.start()
    try:
        _wait_healthy(base_url, thread, health_path)
        yield
    finally:
        server.should_exit = True
        thread.join(_SHUTDOWN_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_SHUTDOWN_TIMEOUT_S)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"uvicorn serving {base_url} did not shut down")


@contextlib.contextmanager
def serve_idp(
    tmp_path: Path, database_url: str, *, host: str = "127.0.0.1", **overrides: Any
) -> Iterator[LiveIdP]:
    """Build settings, platform and app for a fresh loopback port and serve them until the block ends.

    ``host`` names the issuer's host (the socket is bound to 127.0.0.1 either way); ``overrides`` are
    further :class:`Settings` fields, e.g. ``smtp_port=...`` for an in-test SMTP server.
    """
    sock, base_url = loopback_socket(host)
    settings = Settings(
        issuer=base_url,
        data_dir=tmp_path / "data",
        database_url=database_url,
        argon2_memory_kib=1024,  # fast hashing for tests; the production defaults are tested on their own
        argon2_time_cost=1,
        rsa_key_bits=2048,
        backchannel_backoff_base=0.05,
        **overrides,
    )
    platform = Platform(settings)
    try:
        app = build_idp_app(platform)  # with this build's extensions (wallet, ...)
        with serve_asgi(app, sock, base_url):
            yield LiveIdP(base_url=base_url, platform=platform, provider=app.state.provider, app=app)
    finally:
        platform.close()
