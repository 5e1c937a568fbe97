"""Self-service: the person's profile and activity (SSO session required), password recovery and reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from idp.provider import OpenIDProvider
from idp.signup.form import check_new_password
from idp.signup.ratelimit import RateLimited
from idp.signup.selfservice import activity
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.pages import SESSION_COOKIE, Pages
from idp.web.routes_signup import Services, limited_page

router = APIRouter()


def _login_needed(request: Request, pages: Pages, path: str) -> Response:
    return pages.render(request, "profile_login.html", status_code=401, next_path=path)


@router.get("/account/profile")
def profile(request: Request, op: Provider, pages: PagesDep) -> Response:
    with op.db.read_session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        if session is None:
            return _login_needed(request, pages, "/account/profile")
        person = op.identities.person(session.identity)
    return pages.render(request, "profile.html", person=person)


@router.get("/account/activity")
def account_activity(request: Request, op: Provider, pages: PagesDep) -> Response:
    with op.db.read_session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        if session is None:
            return _login_needed(request, pages, "/account/activity")
        entries = activity(s, session.identity.id)
    return pages.render(request, "activity.html", entries=entries)


@router.get("/recover")
def recover_form(request: Request, pages: PagesDep) -> Response:
    return pages.render(request, "recover.html", sent=False, csrf_token=pages.csrf_token(request, "recover"))


@router.post("/recover")
async def recover(request: Request, pages: PagesDep, services: Services) -> Response:
    fields = await form_dict(request)
    if not pages.csrf_ok(request, "recover", fields.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    identifier = fields.get("identifier", "").strip()
    delivery = None
    if identifier:
        try:
            delivery = await run_in_threadpool(services.recovery.request, identifier, client_ip(request))
        except RateLimited as limited:  # too many requests from this address, whatever was typed
            return limited_page(
                request,
                pages,
                "recover.html",
                "recover.rate_limited",
                limited.retry_at,
                sent=False,
                csrf_token=pages.csrf_token(request, "recover"),
                page_path="/recover",
            )
    # The same page whatever was typed: it must not tell whether an account exists.
    response = pages.render(request, "recover.html", sent=True, csrf_token="", page_path="/recover")
    if delivery is not None:
        response.background = BackgroundTask(delivery)  # sent after the answer, so timing tells nothing
    return response


@router.get("/reset")
async def reset_form(request: Request, pages: PagesDep, services: Services, token: str = "") -> Response:
    if token and not await run_in_threadpool(services.recovery.link_is_open, token):
        return _reset_page(request, pages, state="invalid", status_code=410)
    return _reset_page(request, pages, token=token)


def _reset_page(request: Request, pages: Pages, *, status_code: int = 200, **context: Any) -> Response:
    context.setdefault("state", "open")
    context.setdefault("token", "")
    context.setdefault("identifier", "")
    context.setdefault("errors", {})
    csrf = pages.csrf_token(request, "reset")
    return pages.render(
        request, "reset.html", status_code=status_code, csrf_token=csrf, page_path="/reset", **context
    )


@router.post("/reset")
async def reset(request: Request, op: Provider, pages: PagesDep, services: Services) -> Response:
    fields = await form_dict(request)
    if not pages.csrf_ok(request, "reset", fields.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    token, identifier = fields.get("token", ""), fields.get("identifier", "").strip()
    password = fields.get("password", "")
    if errors := check_new_password(password, fields.get("password_confirm", "")):
        return _reset_page(request, pages, token=token, identifier=identifier, errors=errors, status_code=400)
    keep = await run_in_threadpool(_current_sid, op, request.cookies.get(SESSION_COOKIE))
    ip = client_ip(request)
    if token:
        ok = await run_in_threadpool(services.recovery.reset_with_link, token, password, keep, ip)
    else:
        code = fields.get("code", "")
        ok = await run_in_threadpool(services.recovery.reset_with_code, identifier, code, password, keep, ip)
    if not ok:
        return _reset_page(request, pages, token=token, identifier=identifier, state="wrong", status_code=400)
    return _reset_page(request, pages, state="done")


def _current_sid(op: OpenIDProvider, cookie: str | None) -> str | None:
    """The session of this browser survives the reset; every other session of the identity ends."""
    with op.db.read_session() as s:
        session = op.sessions.from_cookie(s, cookie)
        return session.row.sid if session else None
