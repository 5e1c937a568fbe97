"""Citizen pages for proofing to urn:nixa:loa:3: upload evidence at /account/proofing, see the outcome."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from idp.proofing.errors import ProofingError
from idp.proofing.images import ImageRefused
from idp.proofing.submission import EVIDENCE_KINDS, ProofingSubmissions
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip
from idp.web.pages import SESSION_COOKIE, Pages

router = APIRouter()
CSRF_PURPOSE = "proofing"


def submissions(op: OpenIDProvider) -> ProofingSubmissions:
    st = op.platform.settings
    return ProofingSubmissions(
        op.platform.sealer, max_bytes=st.upload_max_bytes, max_pixels=st.upload_max_pixels
    )


@router.get("/account/proofing")
def proofing_page(request: Request, op: Provider, pages: PagesDep, notice: str | None = None) -> Response:
    shown = "proofing.submitted" if notice == "submitted" else None
    return _render(request, op, pages, notice=shown)


@router.post("/account/proofing")
async def proofing_upload(request: Request, op: Provider, pages: PagesDep) -> Response:
    limit = op.platform.settings.upload_max_bytes
    async with request.form(max_files=len(EVIDENCE_KINDS), max_fields=len(EVIDENCE_KINDS) + 1) as form:
        token = form.get("csrf_token")
        if not pages.csrf_ok(request, CSRF_PURPOSE, token if isinstance(token, str) else None):
            return pages.error(request, "error.csrf", status_code=403)
        # One byte more than allowed is enough to know a file is too large, without reading all of it.
        uploads = {k: await _read(form.get(k), limit + 1) for k in EVIDENCE_KINDS}
    error = await run_in_threadpool(
        _submit, op, request.cookies.get(SESSION_COOKIE), uploads, client_ip(request)
    )
    if error == "login":
        return _render(request, op, pages)
    if error:
        return _render(request, op, pages, error=error, status_code=400)
    return RedirectResponse("/account/proofing?notice=submitted", status_code=303)


async def _read(field: UploadFile | str | None, limit: int) -> bytes:
    return await field.read(limit) if isinstance(field, UploadFile) else b""


def _submit(op: OpenIDProvider, cookie: str | None, uploads: dict[str, bytes], ip: str | None) -> str | None:
    """None on success, "login" without a session, else the i18n key of what was refused."""
    service = submissions(op)
    try:
        cleaned = service.clean(uploads)
        with op.db.session() as s:
            session = op.sessions.from_cookie(s, cookie)
            if session is None:
                return "login"
            service.submit(s, session.identity, cleaned, ip)
    except (ImageRefused, ProofingError) as exc:
        return exc.key
    return None


def _render(
    request: Request,
    op: OpenIDProvider,
    pages: Pages,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        state = submissions(op).status(s, session.identity) if session else None
    return pages.render(
        request,
        "proofing.html",
        status_code=status_code if state else 401,
        page_path="/account/proofing",
        logged_in=state is not None,
        status=state.status if state else None,
        reason=state.reason if state else None,
        loa=state.loa if state else None,
        can_submit=bool(state and state.loa == 2 and state.status != "pending"),
        kinds=EVIDENCE_KINDS,
        max_mb=op.platform.settings.upload_max_bytes // (1024 * 1024),
        notice=notice,
        error=error,
        csrf_token=pages.csrf_token(request, CSRF_PURPOSE) if state else "",
    )
