"""The machine-to-machine endpoints as one plain ASGI layer: token, UserInfo, introspection, revocation, JWKS.

Portals call these thousands of times a second and no person ever sees them, so they need none of what
the pages need (templates, CSRF, dependency injection, per-route exception handlers). Measured with
``python -m bench.profile``, FastAPI's routing over some two hundred routes, its middleware stack and its
dependency resolution cost more per request than verifying the access token. The application
(``idp.web.app.IdPApp``) hands these five paths to this layer before FastAPI's own stack (its error,
telemetry and body-limit middleware) sees them, and this layer sets the same security headers itself.

Errors are answered here in the protocol's own format (RFC 6749 Section 5.2, RFC 6750 Section 3), and an
unexpected exception becomes ``server_error`` with nothing of the request in the log or the answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from idp.errors import InvalidRequest, MissingBearer, OAuthError
from idp.params import DUPLICATE, mark_repeats
from idp.provider import OpenIDProvider
from idp.web.deps import IPNetwork, resolve_client_ip

log = logging.getLogger("nixa.web")
T = TypeVar("T")

# A token request with a client assertion and a request object stays well under this; anything larger is
# refused before it is read to the end, so a client cannot make a worker buffer megabytes.
MAX_BODY = 256 * 1024
FORM = "application/x-www-form-urlencoded"
NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))


class Reply:
    """One answer: status, body, content type and extra headers."""

    __slots__ = ("body", "headers", "media_type", "status")

    def __init__(
        self,
        body: bytes,
        *,
        status: int = 200,
        media_type: str = "application/json",
        headers: tuple[tuple[bytes, bytes], ...] = NO_STORE,
    ) -> None:
        self.body, self.status, self.media_type, self.headers = body, status, media_type, headers

    @classmethod
    def json(cls, value: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        extra = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items())
        return cls(_dumps(value), status=status, headers=NO_STORE + extra)

    async def send(
        self, send: Send, *, head: bool = False, security: tuple[tuple[bytes, bytes], ...] = ()
    ) -> None:
        """``head``: the headers a GET would get, Content-Length included (RFC 9110 Section 9.3.2), and no
        content. ``security``: the headers every NIXA response carries."""
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [
                    (b"content-type", self.media_type.encode("latin-1")),
                    (b"content-length", str(len(self.body)).encode("latin-1")),
                    *self.headers,
                    *security,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if head else self.body})


def _dumps(value: Any) -> bytes:
    # The same bytes Starlette's JSONResponse writes: UTF-8, compact, no escaping of Vietnamese letters.
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class Call:
    """What a handler reads from the request."""

    __slots__ = ("body", "client_ip", "headers", "method")

    def __init__(self, method: str, headers: Headers, body: bytes, client_ip: str | None) -> None:
        self.method, self.headers, self.body, self.client_ip = method, headers, body, client_ip

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def is_form(self) -> bool:
        return self.headers.get("content-type", "").split(";")[0].strip().lower() == FORM

    def form(self) -> dict[str, str]:
        """Form fields as single strings; a repeated one is marked so the caller can refuse it."""
        if not self.is_form:
            # RFC 6749 Section 3.2 (token) and RFC 7662 Section 2.1 / RFC 7009 Section 2.1: parameters are
            # sent in the application/x-www-form-urlencoded format.
            raise InvalidRequest("the request body must be application/x-www-form-urlencoded")
        try:
            text = self.body.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise InvalidRequest("the form is not valid UTF-8 url-encoded data") from None
        return mark_repeats(pairs)


def single_values(params: dict[str, str]) -> dict[str, str]:
    """RFC 6749 Section 3.1: request parameters MUST NOT be included more than once."""
    if dup := [k for k, v in params.items() if v == DUPLICATE]:
        raise InvalidRequest(f"parameter repeated: {dup[0][:40]}")
    return params


Handler = Callable[["ProtocolAPI", Call], Awaitable[Reply]]


class ProtocolAPI:
    """An ASGI application for the protocol endpoints only (``handles`` tells which paths)."""

    def __init__(
        self,
        *,
        provider: OpenIDProvider,
        trusted_proxies: list[IPNetwork],
        security_headers: tuple[tuple[str, str], ...],
        threads: int = 4,
    ) -> None:
        self.op = provider
        self.trusted = trusted_proxies
        self.security = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in security_headers)
        self.threads = threads
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="nixa-api")
        self.routes: dict[str, tuple[tuple[str, ...], Handler]] = {
            "/token": (("POST",), ProtocolAPI.token),
            "/userinfo": (("GET", "POST"), ProtocolAPI.userinfo),
            "/introspect": (("POST",), ProtocolAPI.introspect),
            "/revoke": (("POST",), ProtocolAPI.revoke),
            "/jwks": (("GET", "HEAD"), ProtocolAPI.jwks),
        }

    def handles(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope["path"] in self.routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods, handler = self.routes[scope["path"]]
        reply = await self._answer(scope, receive, methods, handler)
        await reply.send(send, head=scope["method"] == "HEAD", security=self.security)

    async def _answer(
        self, scope: Scope, receive: Receive, methods: tuple[str, ...], handler: Handler
    ) -> Reply:
        if scope["method"] not in methods:
            allow = ", ".join(methods).encode("latin-1")
            return Reply(
                _dumps({"error": "invalid_request"}), status=405, headers=(*NO_STORE, (b"allow", allow))
            )
        try:
            headers = Headers(scope=scope)
            body = await _read_body(receive, headers)
            peer = scope.get("client")
            ip = resolve_client_ip(peer[0] if peer else None, headers.get("x-forwarded-for"), self.trusted)
            return await handler(self, Call(scope["method"], headers, body, ip))
        except OAuthError as exc:
            if exc.detail:
                log.info("oauth error %s on %s: %s", exc.error, scope["path"], exc.detail)
            return Reply.json(exc.body(), status=exc.status_code, headers=exc.headers())
        except _BodyTooLarge:
            too_large = {"error": "invalid_request", "error_description": "the request is too large"}
            return Reply.json(too_large, status=413)
        except Exception:
            # The log keeps the type and place (the traceback), never the request's data.
            log.exception("unexpected error on %s", scope["path"])
            return Reply.json({"error": "server_error"}, status=500)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Blocking provider work (database, signing) on the endpoints' own thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    # -- endpoints ----------------------------------------------------------------------------------
    async def token(self, call: Call) -> Reply:
        form = single_values(call.form())
        body = await self._run(self.op.token, call.authorization, form, call.client_ip)
        return Reply.json(body)

    async def userinfo(self, call: Call) -> Reply:
        # OIDC Core 5.3.1: the access token may come in a form body (RFC 6750 Section 2.2); any other body
        # is not ours to read.
        form = call.form() if call.method == "POST" and call.is_form else {}
        token = _bearer(call.authorization, form)
        signed, value = await self._run(self.op.userinfo_response, token)
        if signed is not None:
            return Reply(signed.encode("ascii"), media_type="application/jwt")
        return Reply.json(value)

    async def introspect(self, call: Call) -> Reply:
        form = single_values(call.form())
        return Reply.json(await self._run(self.op.introspect, call.authorization, form))

    async def revoke(self, call: Call) -> Reply:
        form = single_values(call.form())
        await self._run(self.op.revoke, call.authorization, form, call.client_ip)
        return Reply(b"", headers=NO_STORE)

    async def jwks(self, call: Call) -> Reply:
        return Reply(
            _dumps(self.op.platform.keys.public_jwks()),
            media_type="application/jwk-set+json",
            headers=((b"cache-control", b"public, max-age=60"),),
        )


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, headers: Headers) -> bytes:
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _bearer(authorization: str | None, form: dict[str, str]) -> str:
    header = authorization or ""
    from_header = header[7:].strip() if header[:7].lower() == "bearer " else None
    from_body = form.get("access_token")
    if from_body == DUPLICATE:
        raise InvalidRequest("parameter repeated: access_token")
    if from_header and from_body:
        # RFC 6750 Section 2: clients MUST NOT use more than one method to send the token.
        raise InvalidRequest("access token sent in more than one way")
    token = from_header or from_body
    if not token:
        raise MissingBearer()
    return token
