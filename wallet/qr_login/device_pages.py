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


def _page(
    devices: DeviceService, request: Request, pages: Pages, op: OpenIDProvider, identity_id: str, **extra: Any
) -> Response:
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


def _signed_in(op: OpenIDProvider, request: Request) -> str | None:
    with op.db.read_session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        return session.identity.id if session else None


def _login_needed(request: Request, pages: Pages) -> Response:
    return pages.render(request, "profile_login.html", status_code=401, next_path=PAGE)


def _register(devices: DeviceService, request: Request, op: OpenIDProvider, pages: Pages) -> Response:
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        if session is None:
            return _login_needed(request, pages)
        identity_id = session.identity.id
        try:
            code: str | None = devices.start_registration(s, session)
        except NeedsLevel3:
            code = None
    if code is None:
        return _page(
            devices, request, pages, op, identity_id, error="wallet.devices.needs_level3", status_code=403
        )
    return _page(devices, request, pages, op, identity_id, registration_code=code)


def _revoke(devices: DeviceService, op: OpenIDProvider, identity_id: str, device_id: str) -> bool:
    with op.db.session() as s:
        return devices.revoke(s, identity_id, device_id, actor=f"citizen:{identity_id}")


def device_pages_router(devices: DeviceService) -> APIRouter:
    router = APIRouter()

    @router.get(PAGE)
    def show(request: Request, op: Provider, pages: PagesDep) -> Response:
        identity_id = _signed_in(op, request)
        if identity_id is None:
            return _login_needed(request, pages)
        return _page(devices, request, pages, op, identity_id)

    @router.post(PAGE + "/register")
    async def register(request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        return await run_in_threadpool(_register, devices, request, op, pages)

    @router.post(PAGE + "/{device_id}/revoke")
    async def revoke(device_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        identity_id = await run_in_threadpool(_signed_in, op, request)
        if identity_id is None:
            return _login_needed(request, pages)
        if not await run_in_threadpool(_revoke, devices, op, identity_id, device_id):
            return pages.error(request, "error.not_found", status_code=404)
        notice = "wallet.devices.revoked"
        return await run_in_threadpool(_page, devices, request, pages, op, identity_id, notice=notice)

    return router
