"""The operator console's ASGI application: ``create_admin_app(platform, admin_settings)``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from admin.citizens import CitizenPanel
from admin.console_client import console_secret, ensure_console_client
from admin.console_sessions import ConsoleSessions
from admin.credential_panels import default_panels
from admin.name_index import NameIndex
from admin.oidc import OperatorSignIn
from admin.settings import AdminSettings
from admin.web import routes_auth
from admin.web.console import Console, NavEntry
from admin.web.deps import BadForm, NeedsSignIn, NotPermitted
from admin.web.messages import MESSAGES
from admin.web.sections import Section, default_sections
from idp import audit
from idp.account_admin import AccountAdministration
from idp.platform import Platform
from idp.proofing.decisions import VerificationService
from idp.provider import OpenIDProvider
from idp.web.deps import parse_networks
from idp.web.i18n import register_messages
from idp.web.pages import Pages

log = logging.getLogger("nixa.admin")
_HERE = Path(__file__).resolve().parent.parent
_IDP_STATIC = Path(__file__).resolve().parents[2] / "idp" / "web" / "static"


def build_console(
    platform: Platform, admin: AdminSettings, http: httpx.Client, sections: Sequence[Section]
) -> Console:
    settings = platform.settings
    provider = OpenIDProvider(platform)
    with platform.db.session() as s:
        ensure_console_client(s, platform, admin)
    return Console(
        platform=platform,
        admin=admin,
        pages=Pages(
            settings.secrets.csrf,
            settings.default_locale,
            admin.secure_cookies,
            extra_templates=[_HERE / "templates"],
        ),
        provider=provider,
        sign_in=OperatorSignIn(platform.db, platform.issuer, admin, console_secret(platform), http),
        sessions=ConsoleSessions(platform.db, ttl=admin.session_ttl, idle_timeout=admin.idle_timeout),
        verification=VerificationService(platform.db, platform.sealer, provider.identities),
        accounts=AccountAdministration(provider.single_logout, platform.blind_index),
        names=NameIndex(platform.blind_index, provider.identities),
        nav=[(NavEntry(x.key, x.title_key, x.path), x.permission) for x in sections],
    )


def create_admin_app(
    platform: Platform,
    admin: AdminSettings | None = None,
    *,
    http: httpx.Client | None = None,
    sections: Sequence[Section] | None = None,
    citizen_panels: Sequence[CitizenPanel] | None = None,
) -> FastAPI:
    admin = admin or AdminSettings()
    sections = list(default_sections() if sections is None else sections)
    register_messages(MESSAGES)
    for section in sections:
        register_messages(section.messages)
    http = http or httpx.Client(timeout=10.0, trust_env=False)
    app = FastAPI(title="NIXA operator console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console = build_console(platform, admin, http, sections)
    console.citizen_panels = list(default_panels() if citizen_panels is None else citizen_panels)
    # The operator's address in the audit trail, believed from X-Forwarded-For only behind our proxies.
    app.state.trusted_proxies = parse_networks(platform.settings.trusted_proxies)
    _security_headers(app, admin)
    _error_pages(app, console)
    app.include_router(routes_auth.router)
    app.state.sections = sections
    for section in sections:
        app.include_router(section.router)
    app.mount("/static", StaticFiles(directory=_IDP_STATIC), name="static")
    app.mount("/admin-static", StaticFiles(directory=_HERE / "static"), name="admin-static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _security_headers(app: FastAPI, admin: AdminSettings) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        h = response.headers
        h.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "no-referrer")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Cache-Control", "no-store")
        if admin.secure_cookies:
            h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response


def _error_pages(app: FastAPI, console: Console) -> None:
    @app.exception_handler(NeedsSignIn)
    async def needs_sign_in(request: Request, exc: NeedsSignIn) -> Response:
        query = {"next": request.url.path}
        if exc.idle_expired:
            query["idle"] = "1"
        return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)

    @app.exception_handler(NotPermitted)
    async def not_permitted(request: Request, exc: NotPermitted) -> Response:
        with console.platform.db.session() as s:
            audit.record(
                s,
                audit.AuditEvent.OPERATOR_ACCESS_DENIED,
                actor=exc.operator.actor,
                data={"permission": str(exc.permission), "path": request.url.path, "method": request.method},
            )
        return console.render(
            request, "admin/forbidden.html", exc.operator, status_code=403, permission=str(exc.permission)
        )

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, exc: BadForm) -> Response:
        return console.render(
            request,
            "admin/error.html",
            getattr(request.state, "operator", None),
            status_code=400,
            key=exc.key,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "admin.error.not_found", 405: "admin.error.not_found"}.get(
            exc.status_code, "admin.error.server"
        )
        return console.render(
            request,
            "admin/error.html",
            getattr(request.state, "operator", None),
            status_code=exc.status_code,
            key=key,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return console.render(
            request,
            "admin/error.html",
            getattr(request.state, "operator", None),
            status_code=400,
            key="admin.error.bad_request",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The log keeps the type and place, never request data or personal data.
        log.exception("unexpected error on %s", request.url.path)
        return console.render(request, "admin/error.html", None, status_code=500, key="admin.error.server")
