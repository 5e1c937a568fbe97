"""Log in to NIXA itself, for the citizen's own pages (/account/...), with no portal involved.

The same password check, throttling and audit as a portal login; the session it starts is the browser's
single sign-on session. ``next`` must be a local path, so the page cannot be used as an open redirect.

With ``reauth=1`` the password is asked again even though a session exists (recent login for sensitive
changes, ``idp.factors.recent_login``): the same session gets a fresh auth_time and a new cookie value.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from idp import audit
from idp.provider import OpenIDProvider
from idp.sessions import ActiveSession
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
    reauth: bool = False,
) -> Response:
    return pages.render(
        request,
        "selflogin.html",
        status_code=status_code,
        next_path=next_path,
        username=username,
        error=error,
        reauth=reauth,
        csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
    )


@router.get("/login")
def login_page(
    request: Request, op: Provider, pages: PagesDep, next: str | None = None, reauth: str | None = None
) -> Response:
    with op.db.read_session() as s:
        logged_in = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE)) is not None
    if logged_in and reauth != "1":
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, pages, safe_next(next), reauth=logged_in)


@router.post("/login")
async def login_submit(request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    next_path = safe_next(form.get("next"))
    if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    locale = pages.locale(request)
    username, password = form.get("username", "").strip(), form.get("password", "")
    # Only the session of this browser can be re-authenticated, and only when the form asked for it.
    current = request.cookies.get(SESSION_COOKIE) if form.get("reauth") == "1" else None
    reauth = current is not None
    if not username or not password:
        return _page(
            request,
            pages,
            next_path,
            username=username,
            error=translate("login.missing", locale),
            status_code=400,
            reauth=reauth,
        )
    cookie, locked_until = await run_in_threadpool(
        _authenticate, op, username, password, client_ip(request), request.headers.get("user-agent"), current
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
            reauth=reauth,
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
    reauth_cookie: str | None = None,
) -> tuple[str | None, datetime | None]:
    checked = op.login.check_first(op.db, username=username, password=password, ip=ip)
    with op.db.session() as s:
        result = op.login.attempt(
            s, username=username, password=password, ip=ip, client_id=None, checked=checked
        )
        if result.identity is None:
            return None, result.locked_until
        current = op.sessions.from_cookie(s, reauth_cookie)
        if current is not None:
            return _reauthenticate(op, s, current, result.identity.id, ip), None
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


def _reauthenticate(
    op: OpenIDProvider, s: Session, current: ActiveSession, identity_id: str, ip: str | None
) -> str | None:
    """The same session, refreshed: same sid (portals keep their login), new auth_time, new cookie value.

    Someone else's password cannot refresh this person's session: that answers like a wrong password.
    """
    if identity_id != current.identity.id:
        return None
    cookie = op.sessions.reauthenticated(s, current.row)
    audit.record(
        s,
        audit.AuditEvent.REAUTHENTICATED,
        identity_id=identity_id,
        ip=ip,
        data={"sid": current.row.sid, "amr": ["pwd"]},
    )
    return cookie
