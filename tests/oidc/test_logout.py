"""OpenID Connect RP-Initiated Logout 1.0, Back-Channel Logout 1.0 and Front-Channel Logout 1.0.

Back-channel logout tokens go to a real HTTP server on a loopback port, through the app's delivery worker.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from idp.db import utcnow
from idp.models import AuditRecord, Client, LogoutDelivery, SessionClient
from idp.oauth.logout import deliver_due
from idp.oauth.tokens import LOGOUT_EVENT, TokenSigner
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web.routes_logout import logout_worker
from tests.support.factories import Citizen, PortalInfo, make_portal
from tests.support.flows import authorize, csrf_of, query_of, redeem

ISSUER = "http://testserver"
AFTER_LOGOUT = "https://portal.example.vn/logged-out"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
IFRAME = re.compile(r'<iframe class="logout" src="([^"]+)"')


# -- a portal's back-channel endpoint: a real HTTP server ----------------------------------------------------
class RelyingPartyServer:
    """Records every back-channel logout POST; answers each path with the statuses queued for it (the last
    one repeats; 200 by default)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], str]] = []
        self.statuses: dict[str, list[int]] = {}
        self.changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def answer(self, path: str, *statuses: int) -> None:
        self.statuses[path] = list(statuses)

    def _status(self, path: str) -> int:
        queued = self.statuses.get(path, [200])
        return queued.pop(0) if len(queued) > 1 else queued[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        rp = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                with rp.changed:
                    rp.received.append((self.path, form, self.headers.get("Content-Type", "")))
                    status = rp._status(self.path)
                    rp.changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def wait_for(self, count: int, path: str | None = None, timeout: float = 5.0) -> list[dict[str, str]]:
        def matching() -> list[dict[str, str]]:
            return [form for p, form, _ in self.received if path is None or p == path]

        with self.changed:
            assert self.changed.wait_for(lambda: len(matching()) >= count, timeout), self.received
            return matching()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rp() -> Iterator[RelyingPartyServer]:
    server = RelyingPartyServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def fast_retries(app: FastAPI) -> None:
    logout_worker(app).backoff_base = 0.02


# -- helpers -------------------------------------------------------------------------------------------------
def portal_with(platform: Platform, host: str = "portal.example.vn", **metadata: Any) -> PortalInfo:
    return make_portal(
        platform,
        name=f"Cổng {host}",
        redirect_uris=(f"https://{host}/callback",),
        post_logout_redirect_uris=metadata.pop("post_logout_redirect_uris", [AFTER_LOGOUT]),
        **metadata,
    )


def log_in(
    browser: TestClient, api: TestClient, portal: PortalInfo, citizen: Citizen | None, **extra: Any
) -> dict[str, Any]:
    """Code flow and redemption; the token response plus the ID token's claims as ``claims``."""
    result = authorize(browser, portal, citizen, **extra)
    resp = redeem(api, portal, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    body["claims"] = jwt.decode(body["id_token"], KeySet.import_key_set(api.get("/jwks").json())).claims
    return body


def logout_page(browser: TestClient, method: str = "GET", **params: str) -> Any:
    if method == "POST":
        return browser.post("/logout", data=params, follow_redirects=False)
    return browser.get("/logout", params=params, follow_redirects=False)


def answer(browser: TestClient, page: Any, decision: str = "logout") -> Any:
    """Submit the confirmation form as the person would, with the button they chose."""
    assert page.status_code == 200, page.text[:300]
    assert f'<button type="submit" name="decision" value="{decision}"' in page.text
    assert '<form method="post" action="/logout">' in page.text
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    return browser.post("/logout", data={**fields, "decision": decision}, follow_redirects=False)


def log_out(browser: TestClient, **params: str) -> Any:
    return answer(browser, logout_page(browser, **params))


def session_active(browser: TestClient, portal: PortalInfo) -> bool:
    params = authorize(browser, portal, prompt="none").params
    assert "code" in params or params.get("error") == "login_required", params
    return "code" in params


def error_key(resp: Any) -> str:
    assert resp.status_code == 400, resp.text[:300]
    assert "location" not in resp.headers
    match = re.search(r'data-error="([^"]+)"', resp.text)
    assert match, resp.text[:300]
    return match.group(1)


def verified_logout_token(api: TestClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    decoded = jwt.decode(token, KeySet.import_key_set(api.get("/jwks").json()), algorithms=["ES256"])
    return dict(decoded.header), decoded.claims


# -- RP-Initiated Logout 1.0 Section 2: the request and the person's confirmation ----------------------------
def test_rp_initiated_2_get_shows_confirmation_and_logs_nobody_out(browser, api, portal, citizen):
    log_in(browser, api, portal, citizen)
    page = logout_page(browser)
    assert page.status_code == 200
    assert 'lang="vi"' in page.text and "Đăng xuất" in page.text  # Vietnamese first
    assert 'value="logout"' in page.text and 'value="stay"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert session_active(browser, portal)


def test_rp_initiated_2_post_request_is_accepted_and_also_asks(browser, api, citizen, platform):
    portal = portal_with(platform)
    body = log_in(browser, api, portal, citizen)
    page = logout_page(browser, "POST", id_token_hint=body["id_token"], post_logout_redirect_uri=AFTER_LOGOUT)
    assert page.status_code == 200 and 'value="logout"' in page.text
    assert session_active(browser, portal)


def test_rp_initiated_2_confirmation_requires_csrf_token(browser, api, portal, citizen):
    log_in(browser, api, portal, citizen)
    logout_page(browser)
    missing = browser.post("/logout", data={"decision": "logout"}, follow_redirects=False)
    forged = browser.post(
        "/logout", data={"decision": "logout", "csrf_token": "x" * 43}, follow_redirects=False
    )
    assert missing.status_code == 403 and forged.status_code == 403
    assert session_active(browser, portal)


def test_rp_initiated_2_confirmed_logout_ends_session_and_revokes_tokens(
    browser, api, portal, citizen, platform
):
    body = log_in(browser, api, portal, citizen)
    resp = log_out(browser)
    assert resp.status_code == 200 and 'id="logged-out"' in resp.text
    assert 'nixa_session=""' in resp.headers["set-cookie"] and "Max-Age=0" in resp.headers["set-cookie"]
    assert browser.cookies.get("nixa_session") is None
    assert not session_active(browser, portal)  # prompt=none now answers login_required
    userinfo = api.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert userinfo.status_code == 401


def test_rp_initiated_2_logout_is_audited_without_personal_data(browser, api, portal, citizen, platform):
    log_in(browser, api, portal, citizen)
    log_out(browser)
    with platform.db.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.event == "session:logout")).one()
    assert record.identity_id == citizen.id
    assert set(record.data) == {"sid", "clients", "grants_revoked"}
    assert record.data["clients"] == [portal.client_id] and record.data["grants_revoked"] == 1
    assert citizen.personal_id not in str(record.data) and "Nguyễn" not in str(record.data)


def test_rp_initiated_2_stay_keeps_the_session(browser, api, portal, citizen):
    log_in(browser, api, portal, citizen)
    resp = answer(browser, logout_page(browser), "stay")
    assert resp.status_code == 200 and 'id="stayed"' in resp.text
    assert session_active(browser, portal)


def test_rp_initiated_2_ui_locales_selects_english(browser):
    page = logout_page(browser, ui_locales="en-GB vi")
    assert 'lang="en"' in page.text and "Log out" in page.text


def test_rp_initiated_2_id_token_hint_must_be_issued_by_this_op(browser, api, citizen, platform):
    portal = portal_with(platform)
    body = log_in(browser, api, portal, citizen)
    header, payload, signature = body["id_token"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    for hint in (tampered, "not-a-jwt", body["access_token"]):  # an access token is not an ID token
        assert error_key(logout_page(browser, id_token_hint=hint)) == "error.logout_bad_id_token_hint"


def test_rp_initiated_2_expired_id_token_hint_is_accepted(
    browser, api, citizen, platform, op: OpenIDProvider
):
    portal = portal_with(platform)
    claims = log_in(browser, api, portal, citizen)["claims"]
    expired = op.signer.sign({**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600})
    resp = log_out(browser, id_token_hint=expired, post_logout_redirect_uri=AFTER_LOGOUT, state="s1")
    assert resp.status_code == 303 and resp.headers["location"] == f"{AFTER_LOGOUT}?state=s1"


def test_rp_initiated_2_client_id_must_match_id_token_hint_audience(browser, api, citizen, platform):
    portal, other = portal_with(platform), portal_with(platform, "other.example.vn")
    body = log_in(browser, api, portal, citizen)
    page = logout_page(browser, id_token_hint=body["id_token"], client_id=other.client_id)
    assert error_key(page) == "error.logout_client_mismatch"
    assert session_active(browser, portal)


def test_rp_initiated_2_repeated_parameter_is_refused(browser):
    resp = browser.get("/logout?state=a&state=b&client_id=x", follow_redirects=False)
    assert error_key(resp) == "error.logout_repeated_parameter"


# -- Section 3: redirection to the RP after logout -----------------------------------------------------------
def test_rp_initiated_3_registered_post_logout_redirect_uri_gets_state(browser, api, citizen, platform):
    portal = portal_with(platform)
    body = log_in(browser, api, portal, citizen)
    page = logout_page(
        browser, id_token_hint=body["id_token"], post_logout_redirect_uri=AFTER_LOGOUT, state="xyz 1"
    )
    assert "https://portal.example.vn" in page.headers["content-security-policy"]  # form-action
    resp = answer(browser, page)
    assert resp.status_code == 303
    assert resp.headers["location"].split("?")[0] == AFTER_LOGOUT
    assert query_of(resp.headers["location"]) == {"state": "xyz 1"}
    assert not session_active(browser, portal)


def test_rp_initiated_3_unregistered_post_logout_redirect_uri_is_not_followed(
    browser, api, citizen, platform
):
    portal = portal_with(platform)
    body = log_in(browser, api, portal, citizen)
    for uri in ("https://evil.example/x", AFTER_LOGOUT + "/", AFTER_LOGOUT + "?a=1", portal.redirect_uri):
        assert (
            error_key(logout_page(browser, id_token_hint=body["id_token"], post_logout_redirect_uri=uri))
            == "error.logout_bad_post_logout_redirect_uri"
        )
    # Submitting the confirmation form with a bad URI (a valid CSRF token from another page) still refuses.
    csrf = csrf_of(logout_page(browser).text)
    resp = browser.post(
        "/logout",
        data={
            "csrf_token": csrf,
            "decision": "logout",
            "client_id": portal.client_id,
            "post_logout_redirect_uri": "https://evil.example/x",
        },
        follow_redirects=False,
    )
    assert error_key(resp) == "error.logout_bad_post_logout_redirect_uri"
    assert session_active(browser, portal)


def test_rp_initiated_3_another_portals_uri_is_not_followed(browser, api, citizen, platform):
    portal = portal_with(platform)
    other = portal_with(
        platform, "other.example.vn", post_logout_redirect_uris=["https://other.example.vn/bye"]
    )
    body = log_in(browser, api, portal, citizen)
    page = logout_page(
        browser, id_token_hint=body["id_token"], post_logout_redirect_uri="https://other.example.vn/bye"
    )
    assert error_key(page) == "error.logout_bad_post_logout_redirect_uri"
    assert other.client_id != portal.client_id


def test_rp_initiated_3_redirect_uri_without_identified_client_is_refused(browser):
    resp = logout_page(browser, post_logout_redirect_uri=AFTER_LOGOUT)
    assert error_key(resp) == "error.logout_redirect_without_client"
    assert 'href="/logout"' in resp.text  # the person can still log out of NIXA itself


def test_rp_initiated_3_client_id_with_its_registered_uri_is_followed(browser, api, citizen, platform):
    portal = portal_with(platform)
    log_in(browser, api, portal, citizen)
    page = logout_page(browser, client_id=portal.client_id, post_logout_redirect_uri=AFTER_LOGOUT, state="k")
    assert "Cổng portal.example.vn" in page.text
    resp = answer(browser, page)
    assert resp.status_code == 303 and resp.headers["location"] == f"{AFTER_LOGOUT}?state=k"


def test_rp_initiated_3_unknown_client_is_refused(browser):
    resp = logout_page(browser, client_id="no-such-portal", post_logout_redirect_uri=AFTER_LOGOUT)
    assert error_key(resp) == "error.logout_unknown_client"


# -- Section 4: logout without a session is not an error -----------------------------------------------------
def test_rp_initiated_4_without_session_still_asks_then_redirects(browser, platform):
    portal = portal_with(platform)
    page = logout_page(browser, client_id=portal.client_id, post_logout_redirect_uri=AFTER_LOGOUT, state="z")
    assert page.status_code == 200 and 'id="no-session"' in page.text
    resp = answer(browser, page)
    assert resp.status_code == 303 and resp.headers["location"] == f"{AFTER_LOGOUT}?state=z"


def test_rp_initiated_4_without_session_or_redirect_shows_logged_out_page(browser):
    resp = log_out(browser)
    assert resp.status_code == 200 and 'id="logged-out"' in resp.text


# -- Back-Channel Logout 1.0 ---------------------------------------------------------------------------------
def test_backchannel_2_5_logout_token_is_posted_to_the_rp(browser, api, citizen, platform, rp):
    portal = portal_with(
        platform, backchannel_logout_uri=rp.url("/bc"), backchannel_logout_session_required=False
    )
    body = log_in(browser, api, portal, citizen)
    log_out(browser, id_token_hint=body["id_token"], post_logout_redirect_uri=AFTER_LOGOUT)
    [form] = rp.wait_for(1)
    assert rp.received[0][2].startswith("application/x-www-form-urlencoded")
    header, claims = verified_logout_token(api, form["logout_token"])
    assert header["typ"] == "logout+jwt"  # Section 2.4 and 4.1: explicit typing against cross-JWT confusion
    assert claims["events"] == {LOGOUT_EVENT: {}}
    assert claims["iss"] == ISSUER and claims["aud"] == portal.client_id
    assert claims["sub"] == body["claims"]["sub"]  # the portal's pairwise sub
    assert claims["sid"] == body["claims"]["sid"]  # always: only this session ended
    assert "nonce" not in claims
    assert claims["jti"] and claims["iat"] <= time.time() < claims["exp"]
    with platform.db.session() as s:
        row = s.scalars(select(LogoutDelivery)).one()
        assert row.delivered_at is not None and row.attempts == 1 and not row.failed


def test_backchannel_2_3_every_portal_of_the_session_is_notified(browser, api, citizen, platform, rp):
    first = portal_with(platform, "a.example.vn", backchannel_logout_uri=rp.url("/a"))
    second = portal_with(platform, "b.example.vn", backchannel_logout_uri=rp.url("/b"))
    one = log_in(browser, api, first, citizen)
    two = log_in(browser, api, second, None)  # single sign-on: no second login
    assert one["claims"]["sid"] == two["claims"]["sid"] and one["claims"]["sub"] != two["claims"]["sub"]
    log_out(browser, id_token_hint=one["id_token"])
    for path, tokens in (("/a", one), ("/b", two)):
        [form] = rp.wait_for(1, path)
        _, claims = verified_logout_token(api, form["logout_token"])
        assert claims["sub"] == tokens["claims"]["sub"] and claims["sid"] == tokens["claims"]["sid"]


def test_backchannel_2_7_offline_access_survives_logout(browser, api, citizen, platform):
    portal = portal_with(platform)
    body = log_in(browser, api, portal, citizen, scope="openid offline_access")
    assert "refresh_token" in body
    log_out(browser)
    resp = api.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=(portal.client_id, portal.client_secret),
    )
    assert resp.status_code == 200, resp.text


def test_backchannel_2_8_no_content_is_success(browser, api, citizen, platform, rp):
    rp.answer("/bc", 204)
    portal = portal_with(platform, backchannel_logout_uri=rp.url("/bc"))
    log_in(browser, api, portal, citizen)
    log_out(browser)
    rp.wait_for(1)
    assert wait_until(platform, lambda row: row.delivered_at is not None).attempts == 1


def test_backchannel_2_8_failed_delivery_is_retried(browser, api, citizen, platform, rp):
    rp.answer("/bc", 503, 200)
    portal = portal_with(platform, backchannel_logout_uri=rp.url("/bc"))
    log_in(browser, api, portal, citizen)
    log_out(browser)
    row = wait_until(platform, lambda row: row.delivered_at is not None)
    assert row.attempts == 2 and row.last_error is None
    first, second = rp.wait_for(2)
    assert first["logout_token"] == second["logout_token"]


def test_backchannel_2_8_rp_failing_every_time_is_marked_failed(browser, api, citizen, platform, rp):
    platform.settings.backchannel_max_attempts = 3
    rp.answer("/bc", 500)
    portal = portal_with(platform, backchannel_logout_uri=rp.url("/bc"))
    log_in(browser, api, portal, citizen)
    started = time.monotonic()
    resp = log_out(browser)
    assert resp.status_code == 200 and time.monotonic() - started < 3  # the page does not wait for the RP
    row = wait_until(platform, lambda row: row.failed)
    assert row.attempts == 3 and row.last_error == "HTTP 500" and row.delivered_at is None
    assert len(rp.wait_for(3)) == 3


def test_backchannel_2_8_unreachable_rp_is_retried_then_failed(browser, api, citizen, platform, rp):
    platform.settings.backchannel_max_attempts = 2
    portal = portal_with(platform, backchannel_logout_uri="http://127.0.0.1:9/bc")  # discard port: refused
    log_in(browser, api, portal, citizen)
    log_out(browser)
    row = wait_until(platform, lambda row: row.failed)
    assert row.attempts == 2 and row.last_error


def test_backchannel_2_4_expired_queued_token_is_signed_again(platform, op, rp, citizen):
    portal = portal_with(platform, backchannel_logout_uri=rp.url("/bc"))
    stale = TokenSigner(op.issuer, platform.keys, 60, 60, -60)
    with platform.db.session() as s:
        client = s.get(Client, portal.client_id)
        token = stale.logout_token(client=client, sub="sub-1", sid="sid-1")
        s.add(
            LogoutDelivery(
                client_id=portal.client_id,
                uri=rp.url("/bc"),
                logout_token=token,
                sid="sid-1",
                next_attempt_at=utcnow() - timedelta(seconds=1),
            )
        )
    deliver_due(platform)
    [form] = rp.wait_for(1)
    claims = op.signer.decode_own(form["logout_token"], typ="logout+jwt")  # not expired
    assert claims["sub"] == "sub-1" and claims["sid"] == "sid-1"


def wait_until(platform: Platform, done: Any, timeout: float = 5.0) -> LogoutDelivery:
    deadline = time.monotonic() + timeout
    while True:
        with platform.db.session() as s:
            row = s.scalars(select(LogoutDelivery)).one()
        if done(row) or time.monotonic() > deadline:
            assert done(row), (row.attempts, row.last_error, row.failed)
            return row
        time.sleep(0.02)


# -- Front-Channel Logout 1.0 --------------------------------------------------------------------------------
def test_frontchannel_2_logged_out_page_frames_each_portal(browser, api, citizen, platform):
    first = portal_with(platform, "a.example.vn", frontchannel_logout_uri="https://a.example.vn/fc?app=1")
    second = portal_with(
        platform, "b.example.vn:8443", frontchannel_logout_uri="https://b.example.vn:8443/fc"
    )
    body = log_in(browser, api, first, citizen)
    log_in(browser, api, second, None)
    resp = log_out(browser, id_token_hint=body["id_token"])
    assert resp.status_code == 200
    frames = sorted(html.unescape(src) for src in IFRAME.findall(resp.text))
    sid = body["claims"]["sid"]
    assert frames[0].startswith("https://a.example.vn/fc?app=1&")  # the registered query is kept
    assert query_of(frames[0]) == {"app": "1", "iss": ISSUER, "sid": sid}
    assert query_of(frames[1]) == {"iss": ISSUER, "sid": sid}
    csp = resp.headers["content-security-policy"]
    assert "frame-src https://a.example.vn https://b.example.vn:8443;" in csp


def test_frontchannel_2_then_continues_to_the_post_logout_redirect_uri(browser, api, citizen, platform):
    portal = portal_with(platform, frontchannel_logout_uri="https://portal.example.vn/fc")
    body = log_in(browser, api, portal, citizen)
    resp = log_out(
        browser, id_token_hint=body["id_token"], post_logout_redirect_uri=AFTER_LOGOUT, state="s 2"
    )
    assert resp.status_code == 200 and len(IFRAME.findall(resp.text)) == 1
    target = f"{AFTER_LOGOUT}?state=s+2"
    assert f'<a id="continue" href="{html.escape(target)}"' in resp.text  # works without JavaScript
    assert resp.headers["refresh"].endswith(f"url={target}")


def test_frontchannel_2_iss_and_sid_only_when_session_required(browser, api, citizen, platform):
    portal = portal_with(
        platform,
        frontchannel_logout_uri="https://portal.example.vn/fc",
        frontchannel_logout_session_required=False,
    )
    log_in(browser, api, portal, citizen)
    resp = log_out(browser)
    assert [html.unescape(src) for src in IFRAME.findall(resp.text)] == ["https://portal.example.vn/fc"]


def test_frontchannel_2_no_frames_for_portals_outside_the_session(browser, api, citizen, platform):
    portal = portal_with(platform)
    portal_with(platform, "b.example.vn", frontchannel_logout_uri="https://b.example.vn/fc")
    log_in(browser, api, portal, citizen)
    resp = log_out(browser)
    assert IFRAME.findall(resp.text) == []
    assert "frame-src 'none'" in resp.headers["content-security-policy"]


def test_each_portal_of_a_session_is_recorded_once_for_single_logout(browser, portal, citizen, platform):
    """Single logout tells every portal of the session: each is recorded once, however many codes it got
    (INSERT ... ON CONFLICT DO NOTHING on the unique (sid, client_id))."""
    other = make_portal(platform, name="Cổng thứ hai")
    assert "code" in authorize(browser, portal, citizen).params
    assert "code" in authorize(browser, portal).params  # single sign-on: a second code, same session
    assert "code" in authorize(browser, other).params
    with platform.db.read_session() as s:
        rows = s.execute(
            select(SessionClient.sid, SessionClient.client_id).where(
                SessionClient.client_id.in_([portal.client_id, other.client_id])
            )
        ).all()
    assert sorted(c for _sid, c in rows) == sorted([portal.client_id, other.client_id])
    assert len({sid for sid, _c in rows}) == 1
