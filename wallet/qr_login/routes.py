"""QR log-in on the IdP's origin: the browser's page (QR, number, polling, no-JS "continue") and the
wallet's endpoints (fetch the request, post the signed approval)."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import InvalidPageRequest
from idp.platform import Platform
from idp.provider import InteractionView, OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.pages import BROWSER_COOKIE, Pages
from idp.web.routes_interaction import finish_login
from wallet.identity_qr import render
from wallet.qr_login.errors import MalformedApproval, Refused, SlowDown
from wallet.qr_login.method import START_PATH
from wallet.qr_login.models import QrLoginRequest
from wallet.qr_login.service import REQUEST_PATH, QrLoginService
from wallet.rate_limits import DEVICE_REGISTRATION_PER_IP, QR_LOGIN_START_PER_IP, hit, limited

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_BODY = 16 * 1024


def _csrf_purpose(login_id: str) -> str:
    return f"wallet:qr-login:{login_id}"


def wallet_api_router(platform: Platform, service: QrLoginService) -> APIRouter:
    """What the wallet calls: JSON in, JSON out, errors in the OAuth format."""
    router = APIRouter()

    def refused(token: str, exc: Refused | MalformedApproval, ip: str | None) -> None:
        with platform.db.session() as s:
            service.refuse(s, token, str(getattr(exc, "reason", "malformed")), ip=ip)

    def scan(token: str, ip: str | None) -> dict[str, Any]:
        try:
            with platform.db.session() as s:
                return service.scan(s, token)
        except Refused as exc:
            refused(token, exc, ip)
            raise

    def approve(token: str, approval: str, ip: str | None) -> dict[str, Any]:
        try:
            with platform.db.session() as s:
                done = service.approve(s, token, approval, ip=ip)
        except (Refused, MalformedApproval) as exc:
            refused(token, exc, ip)
            raise
        return {"status": "approved", "amr": done.amr}

    @router.get(REQUEST_PATH + "/{token}", include_in_schema=False)
    async def login_request(token: str, request: Request) -> JSONResponse:
        body = await run_in_threadpool(scan, token, client_ip(request))
        return JSONResponse(body, headers=NO_STORE)

    @router.post(REQUEST_PATH + "/{token}/approval", include_in_schema=False)
    async def approval(token: str, request: Request) -> JSONResponse:
        approval_jws = (await _json_body(request)).get("approval")
        if not isinstance(approval_jws, str):
            raise MalformedApproval("approval (a compact JWS) is required")
        body = await run_in_threadpool(approve, token, approval_jws, client_ip(request))
        return JSONResponse(body, headers=NO_STORE)

    @router.post("/wallet/devices", include_in_schema=False)
    async def register_device(request: Request) -> JSONResponse:
        body = await _json_body(request)

        def register() -> dict[str, str]:
            decision = hit(platform, "wallet-device", DEVICE_REGISTRATION_PER_IP, client_ip(request))
            if not decision.allowed:
                raise SlowDown(decision.retry_after())
            with platform.db.session() as s:
                device = service.devices.register(s, body, ip=client_ip(request))
                return {"device_id": device.id, "issuer": platform.issuer}

        return JSONResponse(await run_in_threadpool(register), status_code=201, headers=NO_STORE)

    return router


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise MalformedApproval("request body too large")
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise MalformedApproval("the body must be JSON") from exc
    if not isinstance(body, dict):
        raise MalformedApproval("the body must be a JSON object")
    return body


def _qr_page(
    service: QrLoginService,
    request: Request,
    pages: Pages,
    view: InteractionView,
    row: QrLoginRequest,
    **extra: Any,
) -> Response:
    """The page with the QR and the number (again, after a reload or an early press of Continue)."""
    shown = service.shown(row)
    locale = pages.locale(request, view.request.ui_locales)
    return pages.render(
        request,
        "wallet_qr_login.html",
        locale=locale,
        status_code=extra.pop("status_code", 200),
        client_name=view.client.name,
        login_id=row.id,
        interaction_id=row.interaction_id,
        code=shown.code,
        request_uri=shown.request_uri,
        qr_png=base64.b64encode(render.png(shown.request_uri)).decode(),
        expires_at=shown.expires_at,
        csrf_token=pages.csrf_token(request, _csrf_purpose(row.id)),
        page_path=f"/wallet/qr-login/{row.id}",
        form_targets=[view.request.redirect_uri],
        **extra,
    )


def browser_router(service: QrLoginService) -> APIRouter:
    """What the person's browser sees: the page with the QR, its status, and carrying on."""
    router = APIRouter()

    @router.get(START_PATH + "/{interaction_id}")
    def start(interaction_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        browser = request.cookies.get(BROWSER_COOKIE)
        try:
            view = op.view(interaction_id, browser, None)
        except InvalidPageRequest as exc:
            return pages.error(request, exc.message_key)
        decision = hit(op.platform, "wallet-qr-login", QR_LOGIN_START_PER_IP, client_ip(request))
        if not decision.allowed:
            return limited(pages, request, decision)
        with op.db.session() as s:
            started = service.start(s, view.interaction, browser or "", ip=client_ip(request))
        return RedirectResponse(f"/wallet/qr-login/{started.id}", status_code=303)

    @router.get("/wallet/qr-login/{login_id}")
    def show(login_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        found = _mine(op, service, login_id, request)
        if isinstance(found, str):
            return pages.error(request, found)
        view, row = found
        if service.state_of(row) in ("refused", "expired", "consumed"):
            return _closed(request, pages, service.state_of(row), row.interaction_id)
        return _qr_page(service, request, pages, view, row)

    @router.get("/wallet/qr-login/{login_id}/status")
    def status(login_id: str, request: Request, op: Provider) -> JSONResponse:
        with op.db.read_session() as s:
            row = service.for_browser(s, login_id, request.cookies.get(BROWSER_COOKIE))
            state = service.state_of(row) if row else None
        if state is None:
            return JSONResponse({"error": "invalid_request"}, status_code=404, headers=NO_STORE)
        return JSONResponse({"state": state}, headers=NO_STORE)

    @router.post("/wallet/qr-login/{login_id}/continue")
    async def carry_on(login_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, _csrf_purpose(login_id), form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        return await run_in_threadpool(_carry_on, op, service, pages, request, login_id)

    return router


def _mine(
    op: OpenIDProvider, service: QrLoginService, login_id: str, request: Request
) -> tuple[InteractionView, QrLoginRequest] | str:
    browser = request.cookies.get(BROWSER_COOKIE)
    with op.db.read_session() as s:
        row = service.for_browser(s, login_id, browser)
        if row is not None:
            s.expunge(row)  # kept loaded: the read session ends with a rollback
    if row is None:
        return "error.interaction_expired"
    try:
        return op.view(row.interaction_id, browser, None), row
    except InvalidPageRequest as exc:
        return exc.message_key


_CLOSED_MESSAGES = {"expired": "wallet.qrlogin.expired", "consumed": "wallet.qrlogin.used"}


def _closed(request: Request, pages: Pages, state: str, interaction_id: str) -> Response:
    key = _CLOSED_MESSAGES.get(state, "wallet.qrlogin.refused")
    return pages.render(
        request, "wallet_qr_login_closed.html", status_code=400, message=key, interaction_id=interaction_id
    )


def _carry_on(
    op: OpenIDProvider, service: QrLoginService, pages: Pages, request: Request, login_id: str
) -> Response:
    found = _mine(op, service, login_id, request)
    if isinstance(found, str):
        return pages.error(request, found)
    view, row = found
    if service.state_of(row) in ("pending", "scanned"):  # no JavaScript, pressed too early: the same QR
        return _qr_page(service, request, pages, view, row, waiting=True)
    with op.db.session() as s:
        approved = service.consume(s, row)
    if approved is None:
        with op.db.read_session() as s:
            latest = service.for_browser(s, login_id, request.cookies.get(BROWSER_COOKIE))
            state = service.state_of(latest) if latest else "refused"
        return _closed(request, pages, state, row.interaction_id)
    try:
        outcome = op.complete_external_login(
            approved.interaction_id,
            request.cookies.get(BROWSER_COOKIE),
            identity_id=approved.identity_id,
            auth_level=approved.auth_level,
            amr=approved.amr,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
            audit_data={"method": "wallet_qr", "device": approved.device_id},
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    return finish_login(request, pages, op, outcome)
