"""The wallet's redirect endpoint for the authorization code flow: a one-shot loopback HTTP listener
(RFC 8252 Section 7.3, native apps), answering the browser with a short page and handing back the query."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

DONE_PAGE = (
    "<!doctype html><html lang=vi><meta charset=utf-8><title>NIXA</title>"
    "<p>Đã xong, bạn có thể quay lại ví. / Done, you can go back to the wallet.</p></html>"
).encode()


class LoopbackRedirect:
    """Listens on the host and port of ``redirect_uri`` (a loopback address) for one redirect."""

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "::1") or not parts.port:
            raise ValueError("the redirect URI must be http://127.0.0.1:<port>/... (RFC 8252 Section 7.3)")
        self.redirect_uri = redirect_uri
        self._path = parts.path or "/"
        self._got = threading.Event()
        self._params: dict[str, str] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != outer._path or outer._got.is_set():
                    self.send_error(404)
                    return
                outer._params = {k: v[0] for k, v in parse_qs(url.query).items()}
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(DONE_PAGE)
                outer._got.set()

            def log_message(self, format: str, *args: Any) -> None:  # the code is a secret: no access log
                return

        self._server = HTTPServer((parts.hostname, parts.port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="wallet-loopback", daemon=True
        )

    def __enter__(self) -> LoopbackRedirect:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def wait(self, timeout: float) -> dict[str, str]:
        """The redirect's query parameters (code and state, or error); TimeoutError if none came."""
        if not self._got.wait(timeout):
            raise TimeoutError("no redirect arrived")
        return dict(self._params)
