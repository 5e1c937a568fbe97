"""Upstream identity providers (issue 5): list, detail, add (OIDC by discovery URL, SAML by metadata URL
or pasted XML), enable and disable, rotate the client secret, remove. Each change carries a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from admin import upstream_forms
from admin.console_sessions import Operator
from admin.integrations import ConsoleIntegrations, integrations, record_reason
from admin.permissions import Permission
from admin.web.deps import BadForm, ConsoleDep, checked_form, form_lists, require
from federation.upstream.catalogue import CatalogueError, ProviderInfo

router = APIRouter(prefix="/upstream")
Viewer = Annotated[Operator, Depends(require(Permission.UPSTREAM_VIEW))]
Manager = Annotated[Operator, Depends(require(Permission.UPSTREAM_MANAGE))]
Services = Annotated[ConsoleIntegrations, Depends(integrations)]


@router.get("")
def provider_list(request: Request, c: ConsoleDep, operator: Viewer, x: Services) -> Response:
    with c.platform.db.read_session() as s:
        providers = x.catalogue.list(s)
    return c.render(
        request,
        "admin/upstream_list.html",
        operator,
        providers=providers,
        may_manage=operator.may(Permission.UPSTREAM_MANAGE),
    )


def _form(
    request: Request, c: ConsoleDep, operator: Operator, values: dict[str, Any], error: str | None = None
) -> Response:
    return c.render(
        request,
        "admin/upstream_form.html",
        operator,
        status_code=400 if error else 200,
        values=values,
        error=error,
        attributes=upstream_forms.ATTRIBUTE_CHOICES,
        auth_methods=upstream_forms.AUTH_METHODS,
    )


@router.get("/new")
def new_provider(request: Request, c: ConsoleDep, operator: Manager) -> Response:
    return _form(request, c, operator, upstream_forms.blank_values())


def _add(
    c: ConsoleDep, x: ConsoleIntegrations, operator: Operator, fields: dict[str, str], trusted: list[str]
) -> str:
    new = upstream_forms.parse(fields, trusted, production=c.platform.settings.production)
    with c.platform.db.session() as s:
        info = x.catalogue.add(
            s,
            name=new.name,
            display_name=new.display_name,
            protocol=new.protocol,
            config=new.config,
            client_secret=new.client_secret,
            actor=operator.actor,
        )
        record_reason(
            s, actor=operator.actor, action="upstream:add", target=info.name, reason=fields["reason"]
        )
        return info.name


@router.post("")
async def add_provider(request: Request, c: ConsoleDep, operator: Manager, x: Services) -> Response:
    fields = await checked_form(request, operator)
    trusted = form_lists(await request.form(), "trusted")
    try:
        name = await run_in_threadpool(_add, c, x, operator, fields, trusted)
    except CatalogueError as exc:
        values = {**fields, "trusted": trusted}
        values.pop("client_secret", None)  # never echoed back into a page
        return _form(request, c, operator, values, str(exc))
    return RedirectResponse(f"/upstream/{name}?notice=upstream-add", status_code=303)


@router.get("/{name}")
def provider_page(request: Request, c: ConsoleDep, operator: Viewer, x: Services, name: str) -> Response:
    with c.platform.db.read_session() as s:
        info = x.catalogue.find(s, name)
    if info is None:
        return c.render(request, "admin/error.html", operator, status_code=404, key="admin.error.not_found")
    return c.render(
        request,
        "admin/upstream.html",
        operator,
        p=info,
        registration=upstream_forms.registration(c.platform.issuer, info),
        acr_lines=upstream_forms.acr_lines(info),
        notice=request.query_params.get("notice"),
        may_manage=operator.may(Permission.UPSTREAM_MANAGE),
    )


def _change(
    c: ConsoleDep,
    operator: Operator,
    name: str,
    action: str,
    reason: str,
    change: Callable[[Any], ProviderInfo | None],
) -> None:
    with c.platform.db.session() as s:
        try:
            change(s)
        except CatalogueError:
            raise BadForm("admin.error.not_found") from None
        record_reason(s, actor=operator.actor, action=f"upstream:{action}", target=name, reason=reason)


async def _act(
    request: Request, c: ConsoleDep, operator: Operator, name: str, action: str, change: Callable[[Any], Any]
) -> Response:
    fields = await checked_form(request, operator)
    await run_in_threadpool(_change, c, operator, name, action, fields["reason"], change)
    return RedirectResponse(f"/upstream/{name}?notice=upstream-{action}", status_code=303)


@router.post("/{name}/enable")
async def enable(request: Request, c: ConsoleDep, operator: Manager, x: Services, name: str) -> Response:
    update = x.catalogue.update
    return await _act(
        request, c, operator, name, "enable", lambda s: update(s, name, enabled=True, actor=operator.actor)
    )


@router.post("/{name}/disable")
async def disable(request: Request, c: ConsoleDep, operator: Manager, x: Services, name: str) -> Response:
    update = x.catalogue.update
    return await _act(
        request, c, operator, name, "disable", lambda s: update(s, name, enabled=False, actor=operator.actor)
    )


@router.post("/{name}/secret")
async def rotate_secret(
    request: Request, c: ConsoleDep, operator: Manager, x: Services, name: str
) -> Response:
    # The upstream provider issues the new secret; the operator enters it here, and it is sealed at rest.
    form = await checked_form(request, operator)
    secret = form.get("client_secret", "")
    if len(secret) < 16:
        raise BadForm("admin.upstream.secret_required")
    update = x.catalogue.update
    await run_in_threadpool(
        _change,
        c,
        operator,
        name,
        "secret",
        form["reason"],
        lambda s: update(s, name, client_secret=secret, actor=operator.actor),
    )
    return RedirectResponse(f"/upstream/{name}?notice=upstream-secret", status_code=303)


@router.post("/{name}/remove")
async def remove(request: Request, c: ConsoleDep, operator: Manager, x: Services, name: str) -> Response:
    fields = await checked_form(request, operator)
    if fields.get("confirm_name") != name:
        # Removing also removes every citizen's link to it: the operator types the name to confirm.
        raise BadForm("admin.upstream.confirm_name")
    remove_provider = x.catalogue.remove
    await run_in_threadpool(
        _change,
        c,
        operator,
        name,
        "remove",
        fields["reason"],
        lambda s: remove_provider(s, name, actor=operator.actor),
    )
    return RedirectResponse("/upstream?notice=upstream-remove", status_code=303)
