"""The citizen's wallet devices in self-service: register one (after a level 3 login), revoke one."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, form_dict
from idp.web.pages import SESSION_COOKIE, Pages
from wallet.identity_qr import render
from wallet.qr_login.devices import DeviceService, NeedsLevel3

PAGE = "/account/wallet-devices"
CSRF_PURPOSE = "wallet:devices"


def device_pages_router(devices: DeviceService) -> APIRouter:
    router = APIRouter()

    def page(request: Request, pages: Pages, op: OpenIDProvider, identity_id: str, **extra: Any) -> Response:
        with op.db.read_session() as s:
            listed = devices.devices(s, identity_id)
        code = extra.pop("registration_code", None)
        return pages.render(
            request,
            "wallet_devices.html",
            status_code=extra.pop("status_code", 200),
            devices=listed,
            registration_code=code,
            registration_qr=base64.b64encode(render.png(code)).decode() if code else "",
            minutes=devices.registration_ttl // 60,
            csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
            page_path=PAGE,
            **extra,
        )

    def signed_in(op: OpenIDProvider, request: Request) -> str | None:
        with op.db.read_session() as s:
            session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
            return session.identity.id if session else None

    @router.get(PAGE)
    def show(request: Request, op: Provider, pages: PagesDep) -> Response:
        identity_id = signed_in(op, request)
        if identity_id is None:
            return pages.render(request, "profile_login.html", status_code=401, next_path=PAGE)
        return page(request, pages, op, identity_id)

    @router.post(PAGE + "/register")
    async def register(request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        return await run_in_threadpool(_register, request, op, pages, page)

    def _register(request: Request, op: OpenIDProvider, pages: Pages, render_page: Any) -> Response:
        with op.db.session() as s:
            session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
            if session is None:
                return pages.render(request, "profile_login.html", status_code=401, next_path=PAGE)
            identity_id = session.identity.id
            try:
                code = devices.start_registration(s, session)
            except NeedsLevel3:
                code = None
        if code is None:
            return render_page(
                request, pages, op, identity_id, error="wallet.devices.needs_level3", status_code=403
            )
        return render_page(request, pages, op, identity_id, registration_code=code)

    @router.post(PAGE + "/{device_id}/revoke")
    async def revoke(device_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        identity_id = await run_in_threadpool(signed_in, op, request)
        if identity_id is None:
            return pages.render(request, "profile_login.html", status_code=401, next_path=PAGE)

        def do() -> bool:
            with op.db.session() as s:
                return devices.revoke(s, identity_id, device_id, actor=f"citizen:{identity_id}")

        if not await run_in_threadpool(do):
            return pages.error(request, "error.not_found", status_code=404)
        return await run_in_threadpool(page, request, pages, op, identity_id, notice="wallet.devices.revoked")

    return router
