"""Signing operators in and out: through NIXA (OIDC code flow + PKCE, level 3), never a local password."""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from admin.oidc import SignInRefused, safe_next
from admin.operators import operator_actor, roles_of
from admin.web.deps import ConsoleDep, checked_form
from admin.web.logout_token import LogoutTokenInvalid, validate_logout_token
from idp import audit
from idp.crypto import new_token
from idp.web.deps import client_ip
from idp.web.i18n import LOCALES
from idp.web.pages import LANG_COOKIE

log = logging.getLogger("nixa.admin.signin")
router = APIRouter()


@router.get("/login")
def login_page(request: Request, c: ConsoleDep, next: str = "/", idle: str = "") -> Response:
    if c.sessions.current(request.cookies.get(c.session_cookie)).operator is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return c.render(request, "admin/login.html", None, next=safe_next(next), idle=idle == "1")


@router.get("/login/start")
def start_sign_in(request: Request, c: ConsoleDep, next: str = "/") -> Response:
    browser = new_token(24)
    try:
        target = c.sign_in.start(browser, next)
    except SignInRefused as exc:
        log.warning("operator sign-in cannot start: %s", exc.detail)
        return c.render(request, "admin/signin_refused.html", None, status_code=503, key=exc.key)
    response = RedirectResponse(target, status_code=303)
    c.set_cookie(response, c.signin_cookie, browser, max_age=c.admin.login_ttl)
    return response


@router.get("/callback")
def callback(request: Request, c: ConsoleDep) -> Response:
    params = {k: v for k, v in request.query_params.items()}
    try:
        signed_in = c.sign_in.finish(params, request.cookies.get(c.signin_cookie))
    except SignInRefused as exc:
        log.info("operator sign-in refused: %s", exc.detail or exc.key)
        with c.platform.db.session() as s:
            audit.record(
                s, audit.AuditEvent.OPERATOR_SIGN_IN_REFUSED, ip=client_ip(request), data={"reason": exc.key}
            )
        status = 403 if exc.key == "admin.signin.level" else 400
        return c.render(request, "admin/signin_refused.html", None, status_code=status, key=exc.key)
    with c.platform.db.session() as s:
        roles = roles_of(s, signed_in.identity_id)
        event = audit.AuditEvent.OPERATOR_SIGNED_IN if roles else audit.AuditEvent.OPERATOR_SIGN_IN_REFUSED
        audit.record(
            s,
            event,
            actor=operator_actor(signed_in.identity_id),
            identity_id=signed_in.identity_id,
            ip=client_ip(request),
            data={"roles": sorted(roles), "acr": signed_in.acr} if roles else {"reason": "not_an_operator"},
        )
    if not roles:
        return c.render(
            request, "admin/signin_refused.html", None, status_code=403, key="admin.signin.not_operator"
        )
    cookie = c.sessions.start(signed_in.identity_id, acr=signed_in.acr, idp_sid=signed_in.sid)
    response = RedirectResponse(signed_in.next_path, status_code=303)
    c.set_cookie(response, c.session_cookie, cookie, max_age=c.admin.session_ttl)
    response.delete_cookie(c.signin_cookie, path="/", secure=c.admin.secure_cookies)
    return response


@router.post("/logout")
async def logout(request: Request, c: ConsoleDep) -> Response:
    operator = c.sessions.current(request.cookies.get(c.session_cookie)).operator
    if operator is None:
        return RedirectResponse("/login", status_code=303)
    await checked_form(request, operator, reason=False)
    c.sessions.end(operator.session_hash)
    with c.platform.db.session() as s:
        audit.record(s, audit.AuditEvent.OPERATOR_SIGNED_OUT, actor=operator.actor, ip=client_ip(request))
    # RP-Initiated Logout 1.0 Section 2: the NIXA session ends too, and NIXA sends the browser back here.
    end_session = (await run_in_threadpool(c.sign_in.metadata)).get("end_session_endpoint")
    target = "/signed-out"
    if end_session:
        params = {"client_id": c.admin.client_id, "post_logout_redirect_uri": c.admin.signed_out_uri}
        target = f"{end_session}?{urlencode(params)}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(c.session_cookie, path="/", secure=c.admin.secure_cookies)
    return response


@router.get("/signed-out")
def signed_out(request: Request, c: ConsoleDep) -> Response:
    return c.render(request, "admin/signed_out.html", None)


@router.post("/backchannel-logout")
def backchannel_logout(c: ConsoleDep, logout_token: Annotated[str, Form()] = "") -> Response:
    """Back-Channel Logout 1.0 Section 2.8: 200 when the token is valid (sessions ended), 400 otherwise."""
    try:
        claims = validate_logout_token(c, logout_token)
    except LogoutTokenInvalid as exc:
        log.info("back-channel logout refused: %s", exc)
        return JSONResponse(
            {"error": "invalid_request"}, status_code=400, headers={"Cache-Control": "no-store"}
        )
    c.sessions.end_for_idp_session(claims["sub"], claims.get("sid"))
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax", path="/")
    return response
