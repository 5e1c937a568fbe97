"""The verification queue: filter, look at what the citizen declared beside the registry record and the
evidence, approve (a second, different operator completes level 3) or reject with a reason."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import ConsoleDep, checked_form, require
from idp.db import utcnow
from idp.models import Identity
from idp.models.proofing import VerificationRequest
from idp.proofing.errors import DecisionRefused, UnknownRequest

router = APIRouter(prefix="/verification")
Viewer = Annotated[Operator, Depends(require(Permission.VERIFICATION_VIEW))]
Decider = Annotated[Operator, Depends(require(Permission.VERIFICATION_DECIDE))]
STATUSES = ("pending", "approved", "rejected", "all")


def _message_key(proofing_key: str) -> str:
    return "admin.verification.error." + proofing_key.rsplit(".", 1)[-1]


@router.get("")
def queue(
    request: Request,
    c: ConsoleDep,
    operator: Viewer,
    status: str = "pending",
    min_age_days: int = 0,
    level: int = 0,
    page: int = 0,
) -> Response:
    status = status if status in STATUSES else "pending"
    query = (
        select(VerificationRequest, Identity.loa)
        .join(Identity, Identity.id == VerificationRequest.identity_id)
        .order_by(VerificationRequest.created_at, VerificationRequest.id)
        .limit(c.admin.page_size)
        .offset(max(page, 0) * c.admin.page_size)
    )
    if status != "all":
        query = query.where(VerificationRequest.status == status)
    if min_age_days > 0:
        query = query.where(VerificationRequest.created_at <= utcnow() - timedelta(days=min_age_days))
    if level in (1, 2, 3):
        query = query.where(Identity.loa == level)
    with c.platform.db.read_session() as s:
        rows = [(r, loa) for r, loa in s.execute(query)]
        s.expunge_all()  # rendered after the read session closes (its rollback would expire them)
    return c.render(
        request,
        "admin/verification_list.html",
        operator,
        rows=rows,
        status=status,
        statuses=STATUSES,
        min_age_days=min_age_days,
        level=level,
        page=max(page, 0),
        more=len(rows) == c.admin.page_size,
        now=utcnow(),
    )


def _detail_page(
    request: Request,
    c: ConsoleDep,
    operator: Operator,
    request_id: str,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    try:
        detail = c.verification.detail(request_id, operator.actor)
    except UnknownRequest:
        return c.render(request, "admin/error.html", operator, status_code=404, key="admin.error.not_found")
    images = {
        kind: "data:image/jpeg;base64," + base64.b64encode(b).decode() for kind, b in detail.images.items()
    }
    with c.platform.db.read_session() as s:
        row = s.get(VerificationRequest, request_id)
        s.expunge_all()
    return c.render(
        request,
        "admin/verification_detail.html",
        operator,
        detail=detail,
        row=row,
        images=images,
        may_decide=operator.may(Permission.VERIFICATION_DECIDE),
        own_first_approval=detail.request.first_operator == operator.actor,
        status_code=status_code,
        **extra,
    )


@router.get("/{request_id}")
async def detail_page(request: Request, c: ConsoleDep, operator: Viewer, request_id: str) -> Response:
    notice = request.query_params.get("notice")
    return await run_in_threadpool(_detail_page, request, c, operator, request_id, notice=notice)


@router.post("/{request_id}/approve")
async def approve(request: Request, c: ConsoleDep, operator: Decider, request_id: str) -> Response:
    form = await checked_form(request, operator)
    return await run_in_threadpool(_decide, request, c, operator, request_id, "approve", form["reason"])


@router.post("/{request_id}/reject")
async def reject(request: Request, c: ConsoleDep, operator: Decider, request_id: str) -> Response:
    form = await checked_form(request, operator)
    return await run_in_threadpool(_decide, request, c, operator, request_id, "reject", form["reason"])


def _decide(
    request: Request, c: ConsoleDep, operator: Operator, request_id: str, decision: str, reason: str
) -> Response:
    with c.platform.db.read_session() as s:
        row = s.get(VerificationRequest, request_id)
        own = row is not None and row.identity_id == operator.identity_id
    if own:
        # Separation of duties: nobody decides on their own identity, whoever the other approver is.
        return _detail_page(
            request, c, operator, request_id, error_key="admin.error.own_account", status_code=409
        )
    try:
        if decision == "approve":
            status = c.verification.approve(request_id, operator.actor, reason)
        else:
            status = c.verification.reject(request_id, operator.actor, reason)
    except UnknownRequest:
        return c.render(request, "admin/error.html", operator, status_code=404, key="admin.error.not_found")
    except DecisionRefused as exc:
        return _detail_page(
            request, c, operator, request_id, error_key=_message_key(exc.key), status_code=409
        )
    notice = "first_approval" if status == "pending" else status
    return RedirectResponse(f"/verification/{request_id}?notice={notice}", status_code=303)
