"""The citizen's identity QR page in self-service: show, download, issue anew, revoke (lost phone)."""

from __future__ import annotations

import base64
from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from idp.models import Identity
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, form_dict
from idp.web.pages import SESSION_COOKIE, Pages
from wallet.identity_qr import render
from wallet.identity_qr.service import MIN_LEVEL, IdentityQrService, IssuedQr, NotEligible

PAGE = "/account/identity-qr"
CSRF_PURPOSE = "wallet:identity-qr"


def _identity_id(op: OpenIDProvider, request: Request) -> str | None:
    with op.db.read_session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        return session.identity.id if session else None


def _page(
    service: IdentityQrService, request: Request, pages: Pages, identity_id: str, notice: str | None = None
) -> Response:
    with service.platform.db.read_session() as s:
        identity = s.get(Identity, identity_id)
        eligible = identity is not None and identity.loa >= MIN_LEVEL and not identity.locked
        qr = service.current(s, identity_id) if eligible else None
    return pages.render(
        request,
        "wallet_identity_qr.html",
        eligible=eligible,
        qr=qr,
        png_b64=base64.b64encode(render.png(qr.text)).decode() if qr else "",
        notice=notice,
        csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
        page_path=PAGE,
    )


def _login_needed(request: Request, pages: Pages) -> Response:
    return pages.render(request, "profile_login.html", status_code=401, next_path=PAGE)


# Also called on "lost phone": revoke the person's other phone-bound credentials (their wallet devices).
LostPhone = Callable[[Session, str, str], object]


def identity_qr_router(service: IdentityQrService, lost_phone: LostPhone | None = None) -> APIRouter:
    router = APIRouter()

    @router.get(PAGE)
    async def show(request: Request, op: Provider, pages: PagesDep) -> Response:
        identity_id = await run_in_threadpool(_identity_id, op, request)
        if identity_id is None:
            return _login_needed(request, pages)
        return await run_in_threadpool(_page, service, request, pages, identity_id)

    @router.post(PAGE + "/{action}")
    async def act(action: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        identity_id = await run_in_threadpool(_identity_id, op, request)
        if identity_id is None:
            return _login_needed(request, pages)
        if action not in ("issue", "revoke"):
            return pages.error(request, "error.not_found", status_code=404)
        portrait = form.get("with_portrait") == "1"
        notice = await run_in_threadpool(_act, service, identity_id, action, lost_phone, portrait)
        return await run_in_threadpool(_page, service, request, pages, identity_id, notice)

    @router.get(PAGE + "/{credential_id}.{kind}")
    async def download(
        credential_id: str, kind: str, request: Request, op: Provider, pages: PagesDep
    ) -> Response:
        identity_id = await run_in_threadpool(_identity_id, op, request)
        if identity_id is None:
            return _login_needed(request, pages)
        qr = await run_in_threadpool(_owned, service, identity_id, credential_id)
        if qr is None or kind not in ("png", "svg"):
            return pages.error(request, "error.not_found", status_code=404)
        body = render.png(qr.text) if kind == "png" else render.svg(qr.text)
        return Response(
            body,
            media_type="image/png" if kind == "png" else "image/svg+xml",
            headers={
                "Content-Disposition": f'attachment; filename="nixa-identity-qr.{kind}"',
                "Cache-Control": "no-store",
            },
        )

    return router


def _act(
    service: IdentityQrService, identity_id: str, action: str, lost_phone: LostPhone | None, portrait: bool
) -> str:
    actor = f"citizen:{identity_id}"
    with service.platform.db.session() as s:
        if action == "issue":
            try:
                service.issue(s, identity_id, actor=actor, with_portrait=portrait)
            except NotEligible:
                return "wallet.qr.no_portrait" if portrait else "wallet.qr.not_eligible"
            return "wallet.qr.issued"
        service.revoke_all(s, identity_id, actor=actor, reason="lost phone (citizen)")
        if lost_phone is not None:
            lost_phone(s, identity_id, actor)
        return "wallet.qr.revoked"


def _owned(service: IdentityQrService, identity_id: str, credential_id: str) -> IssuedQr | None:
    with service.platform.db.read_session() as s:
        qr = service.get(s, identity_id, credential_id)
        return qr if qr is not None and qr.active else None
