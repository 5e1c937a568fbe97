"""The account security page: changes end the person's other sessions and are audited (issue 3)."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select

from idp.models import AuditRecord, LogoutDelivery, SsoSession
from tests.factors.steps import enrol_totp, security_csrf
from tests.support.factories import make_portal
from tests.support.flows import authorize


def decode_unverified(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _open_sessions(op, identity_id):
    with op.db.session() as s:
        return len(
            list(
                s.scalars(
                    select(SsoSession.sid).where(
                        SsoSession.identity_id == identity_id, SsoSession.ended_at.is_(None)
                    )
                )
            )
        )


def _events(op):
    with op.db.session() as s:
        return list(s.scalars(select(AuditRecord.event).order_by(AuditRecord.seq)))


def test_security_page_needs_a_session(browser):
    assert browser.get("/account/security").status_code == 401


def test_password_change_ends_other_sessions_and_is_audited(browser, other_browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    authorize(other_browser, portal, citizen)
    assert _open_sessions(op, citizen.id) == 2
    resp = browser.post(
        "/account/security/password",
        data={
            "csrf_token": security_csrf(browser),
            "current_password": citizen.password,
            "new_password": "Mới-2025-dài-hơn",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert _open_sessions(op, citizen.id) == 1
    assert browser.get("/account/security").status_code == 200
    assert other_browser.get("/account/security").status_code == 401
    assert "account:password:changed" in _events(op)


def test_password_change_needs_the_current_password(browser, portal, citizen):
    authorize(browser, portal, citizen)
    resp = browser.post(
        "/account/security/password",
        data={
            "csrf_token": security_csrf(browser),
            "current_password": "sai",
            "new_password": "Mới-2025-dài-hơn",
        },
    )
    assert resp.status_code == 400 and 'data-error="security.password_wrong"' in resp.text


def test_adding_and_removing_a_factor_end_other_sessions(browser, other_browser, portal, citizen, op, clock):
    authorize(browser, portal, citizen)
    authorize(other_browser, portal, citizen)
    enrol_totp(browser, clock.now)
    assert _open_sessions(op, citizen.id) == 1
    authorize(other_browser, portal, citizen)
    page = browser.get("/account/security").text
    factor_id = page.split('data-factor="')[1].split('"')[0]
    resp = browser.post(
        f"/account/security/factors/{factor_id}/remove",
        data={"csrf_token": security_csrf(browser)},
        follow_redirects=False,
    )
    assert resp.status_code == 303 and 'data-factor="' not in browser.get("/account/security").text
    assert _open_sessions(op, citizen.id) == 1
    assert {"account:factor:added", "account:factor:removed"} <= set(_events(op))


def test_security_forms_need_the_csrf_token(browser, portal, citizen):
    authorize(browser, portal, citizen)
    assert browser.post("/account/security/totp", data={"csrf_token": "x"}).status_code == 403


def test_password_change_tells_portals_of_ended_sessions(browser, other_browser, platform, citizen, op):
    """Back-Channel Logout 1.0 Section 2: a session ended because the credential changed is a logout too."""
    notified = make_portal(platform, backchannel_logout_uri="http://127.0.0.1:9/bcl")
    authorize(other_browser, notified, citizen)  # the session that will be ended took part in this portal
    authorize(browser, notified, citizen)
    browser.post(
        "/account/security/password",
        data={
            "csrf_token": security_csrf(browser),
            "current_password": citizen.password,
            "new_password": "Mới-2025-dài-hơn",
        },
        follow_redirects=False,
    )
    with op.db.session() as s:
        queued = list(s.scalars(select(LogoutDelivery).where(LogoutDelivery.client_id == notified.client_id)))
        ended = s.scalar(select(SsoSession).where(SsoSession.ended_at.is_not(None)))
    assert ended is not None and [d.sid for d in queued] == [ended.sid]
    assert "events" in decode_unverified(queued[0].logout_token)
