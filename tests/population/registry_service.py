"""A small population registry service for the tests: the API of ``idp.population.connector``.

It answers from a CSV file in the national format, applying the same matching rule as the local registry,
and has switches to misbehave: answer slowly, answer 500 for the next N calls. It counts the calls it gets,
so a test can prove that an open circuit breaker did not call it. Served by uvicorn in a thread on a
loopback port; ``stop()`` makes it "down" (connections are then refused).
"""

from __future__ import annotations

import asyncio
import csv
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from idp.population.local import verdict
from idp.population.names import normalise_name
from tests.population.certs import Pki


@dataclass
class Behaviour:
    delay: float = 0.0  # seconds before answering
    fail_next: int = 0  # answer 500 to this many calls
    reply: tuple[int, object] | None = None  # answer this status and JSON body instead of matching
    calls: int = 0


class RegistryService:
    def __init__(self, csv_path: Path, pki: Pki | None = None) -> None:
        self.pki = pki  # when given: HTTPS, and a client certificate from the same CA is required
        with csv_path.open(newline="", encoding="utf-8") as fh:
            self.rows = {r["personal_id"]: r for r in csv.DictReader(fh)}
        self.behaviour = Behaviour()
        self.app = Starlette(routes=[Route("/v1/match", self._match, methods=["POST"])])
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"{'https' if self.pki else 'http'}://127.0.0.1:{self.port}"

    async def _match(self, request: Request) -> JSONResponse:
        b = self.behaviour
        b.calls += 1
        if b.delay:
            await asyncio.sleep(b.delay)
        if b.fail_next > 0:
            b.fail_next -= 1
            return JSONResponse({"error": "internal"}, status_code=500)
        if b.reply is not None:
            return JSONResponse(b.reply[1], status_code=b.reply[0])
        try:
            body = await request.json()
            pid, name, born = body["personal_id"], body["full_name"], date.fromisoformat(body["birth_date"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "bad request"}, status_code=400)
        row = self.rows.get(pid)
        if row is None:
            return JSONResponse({"status": "no_record", "reason": None})
        result = verdict(
            name_agrees=normalise_name(row["full_name"]) == normalise_name(name),
            birth_date_agrees=row["date_of_birth"] == born.isoformat(),
            deceased=row["status"] == "deceased",
        )
        return JSONResponse({"status": result.status.value, "reason": result.reason})

    def start(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))  # the same port again after stop(), for recovery tests
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1, **self._tls()
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 5
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("registry service did not start")
            time.sleep(0.01)

    def _tls(self) -> dict[str, Any]:
        if not self.pki:
            return {}
        return {
            "ssl_certfile": str(self.pki.server_cert),
            "ssl_keyfile": str(self.pki.server_key),
            "ssl_ca_certs": str(self.pki.ca),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }

    def stop(self) -> None:
        if self._server and self._thread:
            self._server.should_exit = True
            self._thread.join(5)
        self._server = self._thread = None
