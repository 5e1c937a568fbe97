"""Every console route declares the permission it needs, and each role is refused, with a readable 403
page in Vietnamese or English, whatever its permissions do not include."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from admin.permissions import ROLE_PERMISSIONS, Permission, Role
from idp.models import AuditRecord
from tests.admin.conftest import sign_in_directly

# Routes that are reachable before signing in, by design.
PUBLIC = {
    "/login",
    "/login/start",
    "/callback",
    "/logout",
    "/signed-out",
    "/backchannel-logout",
    "/lang/{code}",
    "/healthz",
}


def guarded_routes(app) -> list[tuple[str, str, Permission]]:  # type: ignore[no-untyped-def]
    """Each section's routes (the only routers the app includes besides sign-in, ``routes_auth``)."""
    out = []
    for route in [r for section in app.state.sections for r in section.router.routes]:
        assert isinstance(route, APIRoute)
        needs = [d.call.permission for d in route.dependant.dependencies if hasattr(d.call, "permission")]
        assert len(needs) == 1, f"{route.path} must declare exactly one permission, has {needs}"
        for method in route.methods:
            out.append((method, route.path, needs[0]))
    return out


def test_sign_in_routes_are_the_only_public_ones() -> None:
    from admin.web import routes_auth

    assert {r.path for r in routes_auth.router.routes if isinstance(r, APIRoute)} <= PUBLIC


def test_every_route_declares_one_permission(console_app) -> None:
    routes = guarded_routes(console_app)
    assert len(routes) >= 20
    assert {p for _, _, p in routes} == set(Permission)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "no-such-item", path)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_what_it_may_not_do(
    role, console_app, console, console_browser, operator_factory, op
) -> None:
    operator = sign_in_directly(console, console_browser, operator_factory(role))
    allowed = ROLE_PERMISSIONS[role]
    refused = 0
    for method, path, permission in guarded_routes(console_app):
        resp = console_browser.request(method, concrete(path), data={}, follow_redirects=False)
        if permission in allowed:
            # Allowed: the view answers (a missing item, a form without its token), never 403.
            assert resp.status_code != 403, f"{role} refused {method} {path}"
        else:
            refused += 1
            assert resp.status_code == 403, f"{role} allowed {method} {path}: {resp.status_code}"
            assert f'data-permission="{permission}"' in resp.text
            assert "Không có quyền truy cập" in resp.text
    assert refused > 0
    with op.db.session() as s:
        denied = s.scalars(select(AuditRecord).where(AuditRecord.event == "operator:access_denied")).all()
        assert len(denied) == refused and all(r.actor == operator.actor for r in denied)


def test_the_refusal_page_is_in_english_on_request(console, console_browser, operator_factory) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    console_browser.cookies.set("nixa_lang", "en")
    resp = console_browser.get("/keys")
    assert resp.status_code == 403 and "Access not permitted" in resp.text and 'lang="en"' in resp.text


def test_the_auditor_changes_nothing() -> None:
    writes = {p for p in Permission if p.endswith((":decide", ":manage"))}
    assert not ROLE_PERMISSIONS[Role.AUDITOR] & writes
    assert ROLE_PERMISSIONS[Role.AUDITOR] == frozenset(set(Permission) - writes)


def test_signed_out_visitors_are_sent_to_sign_in(console_browser) -> None:
    resp = console_browser.get("/portals", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login?next=%2Fportals"
    page = console_browser.get("/login")
    assert 'id="sign-in"' in page.text and "Đăng nhập bằng NIXA" in page.text


def test_forms_without_the_session_token_are_refused(console, console_browser, operator_factory) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    resp = console_browser.post("/keys/rotate", data={"reason": "scheduled", "csrf_token": "forged"})
    assert resp.status_code == 400 and 'data-error="admin.error.csrf"' in resp.text


def test_security_headers(console_browser) -> None:
    h = console_browser.get("/login").headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["cache-control"] == "no-store" and "max-age" in h["strict-transport-security"]


def test_operators_section_lists_roles(console, console_browser, operator_factory) -> None:
    officer = operator_factory(Role.SECURITY_OFFICER, full_name="Trịnh Văn An")
    operator_factory(Role.VERIFIER, Role.AUDITOR, full_name="Lê Thị Kiểm")
    sign_in_directly(console, console_browser, officer)
    page = console_browser.get("/operators").text
    assert page.count("data-role=") == 3 and "Lê Thị Kiểm" in page and "Trịnh Văn An" in page
