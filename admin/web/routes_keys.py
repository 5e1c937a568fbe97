"""Signing keys: their state (next, current, retired), rotation, and early retirement of a retired key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import ConsoleDep, checked_form, require
from idp.db import utcnow
from idp.keys import SUPPORTED_ALGS

router = APIRouter(prefix="/keys")
Viewer = Annotated[Operator, Depends(require(Permission.KEY_VIEW))]
Manager = Annotated[Operator, Depends(require(Permission.KEY_MANAGE))]


@router.get("")
def key_list(request: Request, c: ConsoleDep, operator: Viewer) -> Response:
    now = utcnow()
    keys = [
        (k, k.state != "retired" or (k.unpublish_after is not None and k.unpublish_after > now))
        for k in c.platform.keys.list_keys()
    ]
    return c.render(
        request,
        "admin/keys.html",
        operator,
        keys=keys,
        algs=SUPPORTED_ALGS,
        may_manage=operator.may(Permission.KEY_MANAGE),
        notice=request.query_params.get("notice"),
    )


@router.post("/rotate")
async def rotate(request: Request, c: ConsoleDep, operator: Manager) -> Response:
    fields = await checked_form(request, operator)
    alg = fields.get("alg") if fields.get("alg") in SUPPORTED_ALGS else None
    await run_in_threadpool(
        lambda: c.platform.keys.rotate(actor=operator.actor, alg=alg, reason=fields["reason"])
    )
    return RedirectResponse("/keys?notice=rotated", status_code=303)


@router.post("/{kid}/retire")
async def retire(request: Request, c: ConsoleDep, operator: Manager, kid: str) -> Response:
    fields = await checked_form(request, operator)
    done = await run_in_threadpool(
        lambda: c.platform.keys.retire(kid, actor=operator.actor, reason=fields["reason"])
    )
    return RedirectResponse(f"/keys?notice={'retired' if done else 'not_retired'}", status_code=303)
