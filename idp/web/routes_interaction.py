"""The login, account-choice and consent pages (server-rendered, CSRF-protected, no JavaScript needed)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.db import utcnow
from idp.errors import InvalidPageRequest
from idp.provider import InteractionView, LoginOutcome, OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.extensions import LoginChoice, LoginMethod
from idp.web.i18n import translate
from idp.web.pages import BROWSER_COOKIE, SESSION_COOKIE, Pages
from idp.web.routes_factors import second_factor_page
from idp.web.routes_oidc import authorization_response

router = APIRouter()


def _login_page(
    request: Request,
    pages: Pages,
    view: InteractionView,
    locale: str,
    *,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
    choices: list[LoginChoice] | None = None,
) -> Response:
    interaction_id = view.interaction.id
    methods: list[LoginMethod] = request.app.state.login_methods
    return pages.render(
        request,
        "login.html",
        login_choices=choices
        if choices is not None
        else [c for m in methods for c in m.login_choices(view, locale)],
        locale=locale,
        status_code=status_code,
        client_name=view.client.name,
        interaction_id=interaction_id,
        username=username,
        error=error,
        csrf_token=pages.csrf_token(request, f"interaction:{interaction_id}"),
        page_path=f"/interaction/{interaction_id}",
        form_targets=[view.request.redirect_uri],
    )


@router.get("/interaction/{interaction_id}")
def show(interaction_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    try:
        view = op.view(
            interaction_id, request.cookies.get(BROWSER_COOKIE), request.cookies.get(SESSION_COOKIE)
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    locale = pages.locale(request, view.request.ui_locales)
    csrf = pages.csrf_token(request, f"interaction:{interaction_id}")
    common: dict[str, Any] = {
        "client_name": view.client.name,
        "interaction_id": interaction_id,
        "csrf_token": csrf,
        "locale": locale,
        "form_targets": [view.request.redirect_uri],
    }
    if view.step == "consent":
        return pages.render(
            request, "consent.html", claims=view.claims, offline="offline_access" in view.scopes, **common
        )
    if view.step == "second_factor" and view.person_name:
        return second_factor_page(request, pages, view, locale)
    if view.step == "select_account" and view.person_name:
        return pages.render(request, "select_account.html", person_name=view.person_name, **common)
    methods: list[LoginMethod] = request.app.state.login_methods
    choices = [c for m in methods for c in m.login_choices(view, locale)]
    preselected = [c for c in choices if c.preselected]
    if len(preselected) == 1:
        return pages.finish(request, RedirectResponse(preselected[0].href, status_code=303))
    return _login_page(
        request,
        pages,
        view,
        locale,
        username=view.request.login_hint or "",
        choices=choices,
    )


async def _checked_form(request: Request, pages: Pages, interaction_id: str) -> dict[str, str] | None:
    form = await form_dict(request)
    if not pages.csrf_ok(request, f"interaction:{interaction_id}", form.get("csrf_token")):
        return None
    return form


@router.post("/interaction/{interaction_id}/login")
async def login(interaction_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await _checked_form(request, pages, interaction_id)
    if form is None:
        return pages.error(request, "error.csrf", status_code=403)
    browser = request.cookies.get(BROWSER_COOKIE)
    try:
        if form.get("action") == "cancel":
            return authorization_response(
                request, pages, await run_in_threadpool(op.cancel, interaction_id, browser)
            )
        username, password = form.get("username", "").strip(), form.get("password", "")
        outcome = None
        if username and password:
            # Threadpool: argon2 and the database must not stall the event loop for everyone else.
            outcome = await run_in_threadpool(
                op.submit_login,
                interaction_id,
                browser,
                username=username,
                password=password,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
            if outcome.result is not None:
                return finish_login(request, pages, op, outcome)
        # The page is shown again (a field missing, or the login failed): only then is its view read.
        view = await run_in_threadpool(op.view, interaction_id, browser, None)
        locale = pages.locale(request, view.request.ui_locales)
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    if outcome is None:
        error, status, retry_after = translate("login.missing", locale), 400, None
    else:
        until = outcome.locked_until.strftime("%H:%M") if outcome.locked_until else ""
        error = translate(outcome.error_key or "login.failed", locale, time=until)
        status = 429 if outcome.locked_until else 401
        retry_after = outcome.locked_until
    page = _login_page(request, pages, view, locale, username=username, error=error, status_code=status)
    if retry_after:
        # RFC 6585 Section 4: a 429 says when to retry, for scripts as well as for the person.
        wait = (retry_after - utcnow()).total_seconds()
        page.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return page


def finish_login(request: Request, pages: Pages, op: OpenIDProvider, outcome: LoginOutcome) -> Response:
    """Answer a successful login (password here, or another method through
    ``OpenIDProvider.complete_external_login``): set the SSO cookie and carry the authorization on."""
    if outcome.result is None:
        return pages.error(request, outcome.error_key or "login.failed", status_code=401)
    response = authorization_response(request, pages, outcome.result)
    if outcome.session_cookie:
        pages.set_cookie(
            response, SESSION_COOKIE, outcome.session_cookie, max_age=op.platform.settings.session_ttl
        )
    return response


@router.post("/interaction/{interaction_id}/consent")
async def consent(interaction_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await _checked_form(request, pages, interaction_id)
    if form is None:
        return pages.error(request, "error.csrf", status_code=403)
    try:
        outcome = await run_in_threadpool(
            op.submit_consent,
            interaction_id,
            request.cookies.get(BROWSER_COOKIE),
            request.cookies.get(SESSION_COOKIE),
            approve=form.get("decision") == "approve",
            ip=client_ip(request),
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    return authorization_response(request, pages, outcome)


@router.post("/interaction/{interaction_id}/select")
async def select(interaction_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await _checked_form(request, pages, interaction_id)
    if form is None:
        return pages.error(request, "error.csrf", status_code=403)
    try:
        outcome = await run_in_threadpool(
            op.select_account,
            interaction_id,
            request.cookies.get(BROWSER_COOKIE),
            request.cookies.get(SESSION_COOKIE),
            use_current=form.get("choice") == "current",
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    return authorization_response(request, pages, outcome)
