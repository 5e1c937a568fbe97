"""The pages on every login's path, found without FastAPI's router: authorize and the interaction pages.

A password login crosses three of them (GET /authorize, the login page, the login form's POST). Measured
over ASGI on one request at a time, FastAPI's router (some two hundred routes in nested routers), its
dependency resolution and its middleware stack cost 150 to 250 µs of CPU per page, besides the page
itself. ``IdPApp`` hands these paths to this layer before that stack sees them.

Nothing of what the pages do is written twice: the endpoints are the functions FastAPI's routes hold,
taken from those routes, with the same path patterns and methods. This layer gives them the two values
their dependencies would (the provider and the pages), runs a synchronous endpoint in the thread pool as
FastAPI does, answers an exception with the application's own exception handlers, and adds the same
security headers (``with_headers``, as ``SecurityHeaders`` does). Any other method on these paths (HEAD,
or a POST where only GET exists) and any other path goes on to FastAPI, which answers it as before.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from idp.web.security_headers import security_headers, with_headers

# What a hot endpoint may ask for: path parameters and these. A hot endpoint that comes to need another
# dependency is refused when the application is built, not answered without it.
_GIVEN = ("request", "op", "pages")


@dataclass(frozen=True)
class _Page:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    convertors: dict[str, Any]
    endpoint: Callable[..., Any]
    is_async: bool


class LoginPath:
    """An ASGI layer over the application ``app`` for the routes whose endpoints are ``endpoints``."""

    def __init__(
        self, app: Any, routes: Iterable[BaseRoute], endpoints: Iterable[Callable[..., Any]], *, hsts: bool
    ) -> None:
        wanted = set(endpoints)
        self.app = app
        self.pages: list[_Page] = []
        for route in routes:
            if isinstance(route, APIRoute) and route.endpoint in wanted:
                self.pages.append(_page(route))
                wanted.discard(route.endpoint)
        if wanted:
            missing = ", ".join(sorted(f.__name__ for f in wanted))
            raise ValueError(f"no route holds these endpoints: {missing}")
        self.prefixes = tuple(sorted({_literal_prefix(p.pattern) for p in self.pages}))
        self.headers = security_headers(hsts=hsts)

    def find(self, scope: Scope) -> tuple[_Page, dict[str, Any]] | None:
        """The page for this request and its path parameters, or None for FastAPI to answer."""
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            return None
        method = scope["method"]
        for page in self.pages:
            if method in page.methods and (m := page.pattern.match(scope["path"])):
                params = {k: page.convertors[k].convert(v) for k, v in m.groupdict().items()}
                return page, params
        return None

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer the request if it is for one of these pages; False (nothing sent) if it is not."""
        found = self.find(scope)
        if found is None:
            return False
        await self._answer(found, scope, receive, with_headers(send, self.headers))
        return True

    async def _answer(
        self, found: tuple[_Page, dict[str, Any]], scope: Scope, receive: Receive, send: Send
    ) -> None:
        page, params = found
        scope["app"] = self.app
        scope["path_params"] = params
        request = Request(scope, receive)
        state = self.app.state
        kwargs = {**params, "request": request, "op": state.provider, "pages": state.pages}
        try:
            if page.is_async:
                response: Response = await page.endpoint(**kwargs)
            else:
                response = await run_in_threadpool(page.endpoint, **kwargs)
        except Exception as exc:
            # The handlers the application registered (app.py), found as Starlette finds them: by the
            # exception's class, nearest first. NIXA's app has one for ``Exception``.
            handlers = self.app.exception_handlers
            handler = next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)
            if handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
        await response(scope, receive, send)


def _page(route: APIRoute) -> _Page:
    names = set(inspect.signature(route.endpoint).parameters)
    if unknown := names - set(route.param_convertors) - set(_GIVEN):
        raise ValueError(f"{route.path}: the login path cannot give {', '.join(sorted(unknown))}")
    return _Page(
        frozenset(route.methods or ()),
        route.path_regex,
        dict(route.param_convertors),
        route.endpoint,
        inspect.iscoroutinefunction(route.endpoint),
    )


def _literal_prefix(pattern: re.Pattern[str]) -> str:
    """The literal start of a route's path pattern ("^/interaction/(?P<...": "/interaction/")."""
    source = pattern.pattern.removeprefix("^")
    literal = re.match(r"[A-Za-z0-9_/.\-]*", source)
    return literal.group(0) if literal else "/"
