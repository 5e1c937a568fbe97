"""The federation (issue 6, OpenID Federation 1.0): NIXA's trust anchor and intermediates, their
subordinates, the portals admitted by automatic registration and their expiry, and the trust marks; portal
managers enrol and remove subordinates and issue and revoke trust marks, each with a reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from admin.console_sessions import Operator
from admin.integrations import ConsoleIntegrations, integrations, record_reason
from admin.permissions import Permission
from admin.web.deps import BadForm, ConsoleDep, checked_form, require
from federation.openid_federation.models import FederatedClient
from federation.openid_federation.overview import FederationOverview
from idp.db import utcnow
from idp.errors import OAuthError
from idp.models import Client

router = APIRouter(prefix="/federation")
Viewer = Annotated[Operator, Depends(require(Permission.FEDERATION_VIEW))]
Manager = Annotated[Operator, Depends(require(Permission.FEDERATION_MANAGE))]
Services = Annotated[ConsoleIntegrations, Depends(integrations)]
ENTITY_TYPES = ("openid_relying_party", "oauth_client", "federation_entity")


def _page(
    request: Request,
    c: ConsoleDep,
    operator: Operator,
    x: ConsoleIntegrations,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    overview = x.federation.overview()
    with c.platform.db.read_session() as s:
        admitted = admitted_portals(s)
    return c.render(
        request,
        "admin/federation.html",
        operator,
        status_code=400 if error else 200,
        fed=overview,
        admitted=admitted,
        superiors=[
            e for e in overview.trust_anchors + overview.intermediates if e.kind != "external_intermediate"
        ],
        subordinates=_subordinates(overview, x.federation.entities.issuer),
        entity_types=ENTITY_TYPES,
        trust_mark_types=x.federation.entities.settings.trust_mark_types
        or [x.federation.entities.trust_anchor_id + "/trust-marks/portal"],
        error=error,
        values=values or {},
        notice=request.query_params.get("notice"),
        may_manage=operator.may(Permission.FEDERATION_MANAGE),
    )


def admitted_portals(s: Session) -> list[dict[str, Any]]:
    """Portals admitted by automatic or explicit registration (Section 12), through whichever chain:
    the overview's leaves are only those NIXA's own entities enrolled."""
    rows = s.execute(
        select(FederatedClient, Client.name)
        .join(Client, Client.client_id == FederatedClient.client_id)
        .order_by(FederatedClient.chain_expires_at)
    )
    now = utcnow()
    return [
        {
            "client_id": row.client_id,
            "name": name,
            "registration_type": row.registration_type,
            "trust_anchor": row.trust_anchor,
            "chain": list(row.chain_entities),
            "trust_marks": list(row.trust_mark_types),
            "resolved_at": row.resolved_at,
            "expires_at": row.chain_expires_at,
            "expired": row.chain_expires_at <= now,
        }
        for row, name in rows
    ]


def _subordinates(fed: FederationOverview, own_op: str) -> list[tuple[str, str, bool]]:
    """Every (superior, subordinate, intermediate) link an operator may remove: all but NIXA's own OP."""
    links = [(leaf.superior, leaf.entity_id, False) for leaf in fed.leaves if leaf.entity_id != own_op]
    links += [(e.superior, e.entity_id, True) for e in fed.intermediates if e.superior]
    return sorted(links)


@router.get("")
def federation_page(request: Request, c: ConsoleDep, operator: Viewer, x: Services) -> Response:
    return _page(request, c, operator, x)


async def _run(
    request: Request,
    c: ConsoleDep,
    operator: Operator,
    x: ConsoleIntegrations,
    fields: dict[str, str],
    action: str,
    target: str,
    call: Callable[[], Any],
) -> Response:
    try:
        done = await run_in_threadpool(call)
    except OAuthError as exc:
        error = exc.description or exc.error
        return await run_in_threadpool(lambda: _page(request, c, operator, x, error=error, values=fields))
    if done is False:
        raise BadForm("admin.error.not_found")
    # The service committed its change with its own audit record; the operator's reason follows it.
    with c.platform.db.session() as s:
        record_reason(
            s, actor=operator.actor, action=f"federation:{action}", target=target, reason=fields["reason"]
        )
    return RedirectResponse(f"/federation?notice=federation-{action}", status_code=303)


def _jwks(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise BadForm("admin.federation.jwks_invalid") from None


@router.post("/subordinates")
async def enrol(request: Request, c: ConsoleDep, operator: Manager, x: Services) -> Response:
    fields = await checked_form(request, operator)
    form = await request.form()
    types = [t for t in form.getlist("entity_types") if isinstance(t, str) and t in ENTITY_TYPES]
    jwks = _jwks(fields.get("jwks", ""))
    entity_id = fields.get("entity_id", "")
    intermediate = fields.get("intermediate") == "on"
    call = lambda: x.federation.enrol(  # noqa: E731
        superior=fields.get("superior", ""),
        entity_id=entity_id,
        jwks=jwks,
        actor=operator.actor,
        name=fields.get("name", ""),
        entity_types=(["federation_entity"] if intermediate else types) or None,
        intermediate=intermediate,
    )
    return await _run(request, c, operator, x, fields, "enrol", entity_id, call)


@router.post("/subordinates/remove")
async def remove_subordinate(request: Request, c: ConsoleDep, operator: Manager, x: Services) -> Response:
    fields = await checked_form(request, operator)
    superior, _, entity_id = fields.get("link", "").partition(" ")
    if entity_id == x.federation.entities.issuer:
        # Without the anchor's statement about NIXA's OP no portal could build a chain to it.
        raise BadForm("admin.federation.own_entity")
    call = lambda: x.federation.remove_subordinate(  # noqa: E731
        superior=superior, entity_id=entity_id, actor=operator.actor
    )
    return await _run(request, c, operator, x, fields, "remove", entity_id, call)


@router.post("/intermediates")
async def create_intermediate(request: Request, c: ConsoleDep, operator: Manager, x: Services) -> Response:
    fields = await checked_form(request, operator)
    slug = fields.get("slug", "")
    call = lambda: x.federation.create_intermediate(  # noqa: E731
        slug=slug, name=fields.get("name", ""), actor=operator.actor, superior=fields.get("superior") or None
    )
    return await _run(request, c, operator, x, fields, "intermediate", slug, call)


@router.post("/trust-marks")
async def issue_trust_mark(request: Request, c: ConsoleDep, operator: Manager, x: Services) -> Response:
    fields = await checked_form(request, operator)
    subject, mark_type = fields.get("subject", ""), fields.get("trust_mark_type", "")
    call = lambda: x.federation.issue_trust_mark(  # noqa: E731
        subject=subject, trust_mark_type=mark_type, actor=operator.actor
    )
    return await _run(request, c, operator, x, fields, "mark-issue", subject, call)


@router.post("/trust-marks/{mark_id}/revoke")
async def revoke_trust_mark(
    request: Request, c: ConsoleDep, operator: Manager, x: Services, mark_id: str
) -> Response:
    fields = await checked_form(request, operator)
    call = lambda: x.federation.revoke_trust_mark(mark_id, actor=operator.actor)  # noqa: E731
    return await _run(request, c, operator, x, fields, "mark-revoke", mark_id, call)
