"""Citizens: find by personal ID number (exact) or name; their file; lock, unlock, end sessions, reset a
factor, each with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from admin.citizens import citizen_file, find_by_personal_id
from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import BadForm, ConsoleDep, checked_form, require
from idp.models import Identity
from idp.oauth.logout import deliver_due
from idp.web.deps import client_ip

router = APIRouter(prefix="/citizens")
Viewer = Annotated[Operator, Depends(require(Permission.CITIZEN_VIEW))]
Manager = Annotated[Operator, Depends(require(Permission.CITIZEN_MANAGE))]


def _search(c: ConsoleDep, q: str) -> list[tuple[Identity, str | None]]:
    ids = c.provider.identities
    with c.platform.db.session() as s:
        if q.strip().isdigit():
            found = find_by_personal_id(s, ids, q)
            rows = [found] if found else []
        else:
            matches = c.names.search(s, q)
            rows = list(s.scalars(select(Identity).where(Identity.id.in_(matches)))) if matches else []
        return [(row, ids.person(row).full_name) for row in rows]


@router.get("")
async def search(request: Request, c: ConsoleDep, operator: Viewer, q: str = "") -> Response:
    results = await run_in_threadpool(_search, c, q) if q.strip() else []
    return c.render(request, "admin/citizens.html", operator, q=q, results=results, searched=bool(q.strip()))


def _file(c: ConsoleDep, identity_id: str, operator: Operator | None = None):  # type: ignore[no-untyped-def]
    # A panel naming a permission (the wallet's credentials) is shown to operators holding it only.
    panels = [
        p
        for p in c.citizen_panels
        if operator is None or operator.may(getattr(p, "permission", Permission.CITIZEN_VIEW))
    ]
    with c.platform.db.read_session() as s:
        identity = s.get(Identity, identity_id)
        file = (
            None if identity is None else citizen_file(s, c.provider.identities, c.accounts, identity, panels)
        )
        s.expunge_all()  # rendered after the read session closes (its rollback would expire them)
        return file


@router.get("/{identity_id}")
async def citizen_page(request: Request, c: ConsoleDep, operator: Viewer, identity_id: str) -> Response:
    file = await run_in_threadpool(_file, c, identity_id, operator)
    if file is None:
        return c.render(request, "admin/error.html", operator, status_code=404, key="admin.error.not_found")
    return c.render(
        request,
        "admin/citizen.html",
        operator,
        file=file,
        may_manage=operator.may(Permission.CITIZEN_MANAGE),
        notice=request.query_params.get("notice"),
    )


def _act(
    c: ConsoleDep,
    operator: Operator,
    identity_id: str,
    action: str,
    reason: str,
    ip: str | None,
    factor_id: str = "",
) -> bool:
    with c.platform.db.session() as s:
        identity = s.get(Identity, identity_id, with_for_update=True)
        if identity is None:
            return False
        actor, accounts = operator.actor, c.accounts
        if action == "lock":
            accounts.lock(s, identity, actor=actor, reason=reason, ip=ip)
        elif action == "unlock":
            person = c.provider.identities.person(identity)
            accounts.unlock(s, identity, person, actor=actor, reason=reason, ip=ip)
        elif action == "end-sessions":
            accounts.end_sessions(s, identity, actor=actor, reason=reason, ip=ip)
        elif action == "reset-factor":
            return accounts.reset_factor(s, identity, factor_id, actor=actor, reason=reason, ip=ip)
        return True


async def _action(
    request: Request, c: ConsoleDep, operator: Operator, identity_id: str, action: str, factor_id: str = ""
) -> Response:
    form = await checked_form(request, operator)
    if identity_id == operator.identity_id:
        # Separation of duties: an operator's own account is changed by another operator.
        raise BadForm("admin.error.own_account")
    done = await run_in_threadpool(
        _act, c, operator, identity_id, action, form["reason"], client_ip(request), factor_id
    )
    if not done:
        return c.render(request, "admin/error.html", operator, status_code=404, key="admin.error.not_found")
    response = RedirectResponse(f"/citizens/{identity_id}?notice={action}", status_code=303)
    # Back-channel logout tokens queued by ending sessions get a first attempt now; the IdP's delivery
    # worker (same database) retries what fails.
    st = c.platform.settings
    response.background = BackgroundTask(deliver_due, c.platform, backoff_base=st.backchannel_backoff_base)
    return response


@router.post("/{identity_id}/lock")
async def lock(request: Request, c: ConsoleDep, operator: Manager, identity_id: str) -> Response:
    return await _action(request, c, operator, identity_id, "lock")


@router.post("/{identity_id}/unlock")
async def unlock(request: Request, c: ConsoleDep, operator: Manager, identity_id: str) -> Response:
    return await _action(request, c, operator, identity_id, "unlock")


@router.post("/{identity_id}/end-sessions")
async def end_sessions(request: Request, c: ConsoleDep, operator: Manager, identity_id: str) -> Response:
    return await _action(request, c, operator, identity_id, "end-sessions")


@router.post("/{identity_id}/factors/{factor_id}/reset")
async def reset_factor(
    request: Request, c: ConsoleDep, operator: Manager, identity_id: str, factor_id: str
) -> Response:
    return await _action(request, c, operator, identity_id, "reset-factor", factor_id)
