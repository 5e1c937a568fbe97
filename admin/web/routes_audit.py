"""The audit trail: newest first, filtered by actor, citizen, portal, event and time; verify the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from admin.citizens import find_by_personal_id
from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import ConsoleDep, checked_form, require
from idp import audit
from idp.models import AuditRecord

router = APIRouter(prefix="/audit")
Viewer = Annotated[Operator, Depends(require(Permission.AUDIT_VIEW))]
FILTERS = ("actor", "citizen", "portal", "event", "since", "until", "before")


def _when(value: str) -> datetime | None:
    """A date or a date and time from the form's inputs, read as UTC."""
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _records(c: ConsoleDep, f: dict[str, str]) -> tuple[list[AuditRecord], bool]:
    query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(c.admin.page_size + 1)
    with c.platform.db.read_session() as s:
        if f.get("citizen"):
            value = f["citizen"]
            found = find_by_personal_id(s, c.provider.identities, value) if value.isdigit() else None
            query = query.where(AuditRecord.identity_id == (found.id if found else value))
        if f.get("actor"):
            query = query.where(AuditRecord.actor == f["actor"])
        if f.get("portal"):
            query = query.where(AuditRecord.client_id == f["portal"])
        if f.get("event"):
            query = query.where(AuditRecord.event == f["event"])
        if since := _when(f.get("since", "")):
            query = query.where(AuditRecord.at >= since)
        if until := _when(f.get("until", "")):
            query = query.where(AuditRecord.at <= until)
        if f.get("before", "").isdigit():
            query = query.where(AuditRecord.seq < int(f["before"]))
        rows = list(s.scalars(query))
        s.expunge_all()  # rendered after the read session closes (its rollback would expire them)
    return rows[: c.admin.page_size], len(rows) > c.admin.page_size


def _page(
    request: Request, c: ConsoleDep, operator: Operator, verdict: audit.ChainVerdict | None = None
) -> Response:
    filters = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    records, more = _records(c, filters)
    return c.render(
        request,
        "admin/audit.html",
        operator,
        records=records,
        more=more,
        filters=filters,
        events=sorted(e.value for e in audit.AuditEvent),
        verdict=verdict,
    )


@router.get("")
async def audit_page(request: Request, c: ConsoleDep, operator: Viewer) -> Response:
    return await run_in_threadpool(_page, request, c, operator)


def _verify(c: ConsoleDep, operator: Operator) -> audit.ChainVerdict:
    verdict = audit.verify(c.platform.db)
    with c.platform.db.session() as s:
        audit.record(
            s,
            audit.AuditEvent.AUDIT_CHAIN_VERIFIED,
            actor=operator.actor,
            data={"ok": verdict.ok, "records": verdict.records, "problems": verdict.problems[:5]},
        )
    return verdict


@router.post("/verify")
async def verify_chain(request: Request, c: ConsoleDep, operator: Viewer) -> Response:
    await checked_form(request, operator, reason=False)
    verdict = await run_in_threadpool(_verify, c, operator)
    return await run_in_threadpool(_page, request, c, operator, verdict)
