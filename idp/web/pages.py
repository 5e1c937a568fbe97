"""Rendering of people-facing pages: locale choice, browser binding, CSRF tokens and CSP."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from idp.crypto import constant_time_equal, hmac_token, new_token
from idp.web.i18n import LOCALES, translate

BROWSER_COOKIE = "nixa_browser"
SESSION_COOKIE = "nixa_session"
LANG_COOKIE = "nixa_lang"
_TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    def __init__(
        self,
        csrf_secret: bytes,
        default_locale: str,
        secure_cookies: bool,
        *,
        extra_templates: Sequence[Path] = (),
    ) -> None:
        # The IdP's own templates come first: an extension can add pages but not replace ours.
        loader = FileSystemLoader([_TEMPLATES, *extra_templates])
        self.env = Environment(loader=loader, autoescape=select_autoescape(["html"]))
        self.csrf_secret = csrf_secret
        self.default_locale = default_locale
        self.secure = secure_cookies

    # -- locale and browser binding -----------------------------------------------------------------
    def locale(self, request: Request, preferred: list[str] | None = None) -> str:
        for tag in preferred or []:
            if tag.split("-")[0].lower() in LOCALES:
                return tag.split("-")[0].lower()
        cookie = request.cookies.get(LANG_COOKIE)
        return cookie if cookie in LOCALES else self.default_locale

    def browser_id(self, request: Request) -> str:
        """A random per-browser id (HttpOnly cookie) binding interactions and CSRF tokens to the browser."""
        existing: str | None = getattr(request.state, "browser_id", None) or request.cookies.get(
            BROWSER_COOKIE
        )
        if existing and 20 <= len(existing) <= 64:
            return existing
        request.state.browser_id = new_token(24)
        request.state.set_browser_cookie = True
        return str(request.state.browser_id)

    def set_cookie(self, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
        response.set_cookie(
            name, value, max_age=max_age, httponly=True, secure=self.secure, samesite="lax", path="/"
        )

    def finish(self, request: Request, response: Response) -> Response:
        if getattr(request.state, "set_browser_cookie", False):
            self.set_cookie(response, BROWSER_COOKIE, request.state.browser_id)
        return response

    # -- CSRF -------------------------------------------------------------------------------------------
    def csrf_token(self, request: Request, purpose: str) -> str:
        return hmac_token(self.csrf_secret, "csrf", self.browser_id(request), purpose)

    def csrf_ok(self, request: Request, purpose: str, token: str | None) -> bool:
        browser = request.cookies.get(BROWSER_COOKIE)
        if not browser or not token:
            return False
        return constant_time_equal(hmac_token(self.csrf_secret, "csrf", browser, purpose), token)

    # -- rendering --------------------------------------------------------------------------------------
    def render(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        locale: str | None = None,
        form_targets: list[str] | None = None,
        frame_targets: list[str] | None = None,
        **context: Any,
    ) -> Response:
        loc = locale or self.locale(request)
        nonce = secrets.token_urlsafe(16)
        # The language switch returns to this page: after a POST, to the page's GET address instead.
        path = str(context.pop("page_path", "")) or (
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
            if request.method == "GET"
            else "/"
        )
        html = self.env.get_template(template).render(
            t=lambda key, **kw: translate(key, loc, **kw),
            locale=loc,
            nonce=nonce,
            current_path=path,
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Security-Policy"] = csp(nonce, form_targets or [], frame_targets or [])
        response.headers["Cache-Control"] = "no-store"
        return self.finish(request, response)

    def error(self, request: Request, key: str, status_code: int = 400) -> Response:
        return self.render(request, "error.html", status_code=status_code, error_key=key)


def origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def csp(nonce: str, form_targets: list[str], frame_targets: list[str]) -> str:
    """Strict CSP. form-action also governs the redirect after a form post: the portal's origin is named."""
    forms = " ".join(["'self'", *sorted({origin(u) for u in form_targets})])
    frames = " ".join(sorted({origin(u) for u in frame_targets})) or "'none'"
    return (
        # connect-src: the passkey pages fetch their WebAuthn options from this origin.
        f"default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'nonce-{nonce}'; "
        "connect-src 'self'; "
        f"form-action {forms}; frame-src {frames}; frame-ancestors 'none'; base-uri 'none'"
    )
