"""Portals: list, create, edit, rotate the secret (shown once), disable, and the integration details."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from admin import portal_forms
from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import BadForm, ConsoleDep, checked_form, form_lists, require
from idp import portal_admin
from idp.clients import create_client, update_client
from idp.errors import OAuthError
from idp.models import Client

router = APIRouter(prefix="/portals")
Viewer = Annotated[Operator, Depends(require(Permission.PORTAL_VIEW))]
Manager = Annotated[Operator, Depends(require(Permission.PORTAL_MANAGE))]


@router.get("")
def portal_list(request: Request, c: ConsoleDep, operator: Viewer) -> Response:
    with c.platform.db.read_session() as s:
        clients = list(s.scalars(select(Client).order_by(Client.name)))
        return c.render(
            request,
            "admin/portals.html",
            operator,
            clients=clients,
            may_manage=operator.may(Permission.PORTAL_MANAGE),
        )


def _form_page(
    request: Request,
    c: ConsoleDep,
    operator: Operator,
    client: Client | None,
    values: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return c.render(
        request,
        "admin/portal_form.html",
        operator,
        client=client,
        values=values,
        error=error,
        status_code=status_code,
        **portal_forms.choices(),
    )


@router.get("/new")
def new_portal(request: Request, c: ConsoleDep, operator: Manager) -> Response:
    return _form_page(request, c, operator, None, portal_forms.values_of(None))


async def _posted(
    request: Request, operator: Operator
) -> tuple[dict[str, str], portal_forms.PortalForm, dict[str, Any]]:
    fields = await checked_form(request, operator)
    form = await request.form()
    multi = {name: form_lists(form, name) for name in ("grant_types", "scopes")}
    values = {**fields, **multi}
    return fields, portal_forms.parse(fields, multi), values


def _protect_console(c: ConsoleDep, client_id: str | None) -> None:
    # The console's own registration is kept by the console at start; changing it here could lock every
    # operator out.
    if client_id == c.admin.client_id:
        raise BadForm("admin.portals.console_protected")


def _save(
    c: ConsoleDep, operator: Operator, client_id: str | None, posted: portal_forms.PortalForm, reason: str
) -> tuple[str, str | None]:
    _protect_console(c, client_id)
    with c.platform.db.session() as s:
        if client_id is None:
            client, secret = create_client(s, posted.spec, actor=operator.actor, reason=reason)
        else:
            found = s.get(Client, client_id, with_for_update=True)
            if found is None:
                raise BadForm("admin.error.not_found")
            client = found
            secret = update_client(s, client, posted.spec, actor=operator.actor, reason=reason)
        portal_admin.set_min_acr(s, client, posted.min_acr, actor=operator.actor, reason=reason)
        return client.client_id, secret


@router.post("")
async def create_portal(request: Request, c: ConsoleDep, operator: Manager) -> Response:
    fields, posted, values = await _posted(request, operator)
    try:
        client_id, secret = await run_in_threadpool(_save, c, operator, None, posted, fields["reason"])
    except OAuthError as exc:
        return _form_page(request, c, operator, None, values, exc.description, 400)
    return await run_in_threadpool(_portal_page, request, c, operator, client_id, secret)


@router.get("/{client_id}")
def portal_page(request: Request, c: ConsoleDep, operator: Viewer, client_id: str) -> Response:
    return _portal_page(request, c, operator, client_id, None, request.query_params.get("notice"))


def _portal_page(
    request: Request,
    c: ConsoleDep,
    operator: Operator,
    client_id: str,
    secret: str | None,
    notice: str | None = None,
) -> Response:
    with c.platform.db.read_session() as s:
        client = s.get(Client, client_id)
        if client is None:
            return c.render(
                request, "admin/error.html", operator, status_code=404, key="admin.error.not_found"
            )
        details = portal_forms.integration(c.platform.issuer, client)
        return c.render(
            request,
            "admin/portal.html",
            operator,
            client=client,
            secret=secret,
            notice=notice,
            details=details,
            example=json.dumps(
                {k: v for k, v in details["example"].items() if v}, indent=2, ensure_ascii=False
            ),
            may_manage=operator.may(Permission.PORTAL_MANAGE),
        )


@router.get("/{client_id}/edit")
def edit_portal(request: Request, c: ConsoleDep, operator: Manager, client_id: str) -> Response:
    with c.platform.db.read_session() as s:
        client = s.get(Client, client_id)
        if client is None:
            return c.render(
                request, "admin/error.html", operator, status_code=404, key="admin.error.not_found"
            )
        return _form_page(request, c, operator, client, portal_forms.values_of(client))


@router.post("/{client_id}")
async def save_portal(request: Request, c: ConsoleDep, operator: Manager, client_id: str) -> Response:
    fields, posted, values = await _posted(request, operator)
    try:
        _, secret = await run_in_threadpool(_save, c, operator, client_id, posted, fields["reason"])
    except OAuthError as exc:
        with c.platform.db.read_session() as s:
            client = s.get(Client, client_id)
            return _form_page(request, c, operator, client, values, exc.description, 400)
    if secret:
        return await run_in_threadpool(_portal_page, request, c, operator, client_id, secret)
    return RedirectResponse(f"/portals/{client_id}?notice=saved", status_code=303)


def _client_action(c: ConsoleDep, operator: Operator, client_id: str, action: str, reason: str) -> str | None:
    _protect_console(c, client_id)
    with c.platform.db.session() as s:
        client = s.get(Client, client_id, with_for_update=True)
        if client is None:
            raise BadForm("admin.error.not_found")
        if action == "secret":
            return portal_admin.rotate_secret(s, client, actor=operator.actor, reason=reason)
        portal_admin.set_disabled(s, client, action == "disable", actor=operator.actor, reason=reason)
        return None


@router.post("/{client_id}/secret")
async def rotate_secret(request: Request, c: ConsoleDep, operator: Manager, client_id: str) -> Response:
    fields = await checked_form(request, operator)
    try:
        secret = await run_in_threadpool(_client_action, c, operator, client_id, "secret", fields["reason"])
    except OAuthError:
        return RedirectResponse(f"/portals/{client_id}?notice=no_secret", status_code=303)
    return await run_in_threadpool(_portal_page, request, c, operator, client_id, secret, "rotated")


@router.post("/{client_id}/disable")
async def disable(request: Request, c: ConsoleDep, operator: Manager, client_id: str) -> Response:
    fields = await checked_form(request, operator)
    await run_in_threadpool(_client_action, c, operator, client_id, "disable", fields["reason"])
    return RedirectResponse(f"/portals/{client_id}?notice=disabled", status_code=303)


@router.post("/{client_id}/enable")
async def enable(request: Request, c: ConsoleDep, operator: Manager, client_id: str) -> Response:
    fields = await checked_form(request, operator)
    await run_in_threadpool(_client_action, c, operator, client_id, "enable", fields["reason"])
    return RedirectResponse(f"/portals/{client_id}?notice=enabled", status_code=303)
