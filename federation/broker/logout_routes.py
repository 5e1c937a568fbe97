"""Logout endpoints of the broker for OIDC upstream providers (both directions)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from federation.broker.logout import OidcLogout
from idp.errors import InvalidRequest, OAuthError
from idp.oauth.logout import deliver_due
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.pages import Pages
from idp.web.routes_logout import logout_worker

router = APIRouter()


def after_upstream_logout(request: Request, pages: Pages, next_url: str | None) -> Response:
    """Back from the upstream provider's logout: on to where NIXA's logout was going (a URI the logout
    request validated), or a page saying the person is logged out of both."""
    if next_url:
        return pages.finish(request, RedirectResponse(next_url, status_code=303))
    return pages.render(
        request, "logout_done.html", stayed=False, frontchannel_urls=[], continue_to=None, upstream_done=True
    )


@router.get("/federation/oidc/{name}/logged-out")
def oidc_logged_out(name: str, request: Request, pages: PagesDep, state: str | None = None) -> Response:
    oidc: OidcLogout = request.state.federation_oidc_logout
    try:
        next_url = oidc.state.decode(state)
    except (InvalidRequest, ValueError, KeyError):
        return pages.error(request, "error.not_found", status_code=400)
    return after_upstream_logout(request, pages, next_url)


@router.post("/federation/oidc/{name}/backchannel-logout")
async def oidc_backchannel_logout(name: str, request: Request, op: Provider) -> Response:
    """Back-Channel Logout 1.0 Section 2.8: 200 when the logout succeeded, 400 with an OAuth error body
    when the token is not valid; never cached."""
    form = await form_dict(request)
    oidc: OidcLogout = request.state.federation_oidc_logout
    headers = {"Cache-Control": "no-store"}
    try:
        deliveries = await run_in_threadpool(
            oidc.receive, op.single_logout, name, form.get("logout_token"), client_ip(request)
        )
    except OAuthError as exc:
        return JSONResponse(exc.body(), status_code=400, headers=headers)
    return Response(status_code=200, headers=headers, background=notify_portals(request, op, deliveries))


def notify_portals(request: Request, op: OpenIDProvider, deliveries: list[int]) -> BackgroundTask | None:
    """The portals of the ended sessions are told by NIXA's back-channel logout, off this request."""
    if not deliveries:
        return None
    worker = logout_worker(request.app)
    if worker.running:
        worker.wake()
        return None
    return BackgroundTask(
        deliver_due, op.platform, backoff_base=op.platform.settings.backchannel_backoff_base
    )
