"""SAML 2.0 endpoints of the broker: SP metadata, assertion consumer service, single logout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from federation.broker.errors import UpstreamLoginRefused
from federation.broker.logout_routes import after_upstream_logout, notify_portals
from federation.broker.routes import complete, refused
from idp.oauth.logout import SingleLogout
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.pages import BROWSER_COOKIE

if TYPE_CHECKING:
    from federation.broker.saml_upstream import SamlBroker

router = APIRouter()


def saml_of(request: Request) -> SamlBroker:
    saml: SamlBroker = request.state.federation_saml
    return saml


@router.get("/federation/saml/{name}/metadata")
async def sp_metadata(name: str, request: Request, pages: PagesDep) -> Response:
    try:
        xml = await run_in_threadpool(saml_of(request).metadata_xml, name)
    except UpstreamLoginRefused:
        return pages.error(request, "error.not_found", status_code=404)
    return Response(xml, media_type="application/samlmetadata+xml")


@router.post("/federation/saml/{name}/acs")
async def acs(name: str, request: Request, pages: PagesDep) -> Response:
    form = await form_dict(request)
    relay_state = form.get("RelayState")
    stashed = await run_in_threadpool(saml_of(request).stash, name, relay_state, form.get("SAMLResponse"))
    if not stashed:
        return refused(request, pages, UpstreamLoginRefused("unknown trip", "federation.error.expired"), None)
    # 303 to a same-site GET: the browser now sends our (SameSite=Lax) cookies with it.
    return RedirectResponse(f"/federation/saml/{name}/continue?RelayState={relay_state}", status_code=303)


@router.get("/federation/saml/{name}/continue")
async def acs_continue(name: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    try:
        login = await run_in_threadpool(
            saml_of(request).finish,
            name,
            request.query_params.get("RelayState"),
            request.cookies.get(BROWSER_COOKIE),
            client_ip(request),
        )
    except UpstreamLoginRefused as exc:
        return refused(request, pages, exc, None)
    return await complete(request, pages, op, login)


@router.get("/federation/saml/{name}/slo")
async def slo(name: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    query = dict(request.query_params)
    saml = saml_of(request)
    try:
        if "SAMLResponse" in query:
            next_url = await run_in_threadpool(
                saml.logout_response, name, query["SAMLResponse"], query.get("RelayState")
            )
            return after_upstream_logout(request, pages, next_url)
        if "SAMLRequest" not in query:
            return pages.error(request, "error.not_found", status_code=400)
        location, sids = await run_in_threadpool(saml.logout_request, name, query)
    except UpstreamLoginRefused as exc:
        return refused(request, pages, exc, None)
    deliveries = await run_in_threadpool(_end_sessions, op.single_logout, saml, sids, client_ip(request))
    response = RedirectResponse(location, status_code=303)
    response.background = notify_portals(request, op, deliveries)
    return response


def _end_sessions(
    single_logout: SingleLogout, saml: SamlBroker, sids: list[str], ip: str | None
) -> list[int]:
    """SAML Profiles 4.4.4.2: the session authority's LogoutRequest ends NIXA's sessions, then NIXA tells
    its own portals."""
    from idp import audit

    deliveries: list[int] = []
    with saml.broker.db.session() as s:
        for sid in sids:
            deliveries += single_logout.end_session(s, sid, ip=ip)
        audit.record(
            s,
            audit.AuditEvent.UPSTREAM_LOGOUT_RECEIVED,
            ip=ip,
            data={"protocol": "saml", "sids": sorted(sids)},
        )
    return deliveries
