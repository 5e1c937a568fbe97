"""Second factors: the step-up page of the login flow and the account security page (issue 3).

Forms work without JavaScript except the passkey buttons: WebAuthn is only reachable through
``navigator.credentials``, so those fetch their options as JSON and post the browser's answer back in a form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import InvalidPageRequest
from idp.factors.active_sessions import PersonalLogout, summaries
from idp.factors.passkeys import PasskeyError
from idp.factors.recent_login import is_recent, reauth_location
from idp.factors.totp import qr_data_uri
from idp.oauth.logout import LogoutRequest, LogoutResult
from idp.provider import InteractionView, OpenIDProvider
from idp.sessions import ActiveSession
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.i18n import translate
from idp.web.pages import BROWSER_COOKIE, SESSION_COOKIE, Pages
from idp.web.routes_logout import _notify_backchannel
from idp.web.routes_oidc import authorization_response

router = APIRouter()
T = TypeVar("T")
_SECURITY = "security"
_SESSIONS = "sessions"


# -- step-up page of the login flow ---------------------------------------------------------------------
def second_factor_page(
    request: Request, pages: Pages, view: InteractionView, locale: str, *, error: str | None = None
) -> Response:
    interaction_id = view.interaction.id
    return pages.render(
        request,
        "factor.html",
        locale=locale,
        status_code=401 if error else 200,
        client_name=view.client.name,
        interaction_id=interaction_id,
        kinds=view.factor_kinds,
        error=error,
        csrf_token=pages.csrf_token(request, f"interaction:{interaction_id}"),
        page_path=f"/interaction/{interaction_id}",
        form_targets=[view.request.redirect_uri],
    )


def _credential(form: dict[str, str]) -> dict[str, Any] | None:
    try:
        value = json.loads(form.get("credential", ""))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@router.post("/interaction/{interaction_id}/passkey/options")
async def step_up_passkey_options(
    interaction_id: str, request: Request, op: Provider, pages: PagesDep
) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, f"interaction:{interaction_id}", form.get("csrf_token")):
        return JSONResponse({"error": "csrf"}, status_code=403)
    browser, cookie = request.cookies.get(BROWSER_COOKIE), request.cookies.get(SESSION_COOKIE)
    try:
        options = await run_in_threadpool(op.passkey_options, interaction_id, browser, cookie)
    except InvalidPageRequest as exc:
        return JSONResponse({"error": exc.message_key}, status_code=400)
    return Response(options, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.post("/interaction/{interaction_id}/factor")
async def step_up(interaction_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, f"interaction:{interaction_id}", form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    method = form.get("method", "")
    value: str | dict[str, Any] = (_credential(form) or {}) if method == "passkey" else form.get("code", "")
    browser, cookie = request.cookies.get(BROWSER_COOKIE), request.cookies.get(SESSION_COOKIE)
    try:
        outcome = await run_in_threadpool(
            lambda: op.submit_second_factor(
                interaction_id, browser, cookie, method=method, value=value, ip=client_ip(request)
            )
        )
        if outcome.result is None:
            view = await run_in_threadpool(op.view, interaction_id, browser, cookie)
            locale = pages.locale(request, view.request.ui_locales)
            error = translate(outcome.error_key or "factor.failed", locale)
            return second_factor_page(request, pages, view, locale, error=error)
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    response = authorization_response(request, pages, outcome.result)
    # The session just rose to level 3: a new cookie value, so a cookie planted or seen before the step-up
    # is not worth level 3 (session fixation, OWASP ASVS 3.2.1).
    rotated = await run_in_threadpool(_rotate_cookie, op, cookie)
    if rotated is not None:
        pages.set_cookie(response, SESSION_COOKIE, rotated, max_age=op.platform.settings.session_ttl)
    return response


def _rotate_cookie(op: OpenIDProvider, cookie: str | None) -> str | None:
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, cookie)
        return None if session is None else op.sessions.rotate_cookie(s, session.row)


# -- account security page ------------------------------------------------------------------------------
def _as_person(op: OpenIDProvider, cookie: str | None, work: Callable[[Any, ActiveSession], T]) -> T | None:
    """Run ``work`` in one transaction for the logged-in person; None when nobody is logged in."""
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, cookie)
        return None if session is None else work(s, session)


def _login_first(request: Request, pages: Pages) -> Response:
    return pages.render(request, "security.html", status_code=401, person_name=None)


async def _stale_login(request: Request, op: OpenIDProvider, pages: Pages) -> Response | None:
    """None when the password was entered recently enough for a sensitive change; otherwise the response:
    the login page, or re-authentication that comes back to the security page (ASVS 3.7.1)."""
    recent = await run_in_threadpool(
        _as_person,
        op,
        request.cookies.get(SESSION_COOKIE),
        lambda s, sess: is_recent(sess, op.platform.settings.recent_login_seconds),
    )
    if recent is None:
        return _login_first(request, pages)
    return None if recent else RedirectResponse(reauth_location("/account/security"), status_code=303)


async def _form(request: Request, pages: Pages) -> dict[str, str] | None:
    form = await form_dict(request)
    return form if pages.csrf_ok(request, _SECURITY, form.get("csrf_token")) else None


def _back(notice: str | None = None) -> Response:
    return RedirectResponse("/account/security" + (f"?notice={notice}" if notice else ""), status_code=303)


def _overview(op: OpenIDProvider, s: Any, session: ActiveSession) -> dict[str, Any]:
    factors = [{"id": f.id, "kind": f.kind} for f in op.factors.confirmed(s, session.identity.id)]
    return {
        "person_name": op.identities.person(session.identity).full_name,
        "factors": factors,
        "recovery_left": op.factors.recovery_left(s, session.identity.id),
        # The passkey script cannot follow a redirect to the login page: a stale session gets a link.
        "reauth_url": None
        if is_recent(session, op.platform.settings.recent_login_seconds)
        else reauth_location("/account/security"),
    }


@router.get("/account/security")
async def security(request: Request, op: Provider, pages: PagesDep, notice: str | None = None) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    data = await run_in_threadpool(_as_person, op, cookie, lambda s, sess: _overview(op, s, sess))
    if data is None:
        return _login_first(request, pages)
    notice_key = "security.saved" if notice == "saved" else None
    error_key = "security.passkey_failed" if notice == "passkey_failed" else None
    csrf = pages.csrf_token(request, _SECURITY)
    return pages.render(request, "security.html", notice=notice_key, error=error_key, csrf_token=csrf, **data)


def _totp_page(request: Request, pages: Pages, data: dict[str, str], *, error: str | None = None) -> Response:
    return pages.render(
        request,
        "security_totp.html",
        status_code=400 if error else 200,
        error=error,
        csrf_token=pages.csrf_token(request, _SECURITY),
        factor_id=data["factor_id"],
        qr=data["qr"],
        secret=data["secret"],
    )


def _totp_enrolment(
    op: OpenIDProvider, s: Any, session: ActiveSession, factor_id: str | None
) -> dict[str, str]:
    totp = op.factors.totp
    factor = totp.pending(s, session.identity.id, factor_id) if factor_id else None
    factor = factor or totp.start(s, session.identity.id)
    person = op.identities.person(session.identity)
    uri = totp.provisioning_uri(factor, person.email or person.full_name or session.identity.id)
    secret = totp.secret(factor)
    return {
        "factor_id": factor.id,
        "qr": qr_data_uri(uri),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@router.post("/account/security/totp")
async def totp_start(request: Request, op: Provider, pages: PagesDep) -> Response:
    if await _form(request, pages) is None:
        return pages.error(request, "error.csrf", status_code=403)
    if (stale := await _stale_login(request, op, pages)) is not None:
        return stale
    cookie = request.cookies.get(SESSION_COOKIE)
    data = await run_in_threadpool(_as_person, op, cookie, lambda s, sess: _totp_enrolment(op, s, sess, None))
    return _login_first(request, pages) if data is None else _totp_page(request, pages, data)


@router.post("/account/security/totp/{factor_id}/confirm")
async def totp_confirm(factor_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await _form(request, pages)
    if form is None:
        return pages.error(request, "error.csrf", status_code=403)
    if (stale := await _stale_login(request, op, pages)) is not None:
        return stale
    cookie, ip, code = request.cookies.get(SESSION_COOKIE), client_ip(request), form.get("code", "")
    ok = await run_in_threadpool(
        _as_person, op, cookie, lambda s, sess: op.factors.confirm_totp(s, sess, factor_id, code, ip)
    )
    if ok is None:
        return _login_first(request, pages)
    if ok:
        return _back("saved")
    data = await run_in_threadpool(
        _as_person, op, cookie, lambda s, sess: _totp_enrolment(op, s, sess, factor_id)
    )
    assert data is not None
    return _totp_page(request, pages, data, error="security.totp_bad_code")


@router.post("/account/security/passkeys/options")
async def passkey_options(request: Request, op: Provider, pages: PagesDep) -> Response:
    if await _form(request, pages) is None:
        return JSONResponse({"error": "csrf"}, status_code=403)
    stale = await _stale_login(request, op, pages)
    if stale is not None:
        # JSON for the passkey script: it sends the person to the address given.
        location = stale.headers.get("location")
        return JSONResponse(
            {"error": "reauth_required" if location else "login_required", "location": location},
            status_code=401,
        )

    def work(s: Any, session: ActiveSession) -> str:
        name = op.identities.person(session.identity).full_name or session.identity.id
        return op.factors.passkeys.registration_options(s, session.identity.id, name)

    options = await run_in_threadpool(_as_person, op, request.cookies.get(SESSION_COOKIE), work)
    if options is None:
        return JSONResponse({"error": "login_required"}, status_code=401)
    return Response(options, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.post("/account/security/passkeys")
async def passkey_register(request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await _form(request, pages)
    if form is None:
        return pages.error(request, "error.csrf", status_code=403)
    if (stale := await _stale_login(request, op, pages)) is not None:
        return stale
    credential, ip = _credential(form) or {}, client_ip(request)
    try:
        done = await run_in_threadpool(
            _as_person,
            op,
            request.cookies.get(SESSION_COOKIE),
            lambda s, sess: op.factors.register_passkey(s, sess, credential, ip),
        )
    except PasskeyError:
        return _back("passkey_failed")
    return _login_first(request, pages) if done is None else _back("saved")


@router.post("/account/security/factors/{factor_id}/remove")
async def remove_factor(factor_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    if await _form(request, pages) is None:
        return pages.error(request, "error.csrf", status_code=403)
    if (stale := await _stale_login(request, op, pages)) is not None:
        return stale
    ip = client_ip(request)
    removed = await run_in_threadpool(
        _as_person,
        op,
        request.cookies.get(SESSION_COOKIE),
        lambda s, sess: op.factors.remove(s, sess, factor_id, ip),
    )
    return _login_first(request, pages) if removed is None else _back("saved" if removed else None)


@router.post("/account/security/recovery-codes")
async def recovery_codes(request: Request, op: Provider, pages: PagesDep) -> Response:
    if await _form(request, pages) is None:
        return pages.error(request, "error.csrf", status_code=403)
    if (stale := await _stale_login(request, op, pages)) is not None:
        return stale
    ip = client_ip(request)
    codes = await run_in_threadpool(
        _as_person,
        op,
        request.cookies.get(SESSION_COOKIE),
        lambda s, sess: op.factors.new_recovery_codes(s, sess, ip),
    )
    if codes is None:
        return _login_first(request, pages)
    return pages.render(request, "security_codes.html", codes=codes)


@router.post("/account/security/password")
async def change_password(request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await _form(request, pages)
    if form is None:
        return pages.error(request, "error.csrf", status_code=403)
    if (stale := await _stale_login(request, op, pages)) is not None:
        return stale
    current, new, ip = form.get("current_password", ""), form.get("new_password", ""), client_ip(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    # Threadpool: two argon2 computations must not stall the event loop.
    result = await run_in_threadpool(
        _as_person,
        op,
        cookie,
        lambda s, sess: op.factors.change_password(s, sess, current=current, new=new, ip=ip) or "",
    )
    if result is None:
        return _login_first(request, pages)
    if result == "":
        return _back("saved")
    data = await run_in_threadpool(_as_person, op, cookie, lambda s, sess: _overview(op, s, sess))
    csrf = pages.csrf_token(request, _SECURITY)
    return pages.render(
        request, "security.html", status_code=400, error=result, notice=None, csrf_token=csrf, **(data or {})
    )


# -- active sessions --------------------------------------------------------------------------------------
def _personal_logout(op: OpenIDProvider) -> PersonalLogout:
    return PersonalLogout(op.db, op.signer, op.subjects, op.sessions)


@router.get("/account/sessions")
async def sessions_page(request: Request, op: Provider, pages: PagesDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    rows = await run_in_threadpool(_as_person, op, cookie, summaries)
    if rows is None:
        return pages.render(request, "sessions.html", status_code=401, sessions=None)
    return pages.render(
        request, "sessions.html", sessions=rows, csrf_token=pages.csrf_token(request, _SESSIONS)
    )


async def _ended(request: Request, deliveries: list[int], to: str = "/account/sessions") -> Response:
    response = RedirectResponse(to, status_code=303)
    # The same delivery path as /logout: the worker sends the queued logout tokens off this request.
    response.background = await _notify_backchannel(
        request, LogoutResult(LogoutRequest({}), True, [], deliveries), wait=False
    )
    return response


@router.post("/account/sessions/{sid}/end")
async def end_session(sid: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, _SESSIONS, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    cookie, ip, logout = request.cookies.get(SESSION_COOKIE), client_ip(request), _personal_logout(op)
    ended = await run_in_threadpool(
        _as_person, op, cookie, lambda s, sess: (logout.end_own(s, sess, sid, ip), sess.row.sid == sid)
    )
    if ended is None:
        return _login_first(request, pages)
    deliveries, was_current = ended
    if deliveries is None:
        # Not an open session of this person: the same answer whether it exists or not.
        return pages.error(request, "sessions.not_found", status_code=404)
    if not was_current:
        return await _ended(request, deliveries)
    # This browser's own session ended: it is logged out like after /logout.
    response = await _ended(request, deliveries, to="/login?next=/account/sessions")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=pages.secure, httponly=True, samesite="lax")
    return response


@router.post("/account/sessions/end-others")
async def end_other_sessions(request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, _SESSIONS, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    cookie, ip, logout = request.cookies.get(SESSION_COOKIE), client_ip(request), _personal_logout(op)
    deliveries = await run_in_threadpool(
        _as_person, op, cookie, lambda s, sess: logout.end_others(s, sess, ip)
    )
    return _login_first(request, pages) if deliveries is None else await _ended(request, deliveries)
