"""Security headers on every response, as a plain ASGI middleware.

Starlette's ``@app.middleware("http")`` (BaseHTTPMiddleware) runs each request through an extra task and
memory streams; measured with ``python -m bench.profile`` it cost more per request than the JWKS endpoint
itself. Adding headers to the ``http.response.start`` message does the same work without that.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASELINE = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def security_headers(*, hsts: bool) -> tuple[tuple[str, str], ...]:
    """The headers every response carries; HSTS only where NIXA is served over https."""
    return (*BASELINE, HSTS) if hsts else BASELINE


class SecurityHeaders:
    """Sets each header unless the route set its own (a page with its own CSP keeps it)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = security_headers(hsts=hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        await self.app(scope, receive, with_headers(send, self.headers))


def with_headers(send: Send, headers: tuple[tuple[str, str], ...]) -> Send:
    """``send``, setting each of ``headers`` on the response unless the response set its own."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = MutableHeaders(scope=message)
            for name, value in headers:
                present.setdefault(name, value)
        await send(message)

    return send_with_headers
