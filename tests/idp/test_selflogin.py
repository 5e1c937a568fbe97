"""Logging in to NIXA itself for the citizen's own pages."""

from __future__ import annotations

import pytest

from tests.support.flows import csrf_of


def login(browser, username: str, password: str, next_path: str = "/account"):
    page = browser.get("/login", params={"next": next_path})
    return browser.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "username": username,
            "password": password,
            "next": next_path,
        },
        follow_redirects=False,
    )


def test_login_opens_the_account_pages(browser, citizen):
    assert browser.get("/account").status_code == 401
    resp = login(browser, citizen.personal_id, citizen.password, "/account")
    assert resp.status_code == 303 and resp.headers["location"] == "/account"
    assert "Nguyễn Văn An" in browser.get("/account").text
    # Logged in already: the login page goes straight on.
    again = browser.get("/login", params={"next": "/account/profile"}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/account/profile"


def test_wrong_password_stays_on_the_page_with_an_error(browser, citizen):
    resp = login(browser, citizen.personal_id, "not-the-password")
    assert resp.status_code == 401 and 'id="login-error"' in resp.text
    assert "nixa_session" not in resp.cookies


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_is_only_a_local_path(browser, citizen, target):
    resp = login(browser, citizen.personal_id, citizen.password, target)
    assert resp.headers["location"] == "/account"


def test_login_needs_the_csrf_token(browser, citizen):
    browser.get("/login")
    resp = browser.post("/login", data={"username": citizen.personal_id, "password": citizen.password})
    assert resp.status_code == 403


def test_lockout_applies_here_too(browser, citizen):
    for _ in range(5):
        login(browser, citizen.personal_id, "wrong-password")
    resp = login(browser, citizen.personal_id, citizen.password)
    assert resp.status_code == 429


def test_reauth_asks_for_the_password_even_with_a_session(browser, citizen):
    login(browser, citizen.personal_id, citizen.password)
    page = browser.get("/login", params={"next": "/account/security", "reauth": "1"}, follow_redirects=False)
    assert page.status_code == 200 and 'name="reauth" value="1"' in page.text
    old = browser.cookies["nixa_session"]
    resp = browser.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "username": citizen.personal_id,
            "password": citizen.password,
            "next": "/account/security",
            "reauth": "1",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/account/security"
    assert browser.cookies["nixa_session"] != old
    assert browser.get("/account").status_code == 200


def test_reauth_without_a_session_is_an_ordinary_login(browser, citizen):
    page = browser.get("/login", params={"next": "/account/security", "reauth": "1"})
    assert page.status_code == 200 and 'name="reauth"' not in page.text
    resp = login(browser, citizen.personal_id, citizen.password, "/account/security")
    assert resp.status_code == 303 and "nixa_session" in resp.cookies
