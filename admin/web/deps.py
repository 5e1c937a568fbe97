"""Who may see what: ``require(permission)`` guards every console route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.console import Console


class NeedsSignIn(Exception):
    def __init__(self, idle_expired: bool) -> None:
        super().__init__("sign-in needed")
        self.idle_expired = idle_expired


class NotPermitted(Exception):
    def __init__(self, operator: Operator, permission: Permission) -> None:
        super().__init__(f"{permission} refused")
        self.operator = operator
        self.permission = permission


class BadForm(Exception):
    """A form without a valid CSRF token, or missing a required field (``key`` says which message)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def console(request: Request) -> Console:
    c: Console = request.app.state.console
    return c


def require(permission: Permission) -> Callable[..., Operator]:
    """A dependency that yields the signed-in operator holding ``permission``, else a sign-in redirect or
    a readable 403 page (handled in ``admin.web.app``). Its ``permission`` attribute lets tests check that
    every route declares one."""

    def dependency(request: Request) -> Operator:
        c = console(request)
        lookup = c.sessions.current(request.cookies.get(c.session_cookie))
        if lookup.operator is None:
            raise NeedsSignIn(lookup.idle_expired)
        if not lookup.operator.may(permission):
            raise NotPermitted(lookup.operator, permission)
        request.state.operator = lookup.operator
        return lookup.operator

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


async def checked_form(request: Request, operator: Operator, *, reason: bool = True) -> dict[str, str]:
    """The posted fields, once the CSRF token matches; with ``reason`` the "why" field is required, since
    every operator action is audited with who, what and why."""
    form = await request.form()
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    if not console(request).csrf_ok(operator, fields.get("csrf_token")):
        raise BadForm("admin.error.csrf")
    if reason and not fields.get("reason"):
        raise BadForm("admin.error.reason_required")
    return fields


def form_lists(form: Any, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


ConsoleDep = Annotated[Console, Depends(console)]
