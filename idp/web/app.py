"""The IdP's ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from idp.config import Settings
from idp.errors import OAuthError
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web import (
    routes_account,
    routes_factors,
    routes_interaction,
    routes_logout,
    routes_oidc,
    routes_proofing,
    routes_registration,
    routes_selflogin,
    routes_selfservice,
    routes_signup,
)
from idp.web.deps import parse_networks
from idp.web.extensions import Extension
from idp.web.i18n import register_messages
from idp.web.login_path import LoginPath
from idp.web.pages import Pages
from idp.web.protocol_api import ProtocolAPI
from idp.web.security_headers import SecurityHeaders, security_headers

log = logging.getLogger("nixa.web")
_API_PREFIXES = ("/token", "/userinfo", "/introspect", "/revoke", "/register", "/jwks", "/.well-known")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(_API_PREFIXES)


class IdPApp(FastAPI):
    """FastAPI, with the protocol endpoints (``ProtocolAPI``) and the pages on a login's path
    (``LoginPath``) answered before FastAPI's own middleware and router."""

    protocol_api: ProtocolAPI | None = None
    login_path: LoginPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = self.protocol_api
        if api is not None and api.handles(scope):
            await api(scope, receive, send)
            return
        if self.login_path is not None and await self.login_path.serve(scope, receive, send):
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    platform: Platform | None = None,
    extensions: Sequence[Extension] = (),
) -> FastAPI:
    platform = platform or Platform(settings or Settings())
    settings = platform.settings
    platform.keys.ensure_keys()
    app = IdPApp(title="NIXA OpenID Provider", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.platform = platform
    app.state.provider = OpenIDProvider(platform)
    app.state.provider.use_client_resolvers([r for ext in extensions for r in ext.client_resolvers])
    # Validated at start: a typo in NIXA_TRUSTED_PROXIES must stop the server, not silently trust nobody.
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.state.pages = Pages(
        settings.secrets.csrf,
        settings.default_locale,
        settings.secure_cookies,
        extra_templates=[d for ext in extensions for d in ext.template_dirs],
    )
    app.state.login_methods = [m for ext in extensions for m in ext.login_methods]
    app.state.discovery_extra = [ext.discovery for ext in extensions if ext.discovery is not None]
    app.state.session_end_hooks = [e.on_session_ended for e in extensions if e.on_session_ended is not None]
    app.state.pages.env.globals["account_links"] = [link for ext in extensions for link in ext.account_links]
    for ext in extensions:
        register_messages(ext.messages)
        app.state.provider.extension_grants.update(ext.token_grants)

    app.protocol_api = ProtocolAPI(
        provider=app.state.provider,
        trusted_proxies=app.state.trusted_proxies,
        security_headers=security_headers(hsts=settings.secure_cookies),
        threads=settings.api_threads,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)

    @app.exception_handler(OAuthError)
    async def oauth_error(request: Request, exc: OAuthError) -> Response:
        if exc.detail:
            log.info("oauth error %s on %s: %s", exc.error, request.url.path, exc.detail)
        return JSONResponse(
            exc.body(),
            status_code=exc.status_code,
            headers={"Cache-Control": "no-store", "Pragma": "no-cache", **exc.headers()},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            code = "invalid_request" if exc.status_code < 500 else "server_error"
            return JSONResponse({"error": code}, status_code=exc.status_code)
        key = {404: "error.not_found", 405: "error.method"}.get(exc.status_code, "error.server")
        return app.state.pages.error(request, key, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        return app.state.pages.error(request, "error.not_found", status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Anything unexpected becomes server_error; the log keeps the type and place, never request data.
        log.exception("unexpected error on %s", request.url.path)
        if _wants_json(request):
            return JSONResponse(
                {"error": "server_error"}, status_code=500, headers={"Cache-Control": "no-store"}
            )
        return app.state.pages.error(request, "error.server", status_code=500)

    app.include_router(routes_oidc.router)
    app.include_router(routes_interaction.router)
    app.include_router(routes_account.router)
    app.include_router(routes_logout.router)
    app.include_router(routes_registration.router)
    app.include_router(routes_signup.router)
    app.include_router(routes_selflogin.router)
    app.include_router(routes_selfservice.router)
    app.include_router(routes_factors.router)
    app.include_router(routes_proofing.router)
    for ext in extensions:
        for router in ext.routers:
            app.include_router(router)
    # LoginPath takes its endpoints from the routes the two routers (included above, with no prefix and
    # no dependencies of their own) hold.
    app.login_path = LoginPath(
        app,
        [*routes_oidc.router.routes, *routes_interaction.router.routes],
        [
            routes_oidc.authorize_get,
            routes_oidc.authorize_post,
            routes_interaction.show,
            routes_interaction.login,
            routes_interaction.consent,
            routes_interaction.select,
        ],
        hsts=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
