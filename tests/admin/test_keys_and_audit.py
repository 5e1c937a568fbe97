"""Signing keys (list, rotate, withdraw a retired key) and the audit trail (filters, chain verification)."""

from __future__ import annotations

from sqlalchemy import select, text

from admin.permissions import Role
from idp.models import AuditRecord, SigningKey
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.support.db import audit_triggers_dropped
from tests.support.factories import make_portal


def test_rotate_and_withdraw_a_retired_key(
    console, console_browser, operator_factory, op, idp_backend
) -> None:
    officer = sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    page = console_browser.get("/keys").text
    assert page.count('data-state="current"') == 2 and page.count('data-state="next"') == 2
    resp = post(console_browser, "/keys/rotate", reason="yearly rotation", alg="ES256")
    assert resp.headers["location"] == "/keys?notice=rotated"
    with op.db.session() as s:
        retired = s.scalars(select(SigningKey.kid).where(SigningKey.state == "retired")).one()
        rotated = s.scalars(select(AuditRecord).where(AuditRecord.event == "key:rotated")).one()
        assert rotated.actor == officer.actor and rotated.data["reason"] == "yearly rotation"
    assert retired in {k["kid"] for k in idp_backend.get("/jwks").json()["keys"]}
    resp = post(console_browser, f"/keys/{retired}/retire", reason="private key exposed")
    assert resp.headers["location"] == "/keys?notice=retired"
    op.platform.keys._invalidate()  # the IdP process would see it within its cache lifetime
    assert retired not in {k["kid"] for k in idp_backend.get("/jwks").json()["keys"]}
    assert (
        f'data-kid="{retired}" data-state="retired" data-published="false"'
        in console_browser.get("/keys").text
    )


def test_an_active_key_cannot_be_withdrawn(console, console_browser, operator_factory, op) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    with op.db.session() as s:
        current = s.scalars(select(SigningKey.kid).where(SigningKey.state == "current")).first()
    resp = post(console_browser, f"/keys/{current}/retire", reason="try")
    assert resp.headers["location"] == "/keys?notice=not_retired"


def test_audit_filters(console, console_browser, operator_factory, platform) -> None:
    auditor = sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    portal = make_portal(platform)
    by_portal = console_browser.get("/audit", params={"portal": portal.client_id}).text
    assert by_portal.count("data-seq=") == 1 and 'data-event="client:created"' in by_portal
    assert console_browser.get("/portals/new").status_code == 403  # an auditor changes nothing
    by_actor = console_browser.get("/audit", params={"actor": auditor.actor}).text
    assert 'data-event="operator:access_denied"' in by_actor
    by_event = console_browser.get("/audit", params={"event": "client:created", "since": "2000-01-01"}).text
    assert by_event.count("data-seq=") >= 2  # the portal and the console's own registration
    future = console_browser.get("/audit", params={"since": "2999-01-01T00:00"}).text
    assert 'id="no-records"' in future


def test_audit_chain_verification(console, console_browser, operator_factory, op) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    ok = post(console_browser, "/audit/verify", reason=None)
    assert ok.status_code == 200 and 'data-ok="true"' in ok.text
    with audit_triggers_dropped(op.db), op.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET actor = 'someone else' WHERE seq = 1"))
    broken = post(console_browser, "/audit/verify", reason=None)
    assert 'data-ok="false"' in broken.text and "record 1" in broken.text
