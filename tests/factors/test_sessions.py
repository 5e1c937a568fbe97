"""Active sessions on the account pages: listed, ended one by one or all others, each a full single logout."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.factors.active_sessions import short_browser
from idp.models import AuditRecord, Grant, LogoutDelivery, SsoSession
from tests.conftest import ISSUER
from tests.oidc.test_logout import RelyingPartyServer, portal_with
from tests.support.factories import make_citizen
from tests.support.flows import authorize, csrf_of, redeem

ROW = re.compile(r'<tr data-sid="([^"]+)"( data-current="true")?>')


def _sessions(browser):
    """(sid, is current) of every row on the sessions page, and the page's CSRF token."""
    page = browser.get("/account/sessions")
    assert page.status_code == 200, page.text[:300]
    return [(sid, bool(cur)) for sid, cur in ROW.findall(page.text)], csrf_of(page.text)


def _other_sid(rows):
    return next(sid for sid, current in rows if not current)


def _ended(op, sid):
    with op.db.session() as s:
        return s.get(SsoSession, sid).ended_at is not None


def test_sessions_are_listed_with_this_browser_marked(browser, other_browser, portal, citizen):
    authorize(browser, portal, citizen)
    authorize(other_browser, portal, citizen)
    page = browser.get("/account/sessions")
    rows, _ = _sessions(browser)
    assert len(rows) == 2 and sum(current for _, current in rows) == 1
    assert "trình duyệt này" in page.text and "Mức 2 (mật khẩu)" in page.text
    assert 'href="/account/sessions"' in browser.get("/account/security").text


def test_sessions_page_needs_a_session(browser):
    assert browser.get("/account/sessions").status_code == 401


def test_ending_another_session_logs_that_browser_out_and_notifies_its_portal(
    browser, other_browser, api, citizen, platform, op
):
    rp = RelyingPartyServer()
    try:
        portal = portal_with(platform, backchannel_logout_uri=rp.url("/bc"))
        authorize(browser, portal, citizen)
        there = authorize(other_browser, portal, citizen)
        assert redeem(api, portal, there.code, there.verifier).status_code == 200
        rows, csrf = _sessions(browser)
        sid = _other_sid(rows)
        resp = browser.post(f"/account/sessions/{sid}/end", data={"csrf_token": csrf}, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"] == "/account/sessions"
        assert other_browser.get("/account/security").status_code == 401
        assert browser.get("/account/security").status_code == 200
        assert rp.wait_for(1, "/bc")[0]["logout_token"]
    finally:
        rp.close()
    with op.db.session() as s:
        assert [d.sid for d in s.scalars(select(LogoutDelivery))] == [sid]
        grants = s.scalars(select(Grant).where(Grant.sid == sid)).all()
        assert grants and all(g.revoked_at is not None for g in grants)
        events = list(s.scalars(select(AuditRecord.event)))
    assert {"session:logout", "account:session:ended"} <= set(events)


def test_end_all_other_sessions_keeps_only_this_one(browser, other_browser, app, portal, citizen, op):
    with TestClient(app, base_url=ISSUER) as third:
        for b in (browser, other_browser, third):
            authorize(b, portal, citizen)
        rows, csrf = _sessions(browser)
        assert len(rows) == 3
        resp = browser.post("/account/sessions/end-others", data={"csrf_token": csrf}, follow_redirects=False)
        assert resp.status_code == 303
        assert [current for _, current in _sessions(browser)[0]] == [True]
        assert third.get("/account/security").status_code == 401
        assert other_browser.get("/account/security").status_code == 401


def test_ending_this_browsers_session_logs_it_out(browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    rows, csrf = _sessions(browser)
    resp = browser.post(
        f"/account/sessions/{rows[0][0]}/end", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    assert _ended(op, rows[0][0]) and browser.get("/account/security").status_code == 401


def test_a_session_of_another_person_cannot_be_ended(browser, other_browser, portal, citizen, op):
    someone = make_citizen(op, email="chi.le@example.vn", full_name="Lê Thị Chi")
    authorize(browser, portal, citizen)
    authorize(other_browser, portal, someone)
    theirs = _sessions(other_browser)[0][0][0]
    _, csrf = _sessions(browser)
    resp = browser.post(f"/account/sessions/{theirs}/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 404 and 'data-error="sessions.not_found"' in resp.text
    assert not _ended(op, theirs) and other_browser.get("/account/security").status_code == 200
    with op.db.session() as s:
        assert "account:session:ended" not in set(s.scalars(select(AuditRecord.event)))


def test_unknown_sid_is_the_same_not_found(browser, portal, citizen):
    authorize(browser, portal, citizen)
    _, csrf = _sessions(browser)
    resp = browser.post("/account/sessions/no-such-sid/end", data={"csrf_token": csrf})
    assert resp.status_code == 404


def test_session_forms_need_the_csrf_token(browser, other_browser, portal, citizen, op):
    authorize(browser, portal, citizen)
    authorize(other_browser, portal, citizen)
    rows, _ = _sessions(browser)
    sid = _other_sid(rows)
    assert browser.post(f"/account/sessions/{sid}/end", data={"csrf_token": "x"}).status_code == 403
    assert browser.post("/account/sessions/end-others", data={}).status_code == 403
    # A token for another form of the same browser is not accepted either.
    security = csrf_of(browser.get("/account/security").text)
    assert browser.post(f"/account/sessions/{sid}/end", data={"csrf_token": security}).status_code == 403
    assert not _ended(op, sid)


def test_user_agent_is_shortened():
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Safari/537.36"
    )
    safari = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 "
        "Safari/604.1"
    )
    assert short_browser(chrome) == "Chrome · Windows"
    assert short_browser(safari) == "Safari · iPhone"
    assert short_browser("testclient") == "testclient"
    assert short_browser(None) == ""
