"""The broker's pages on the IdP origin: going upstream, coming back, the first-login choice, and the
citizen's linked providers.

Routes parse, call the ``Broker`` and the ``OpenIDProvider``, respond; protocol logic lives in the broker.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from federation.broker.errors import UpstreamLoginRefused
from federation.broker.linked_accounts import linked_for_cookie, unlink_for_cookie
from federation.broker.service import Broker, BrokeredLogin
from idp.errors import InvalidPageRequest
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.i18n import translate
from idp.web.pages import BROWSER_COOKIE, SESSION_COOKIE, Pages
from idp.web.routes_interaction import finish_login

LINK_CSRF = "federation:link"
LINKED_CSRF = "federation:linked"


def broker_of(request: Request) -> Broker:
    broker: Broker = request.state.federation_broker
    return broker


def refused(
    request: Request, pages: Pages, exc: UpstreamLoginRefused, interaction_id: str | None
) -> Response:
    status = 502 if exc.message_key == "federation.error.unavailable" else 400
    return pages.render(
        request,
        "federation_error.html",
        status_code=status,
        error_key=exc.message_key,
        back_to=f"/interaction/{interaction_id}" if interaction_id else None,
    )


async def complete(request: Request, pages: Pages, op: OpenIDProvider, login: BrokeredLogin) -> Response:
    """Start the NIXA session for a brokered login (amr ``fed``) and carry the authorization on."""
    if login.link_ticket is not None:
        return pages.finish(
            request, RedirectResponse(f"/federation/link/{login.link_ticket}", status_code=303)
        )
    identity_id = login.resolution.identity_id
    assert identity_id is not None
    broker = broker_of(request)
    level = login.auth_level(await run_in_threadpool(broker.identity_level, identity_id))
    try:
        outcome = await run_in_threadpool(
            lambda: op.complete_external_login(
                login.interaction_id,
                request.cookies.get(BROWSER_COOKIE),
                identity_id=identity_id,
                auth_level=level,
                amr=["fed"],  # RFC 8176 Section 2: fed, federated authentication
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
                audit_data=login.audit_data(),
            )
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    if outcome.session_cookie:
        await run_in_threadpool(broker.remember_session, outcome.session_cookie, login)
    return finish_login(request, pages, op, outcome)


router = APIRouter()


@router.get("/federation/login/{name}/{interaction_id}")
async def go_upstream(
    name: str, interaction_id: str, request: Request, op: Provider, pages: PagesDep
) -> Response:
    browser = request.cookies.get(BROWSER_COOKIE)
    try:
        view = await run_in_threadpool(op.view, interaction_id, browser, None)
        broker = broker_of(request)
        protocol = await run_in_threadpool(broker.protocol_of, name)
        start = broker.start_oidc if protocol == "oidc" else request.state.federation_saml.start
        url = await run_in_threadpool(start, name, interaction_id, browser or "", view.request.min_level)
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    except UpstreamLoginRefused as exc:
        return refused(request, pages, exc, interaction_id)
    return pages.finish(request, RedirectResponse(url, status_code=303))


@router.get("/federation/oidc/{name}/callback")
async def oidc_callback(name: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    params = {k: v for k, v in request.query_params.items()}
    try:
        login = await run_in_threadpool(
            broker_of(request).finish_oidc,
            name,
            params,
            request.cookies.get(BROWSER_COOKIE),
            client_ip(request),
        )
    except UpstreamLoginRefused as exc:
        return refused(request, pages, exc, None)
    return await complete(request, pages, op, login)


@router.get("/federation/link/{ticket}")
async def link_page(ticket: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    try:
        return await _choice_page(request, op, pages, ticket)
    except UpstreamLoginRefused as exc:
        return refused(request, pages, exc, None)
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)


async def _choice_page(
    request: Request,
    op: OpenIDProvider,
    pages: Pages,
    ticket: str,
    *,
    username: str = "",
    error: str | None = None,
) -> Response:
    browser = request.cookies.get(BROWSER_COOKIE)
    trip, provider, _ = await run_in_threadpool(broker_of(request).pending_choice, ticket, browser)
    view = await run_in_threadpool(op.view, trip.interaction_id, browser, None)
    return pages.render(
        request,
        "federation_link.html",
        status_code=401 if error else 200,
        ticket=ticket,
        provider_name=provider.display_name,
        username=username,
        error=error,
        csrf_token=pages.csrf_token(request, LINK_CSRF),
        page_path=f"/federation/link/{ticket}",
        # The answer to the form may be the redirect to the portal: form-action must allow its origin.
        form_targets=[view.request.redirect_uri],
    )


@router.post("/federation/link/{ticket}")
async def link_choice(ticket: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, LINK_CSRF, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    broker = broker_of(request)
    browser = request.cookies.get(BROWSER_COOKIE)
    create = form.get("choice") == "create"
    username = form.get("username", "").strip()
    try:
        login, error_key = await run_in_threadpool(
            lambda: broker.choose(
                ticket,
                browser,
                create=create,
                username=username,
                password=form.get("password", ""),
                ip=client_ip(request),
            )
        )
    except UpstreamLoginRefused as exc:
        return refused(request, pages, exc, None)
    if login is None:
        message = translate(error_key or "login.failed", pages.locale(request), time="")
        try:
            return await _choice_page(request, op, pages, ticket, username=username, error=message)
        except (UpstreamLoginRefused, InvalidPageRequest):
            return pages.error(request, "error.interaction_expired")
    return await complete(request, pages, op, login)


@router.get("/account/linked")
async def linked(request: Request, op: Provider, pages: PagesDep, notice: str | None = None) -> Response:
    broker = broker_of(request)
    links = await run_in_threadpool(linked_for_cookie, broker, request.cookies.get(SESSION_COOKIE))
    return pages.render(
        request,
        "federation_linked.html",
        status_code=200 if links is not None else 401,
        logged_in=links is not None,
        links=links or [],
        notice="federation.linked.removed" if notice == "removed" else None,
        csrf_token=pages.csrf_token(request, LINKED_CSRF),
    )


@router.post("/account/linked/{link_id}/remove")
async def remove_link(link_id: int, request: Request, pages: PagesDep) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, LINKED_CSRF, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    broker = broker_of(request)
    removed = await run_in_threadpool(
        unlink_for_cookie, broker, request.cookies.get(SESSION_COOKIE), link_id, client_ip(request)
    )
    if not removed:
        return pages.error(request, "error.not_found", status_code=404)
    return pages.finish(request, RedirectResponse("/account/linked?notice=removed", status_code=303))


@router.get("/federation/oidc/{name}/jwks")
async def client_jwks(name: str, request: Request, pages: PagesDep) -> Response:
    """The public key of NIXA's private_key_jwt client at this provider (RFC 7517 JWK Set)."""
    keys = await run_in_threadpool(broker_of(request).client_public_jwks, name)
    if keys is None:
        return pages.error(request, "error.not_found", status_code=404)
    return JSONResponse(keys, headers={"Cache-Control": "max-age=300"})
