"""Recent login for sensitive changes (OWASP ASVS 3.7.1, NIST SP 800-63B Section 7.2): a password entered
more than ten minutes ago sends the person to log in again; re-authentication keeps the session (same sid)
and gives the browser a new cookie value."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.config import Settings
from idp.db import utcnow
from idp.models import AuditRecord, SsoSession
from tests.conftest import ISSUER
from tests.factors.steps import enrol_totp, security_csrf
from tests.support.db import update_rows
from tests.support.factories import make_citizen
from tests.support.flows import authorize, csrf_of

REAUTH = "/login?next=%2Faccount%2Fsecurity&reauth=1"


def _age_sessions(op, identity_id, minutes=20):
    update_rows(
        op.db,
        SsoSession,
        SsoSession.identity_id == identity_id,
        auth_time=utcnow() - timedelta(minutes=minutes),
    )


def _session(op, identity_id):
    with op.db.session() as s:
        row = s.scalars(select(SsoSession).where(SsoSession.identity_id == identity_id)).one()
        return row.sid, row.cookie_hash, row.auth_time


def _reauth(browser, citizen, password=None):
    page = browser.get(REAUTH)
    assert page.status_code == 200 and 'id="reauth-notice"' in page.text, page.text[:300]
    return browser.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "username": citizen.personal_id,
            "password": password or citizen.password,
            "next": "/account/security",
            "reauth": "1",
        },
        follow_redirects=False,
    )


def test_limit_is_ten_minutes_by_default():
    assert Settings().recent_login_seconds == 600


def test_stale_login_must_log_in_again_before_adding_totp(browser, portal, citizen, op, clock):
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id)
    sid, cookie_hash, _ = _session(op, citizen.id)
    old_cookie = browser.cookies["nixa_session"]
    resp = browser.post(
        "/account/security/totp", data={"csrf_token": security_csrf(browser)}, follow_redirects=False
    )
    assert resp.status_code == 303 and resp.headers["location"] == REAUTH
    resp = _reauth(browser, citizen)
    assert resp.status_code == 303 and resp.headers["location"] == "/account/security"
    new_sid, new_hash, auth_time = _session(op, citizen.id)
    assert new_sid == sid and new_hash != cookie_hash
    assert utcnow() - auth_time < timedelta(minutes=1)
    assert browser.cookies["nixa_session"] != old_cookie
    enrol_totp(browser, clock.now)
    with op.db.session() as s:
        assert "account:reauthenticated" in set(s.scalars(select(AuditRecord.event)))


def test_old_cookie_is_worthless_after_reauthentication(browser, app, portal, citizen, op):
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id)
    with TestClient(app, base_url=ISSUER, cookies={"nixa_session": browser.cookies["nixa_session"]}) as stale:
        assert stale.get("/account/security").status_code == 200
        assert _reauth(browser, citizen).status_code == 303
        assert stale.get("/account/security").status_code == 401
        assert browser.get("/account/security").status_code == 200


def test_wrong_password_does_not_refresh_the_session(browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id)
    before = _session(op, citizen.id)
    resp = _reauth(browser, citizen, password="not-the-password")
    assert resp.status_code == 401 and 'id="reauth-notice"' in resp.text
    assert _session(op, citizen.id) == before


def test_another_persons_password_does_not_refresh_the_session(browser, portal, citizen, op):
    someone = make_citizen(op, email="chi.le@example.vn", full_name="Lê Thị Chi")
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id)
    before = _session(op, citizen.id)
    resp = _reauth(browser, someone)
    assert resp.status_code == 401
    assert _session(op, citizen.id) == before


@pytest.mark.parametrize(
    "path", ["/account/security/recovery-codes", "/account/security/password", "/account/security/passkeys"]
)
def test_every_sensitive_change_needs_a_recent_login(browser, portal, citizen, op, path):
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id)
    data = {
        "csrf_token": security_csrf(browser),
        "current_password": citizen.password,
        "new_password": "x" * 12,
    }
    resp = browser.post(path, data=data, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == REAUTH


def test_removing_a_factor_needs_a_recent_login(browser, portal, citizen, op, clock):
    authorize(browser, portal, citizen)
    enrol_totp(browser, clock.now)
    factor_id = browser.get("/account/security").text.split('data-factor="')[1].split('"')[0]
    _age_sessions(op, citizen.id)
    resp = browser.post(
        f"/account/security/factors/{factor_id}/remove",
        data={"csrf_token": security_csrf(browser)},
        follow_redirects=False,
    )
    assert resp.status_code == 303 and resp.headers["location"] == REAUTH
    assert f'data-factor="{factor_id}"' in browser.get("/account/security").text


def test_passkey_options_say_where_to_log_in_again(browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id)
    resp = browser.post("/account/security/passkeys/options", data={"csrf_token": security_csrf(browser)})
    assert resp.status_code == 401 and resp.json() == {"error": "reauth_required", "location": REAUTH}


def test_a_recent_login_is_enough(browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    _age_sessions(op, citizen.id, minutes=5)
    resp = browser.post("/account/security/recovery-codes", data={"csrf_token": security_csrf(browser)})
    assert resp.status_code == 200 and 'id="recovery-codes"' in resp.text


def test_stale_security_page_links_the_passkey_button_to_the_login(browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    assert 'data-passkey="create"' in browser.get("/account/security").text
    _age_sessions(op, citizen.id)
    page = browser.get("/account/security").text
    assert 'data-passkey="create"' not in page
    assert 'id="passkey-reauth"' in page and REAUTH.replace("&", "&amp;") in page
