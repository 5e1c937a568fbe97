"""Attempt limits on /signup and /recover: 429 with Retry-After, per address, and no account oracle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.db import utcnow
from idp.models import LoginThrottle
from idp.provider import OpenIDProvider
from idp.signup.ratelimit import RECOVER_PER_IDENTIFIER, RECOVER_PER_IP, SIGNUP_PER_IP, ip_bucket
from idp.web.i18n import translate
from tests.conftest import ISSUER
from tests.signup.conftest import Inbox, post_form, sign_up
from tests.signup.test_confirmation import _confirm_email
from tests.support.db import update_rows
from tests.support.flows import csrf_of

SIGNUPS, _ = SIGNUP_PER_IP
RECOVERIES, _ = RECOVER_PER_IP
PER_IDENTIFIER, _ = RECOVER_PER_IDENTIFIER


def _client(app: FastAPI, ip: str) -> TestClient:
    return TestClient(app, base_url=ISSUER, client=(ip, 50000))


@pytest.fixture
def other(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "203.0.113.9") as c:
        yield c


def _age_windows(op: OpenIDProvider, prefix: str) -> None:
    changed = update_rows(
        op.db,
        LoginThrottle,
        LoginThrottle.key.startswith(f"{prefix}:"),
        window_start=utcnow() - timedelta(hours=2),
    )
    assert changed >= 1


def _stable(html: str) -> str:
    """The page without what differs per request anyway (CSRF token, CSP nonce, the clock's minute)."""
    return re.sub(r'(value|nonce)="[^"]*"|\d\d:\d\d|\d+ phút', "", html)


def test_signup_limited_per_ip_with_retry_after_and_form_kept(
    browser: TestClient, other: TestClient, op: OpenIDProvider
) -> None:
    # Every attempt counts: the first creates the account, the rest are refused duplicates.
    statuses = [sign_up(browser).status_code for _ in range(SIGNUPS)]
    assert statuses[0] == 201 and set(statuses[1:]) == {409}

    limited = sign_up(browser, full_name="Lê Văn Cường", email="cuong@example.vn")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 3600
    assert 'id="rate-limited"' in limited.text and "signup.rate_limited" in limited.text
    assert "Vui lòng thử lại sau" in limited.text and "(giờ UTC)" in limited.text
    # What was typed is still in the form, except the passwords.
    assert 'value="Lê Văn Cường"' in limited.text and 'value="cuong@example.vn"' in limited.text
    assert 'value="001090123456"' in limited.text and 'value="1990-03-04"' in limited.text
    assert "Mật-khẩu-mới" not in limited.text
    # The form can be sent again as it is: it carries a fresh CSRF token.
    assert csrf_of(limited.text)
    assert sign_up(browser, personal_id="001090123457").status_code == 429  # still limited, nothing made
    with op.db.session() as s:
        assert op.identities.find_by_username(s, "001090123457") is None

    # Another address is not affected.
    assert sign_up(other, personal_id="001090123457", email="cuong@example.vn").status_code == 201


def test_signup_limit_english_page(browser: TestClient, op: OpenIDProvider) -> None:
    for _ in range(SIGNUPS):
        sign_up(browser)
    browser.get("/lang/en?next=/signup")
    limited = sign_up(browser)
    assert limited.status_code == 429
    assert "Please try again after" in limited.text and "(UTC)" in limited.text


def test_signup_works_again_after_the_window(browser: TestClient, op: OpenIDProvider) -> None:
    for _ in range(SIGNUPS):
        sign_up(browser)
    assert sign_up(browser, personal_id="001090123457").status_code == 429
    _age_windows(op, "signup-ip")
    assert sign_up(browser, personal_id="001090123457", email="cuong@example.vn").status_code == 201


def test_signup_limit_still_requires_csrf(browser: TestClient) -> None:
    for _ in range(SIGNUPS):
        sign_up(browser)
    resp = browser.post("/signup", data={"personal_id": "001090123457", "csrf_token": "forged"})
    assert resp.status_code == 403


def test_throttle_keys_are_hashed(browser: TestClient, op: OpenIDProvider) -> None:
    sign_up(browser)
    with op.db.session() as s:
        keys = [k for k in s.scalars(LoginThrottle.__table__.select().with_only_columns(LoginThrottle.key))]
    assert keys and all(k.startswith("signup-ip:") and "testclient" not in k for k in keys)


def _recover(client: TestClient, identifier: str) -> httpx.Response:
    return post_form(client, "/recover", "/recover", {"identifier": identifier})


def test_recover_limited_per_ip_identically_for_known_and_unknown(
    app: FastAPI, browser: TestClient, op: OpenIDProvider, inbox: Inbox
) -> None:
    sign_up(browser)
    assert _confirm_email(browser, inbox.link("/signup/email")) == 200
    pages: dict[str, list[tuple[int, str]]] = {}
    for n, identifier in enumerate(["binh.tran@example.vn", "nobody@example.vn"]):
        with _client(app, f"198.51.100.{n + 1}") as c:
            answers = [_recover(c, f"{i}{identifier}" if i else identifier) for i in range(RECOVERIES + 2)]
            pages[identifier] = [(r.status_code, _stable(r.text)) for r in answers]
            limited = answers[-1]
            assert limited.status_code == 429
            assert int(limited.headers["Retry-After"]) <= 15 * 60
            assert "recover.rate_limited" in limited.text
    assert [s for s, _ in pages["binh.tran@example.vn"]] == [200] * RECOVERIES + [429, 429]
    assert pages["binh.tran@example.vn"] == pages["nobody@example.vn"]


def test_recover_per_identifier_limit_is_silent_and_the_same_for_unknown(
    app: FastAPI, browser: TestClient, op: OpenIDProvider, inbox: Inbox
) -> None:
    sign_up(browser)
    assert _confirm_email(browser, inbox.link("/signup/email")) == 200
    sent_before = len(inbox.messages)
    answers: dict[str, list[tuple[int, str]]] = {"binh.tran@example.vn": [], "nobody@example.vn": []}
    # Each request from its own address, as a botnet would: only the per-identifier limit applies.
    for i in range(PER_IDENTIFIER + 2):
        for n, identifier in enumerate(answers):
            with _client(app, f"192.0.2.{10 * n + i + 1}") as c:
                r = _recover(c, identifier)
                answers[identifier].append((r.status_code, _stable(r.text)))
    assert answers["binh.tran@example.vn"] == answers["nobody@example.vn"]
    assert {s for s, _ in answers["nobody@example.vn"]} == {200}
    assert 'id="recover-sent"' in answers["nobody@example.vn"][-1][1]
    # The mailbox got at most the limit, although more were asked for.
    assert len(inbox.messages) - sent_before == PER_IDENTIFIER
    # Typed differently (case, spaces) is the same identifier.
    with _client(app, "192.0.2.200") as c:
        assert _recover(c, "  BINH.TRAN@example.vn ").status_code == 200
    assert len(inbox.messages) - sent_before == PER_IDENTIFIER
    # After the window the person can ask again.
    _age_windows(op, "recover-id")
    with _client(app, "192.0.2.201") as c:
        assert _recover(c, "binh.tran@example.vn").status_code == 200
    assert len(inbox.messages) - sent_before == PER_IDENTIFIER + 1


def test_recover_limit_still_requires_csrf(browser: TestClient) -> None:
    for i in range(RECOVERIES):
        _recover(browser, f"x{i}@example.vn")
    resp = browser.post("/recover", data={"identifier": "a@example.vn", "csrf_token": "forged"})
    assert resp.status_code == 403
    assert _recover(browser, "b@example.vn").status_code == 429


def test_ip_bucket() -> None:
    assert ip_bucket("2001:db8:1:2:3:4:5:6") == ip_bucket("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert ip_bucket("::ffff:198.51.100.7") == ip_bucket("198.51.100.7") == "198.51.100.7"
    assert ip_bucket(None) == "-" and ip_bucket("testclient") == "testclient"
    assert translate("signup.rate_limited", "en", time="10:00", minutes=5).endswith("about 5 minutes.")
