"""Log in to NIXA itself, for the citizen's own pages (/account/...), with no portal involved.

The same password check, throttling and audit as a portal login; the session it starts is the browser's
single sign-on session. ``next`` must be a local path, so the page cannot be used as an open redirect.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp import audit
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.i18n import translate
from idp.web.pages import SESSION_COOKIE, Pages

router = APIRouter()
CSRF_PURPOSE = "selflogin"


def safe_next(value: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' and no backslash tricks."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/account"


def _page(
    request: Request,
    pages: Pages,
    next_path: str,
    *,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return pages.render(
        request,
        "selflogin.html",
        status_code=status_code,
        next_path=next_path,
        username=username,
        error=error,
        csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
    )


@router.get("/login")
def login_page(request: Request, op: Provider, pages: PagesDep, next: str | None = None) -> Response:
    with op.db.read_session() as s:
        if op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE)) is not None:
            return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, pages, safe_next(next))


@router.post("/login")
async def login_submit(request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    next_path = safe_next(form.get("next"))
    if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    locale = pages.locale(request)
    username, password = form.get("username", "").strip(), form.get("password", "")
    if not username or not password:
        return _page(
            request,
            pages,
            next_path,
            username=username,
            error=translate("login.missing", locale),
            status_code=400,
        )
    cookie, locked_until = await run_in_threadpool(
        _authenticate, op, username, password, client_ip(request), request.headers.get("user-agent")
    )
    if cookie is None:
        key = "login.locked" if locked_until else "login.failed"
        until = locked_until.strftime("%H:%M") if locked_until else ""
        return _page(
            request,
            pages,
            next_path,
            username=username,
            error=translate(key, locale, time=until),
            status_code=429 if locked_until else 401,
        )
    response = RedirectResponse(next_path, status_code=303)
    pages.set_cookie(response, SESSION_COOKIE, cookie, max_age=op.platform.settings.session_ttl)
    return response


def _authenticate(
    op: OpenIDProvider,
    username: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
) -> tuple[str | None, datetime | None]:
    with op.db.session() as s:
        result = op.login.attempt(s, username=username, password=password, ip=ip, client_id=None)
        if result.identity is None:
            return None, result.locked_until
        row, cookie = op.sessions.start(
            s, identity=result.identity, auth_level=2, amr=["pwd"], ip=ip, user_agent=user_agent
        )
        audit.record(
            s,
            audit.AuditEvent.LOGIN_SUCCEEDED,
            identity_id=result.identity.id,
            ip=ip,
            data={"sid": row.sid, "amr": ["pwd"], "to": "account"},
        )
        return cookie, None
