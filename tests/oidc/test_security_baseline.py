"""Security baseline of the login pages and endpoints (OWASP ASVS 4 level 2, NIST SP 800-63B, DESIGN.md)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.crypto import hmac_token
from idp.db import utcnow
from idp.models import Interaction, LoginThrottle, PasswordCredential
from idp.platform import Platform
from idp.web.app import create_app
from idp.web.pages import BROWSER_COOKIE, SESSION_COOKIE
from tests.conftest import ISSUER
from tests.support.db import dump_text, update_rows
from tests.support.factories import make_citizen
from tests.support.flows import (
    authorize,
    bearer,
    begin,
    error_page,
    interaction_location,
    open_interaction,
    redirected_to,
    submit_login,
    token_set,
)

WRONG = "sai-mat-khau-123"


def login_attempts(browser, portal, username: str, password: str, times: int) -> list:
    location = interaction_location(begin(browser, portal))
    csrf = open_interaction(browser, location)[1]
    return [submit_login(browser, location, username, password, csrf) for _ in range(times)]


# -- throttling (ASVS 2.2.1, NIST SP 800-63B 5.2.2) -----------------------------------------------------
def test_asvs_2_2_1_five_wrong_passwords_lock_the_account_with_429(browser, portal, citizen):
    responses = login_attempts(browser, portal, citizen.personal_id, WRONG, 5)
    assert [r.status_code for r in responses] == [401, 401, 401, 401, 429]
    locked = responses[-1]
    # The person is told when to retry: on the page, and in Retry-After (RFC 6585 Section 4).
    assert re.search(r"\b\d{2}:\d{2}\b", locked.text)
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert SESSION_COOKIE not in locked.cookies


def test_asvs_2_2_1_correct_password_is_refused_while_locked(browser, portal, citizen):
    login_attempts(browser, portal, citizen.personal_id, WRONG, 5)
    location = interaction_location(begin(browser, portal))
    resp = submit_login(browser, location, citizen.personal_id, citizen.password)
    assert resp.status_code == 429
    assert SESSION_COOKIE not in resp.cookies


def test_asvs_2_2_1_lock_ends_after_its_time(browser, portal, citizen, platform):
    login_attempts(browser, portal, citizen.personal_id, WRONG, 5)
    update_rows(
        platform.db,
        LoginThrottle,
        LoginThrottle.locked_until.is_not(None),
        locked_until=utcnow() - timedelta(seconds=1),
    )
    location = interaction_location(begin(browser, portal))
    resp = submit_login(browser, location, citizen.personal_id, citizen.password)
    assert resp.status_code == 303


def test_asvs_2_2_1_unknown_username_locks_the_same_way(browser, portal):
    responses = login_attempts(browser, portal, "001090999999", WRONG, 5)
    assert [r.status_code for r in responses] == [401, 401, 401, 401, 429]
    assert "retry-after" in responses[-1].headers


def test_asvs_2_2_1_locked_and_wrong_look_alike_for_known_and_unknown_accounts(browser, portal, citizen):
    known = login_attempts(browser, portal, citizen.personal_id, WRONG, 6)
    unknown = login_attempts(browser, portal, "001090999999", WRONG, 6)
    assert [r.status_code for r in known] == [r.status_code for r in unknown]


def test_asvs_2_2_1_many_failures_from_one_address_lock_that_address(browser, portal, citizen, settings):
    # Credential stuffing: one wrong password for each of many usernames, all from one IP address.
    location = interaction_location(begin(browser, portal))
    csrf = open_interaction(browser, location)[1]
    codes = [
        submit_login(browser, location, f"0010909{n:05d}", WRONG, csrf).status_code
        for n in range(settings.ip_max_failures)
    ]
    assert codes[-1] == 429 and set(codes[:-1]) == {401}
    assert submit_login(browser, location, citizen.personal_id, citizen.password, csrf).status_code == 429


# -- password storage (ASVS 2.4.1, 2.4.4) --------------------------------------------------------------
# -- the password is checked outside the unit of work ------------------------------------------------------
@pytest.fixture
def hashed(op, platform, monkeypatch) -> list[int]:
    """One entry per password verification: how many database connections were checked out of the pools
    while it ran. The real verification still runs."""
    engines = {platform.db.engine, platform.db._read_engine}
    calls: list[int] = []
    real_verify = op.identities.passwords.verify

    def verify(*args: object) -> bool:
        calls.append(sum(e.pool.checkedout() for e in engines))
        return real_verify(*args)

    monkeypatch.setattr(op.identities.passwords, "verify", verify)
    return calls


def attempt(op, citizen, password: str, checked=None):
    """One password attempt in its own unit of work, as the login POST makes it."""
    with op.db.session() as s:
        return op.login.attempt(
            s, username=citizen.personal_id, password=password, ip=None, client_id=None, checked=checked
        )


def test_a_password_checked_against_a_hash_since_replaced_is_checked_again(op, citizen, platform):
    """The argon2 check runs before the write transaction; if the password changes in between, the outcome
    of that check is not used (it was about the old password)."""
    checked = op.login.check_first(
        platform.db, username=citizen.personal_id, password=citizen.password, ip=None
    )
    assert checked is not None and checked.ok and checked.identity_id == citizen.id
    update_rows(
        platform.db,
        PasswordCredential,
        PasswordCredential.identity_id == citizen.id,
        password_hash=op.platform.passwords.rehash("mat-khau-moi-2026"),
    )
    assert not attempt(op, citizen, citizen.password, checked).ok
    assert attempt(op, citizen, "mat-khau-moi-2026", checked).ok


def test_a_failed_check_is_counted_like_any_failure(op, citizen, platform):
    checked = op.login.check_first(platform.db, username=citizen.personal_id, password=WRONG, ip=None)
    assert checked is not None and not checked.ok
    for _ in range(5):
        result = attempt(op, citizen, WRONG, checked)
    assert result.locked_until is not None
    # Locked: no password is checked first, and the correct one is refused without a check.
    assert (
        op.login.check_first(platform.db, username=citizen.personal_id, password=citizen.password, ip=None)
        is None
    )
    refused = attempt(op, citizen, citizen.password)
    assert not refused.ok and refused.locked_until is not None


def test_a_lock_set_after_the_check_first_still_refuses(op, citizen, platform):
    """Parallel guessing: the correct password checked while other attempts lock the account is refused
    (attempt skips its early look at the counters when given a check, so the look under the row locks
    decides)."""
    checked = op.login.check_first(
        platform.db, username=citizen.personal_id, password=citizen.password, ip=None
    )
    assert checked is not None and checked.ok
    for _ in range(5):
        attempt(op, citizen, WRONG)
    late = attempt(op, citizen, citizen.password, checked)
    assert not late.ok and late.locked_until is not None


def counters(platform) -> dict[str, tuple[int, object]]:
    with platform.db.session() as s:
        return {t.key.split(":")[0]: (t.failures, t.locked_until) for t in s.scalars(select(LoginThrottle))}


def test_a_successful_login_writes_no_counter_rows(op, citizen, platform):
    """A counter row records failures: a citizen who only ever logs in correctly leaves none, for the
    account or the address (the table holds who failed, not everyone who logged in)."""
    assert attempt(op, citizen, citizen.password).ok
    checked = op.login.check_first(
        platform.db, username=citizen.personal_id, password=citizen.password, ip=None
    )
    assert attempt(op, citizen, citizen.password, checked).ok
    assert counters(platform) == {}


def test_a_successful_login_clears_the_accounts_failures_not_the_addresss(op, citizen, platform):
    for _ in range(4):
        assert not attempt(op, citizen, WRONG).ok
    assert counters(platform) == {"acct": (4, None), "ip": (4, None)}
    assert attempt(op, citizen, citizen.password).ok
    assert counters(platform) == {"acct": (0, None), "ip": (4, None)}
    # Counting starts again: four more failures do not lock, the fifth does.
    assert [attempt(op, citizen, WRONG).locked_until is None for _ in range(5)] == [True] * 4 + [False]


def test_the_login_hashes_with_no_database_connection_held(browser, portal, citizen, hashed):
    """The login POST reads the interaction and the stored hash in one read session and closes it before the
    hash: an open snapshot for tens of milliseconds holds up SQLite's checkpoints and a pooled connection."""
    assert "code" in authorize(browser, portal, citizen).params
    assert hashed == [0]


def test_asvs_2_4_4_password_is_rehashed_at_login_when_argon2_parameters_change(settings, citizen, portal):
    stronger = settings.model_copy(update={"argon2_time_cost": 2, "argon2_memory_kib": 2048})
    platform = Platform(stronger)
    try:
        with TestClient(create_app(platform=platform), base_url=ISSUER) as browser:
            with platform.db.read_session() as s:
                old_hash = s.scalar(select(PasswordCredential.password_hash))
            assert old_hash is not None and "$m=1024,t=1," in old_hash
            assert "code" in authorize(browser, portal, citizen).params
            with platform.db.read_session() as s:
                new_hash = s.scalar(select(PasswordCredential.password_hash))
    finally:
        platform.close()
    assert new_hash is not None and new_hash.startswith("$argon2id$") and "$m=2048,t=2," in new_hash


def test_asvs_2_4_4_rehash_keeps_a_legacy_password_shorter_than_todays_minimum(settings, op, portal, browser):
    """A password accepted under an older policy still logs in when its hash is upgraded."""
    legacy = make_citizen(op)
    short = "1234567"  # below today's 8-character minimum, hashed directly as an older policy allowed
    update_rows(
        op.platform.db,
        PasswordCredential,
        PasswordCredential.identity_id == legacy.id,
        password_hash=op.platform.passwords.rehash(short),
    )
    stronger = settings.model_copy(update={"argon2_time_cost": 2})
    platform = Platform(stronger)
    try:
        with TestClient(create_app(platform=platform), base_url=ISSUER) as other_browser:
            legacy.password = short
            assert "code" in authorize(other_browser, portal, legacy).params
    finally:
        platform.close()


# -- headers (ASVS 14.4) ---------------------------------------------------------------------------------
def assert_page_headers(resp) -> None:
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["cache-control"] == "no-store"


def test_asvs_14_4_security_headers_on_login_and_error_pages(browser, portal):
    location = interaction_location(begin(browser, portal))
    assert_page_headers(browser.get(location))
    assert_page_headers(begin(browser, portal, client_id="nobody"))


def test_asvs_14_4_security_headers_on_redirects_and_json(browser, api, portal):
    for resp in (begin(browser, portal), api.get("/.well-known/openid-configuration"), api.get("/jwks")):
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]


def test_rfc6749_5_1_token_and_error_responses_are_not_cached(api, portal):
    resp = api.post(
        "/token",
        data={"grant_type": "authorization_code", "code": "x"},
        auth=(portal.client_id, portal.client_secret),
    )
    assert resp.status_code == 400
    assert resp.headers["cache-control"] == "no-store"
    assert resp.headers["pragma"] == "no-cache"


def test_asvs_3_4_cookies_are_http_only_and_same_site(browser, portal, citizen):
    location = interaction_location(begin(browser, portal))
    resp = submit_login(browser, location, citizen.personal_id, citizen.password)
    cookies = [v for k, v in resp.headers.multi_items() if k == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()


# -- CSRF and browser binding (ASVS 4.2.2, 3.5) ----------------------------------------------------------
@pytest.mark.parametrize("csrf", [None, "", "forged-token", "another-interaction"])
def test_asvs_4_2_2_login_post_without_a_valid_csrf_token_is_403(browser, portal, citizen, csrf):
    location = interaction_location(begin(browser, portal))
    if csrf == "another-interaction":
        csrf = open_interaction(browser, interaction_location(begin(browser, portal)))[1]
    data = {"username": citizen.personal_id, "password": citizen.password, "action": "login"}
    if csrf is not None:
        data["csrf_token"] = csrf
    resp = browser.post(f"{location}/login", data=data, follow_redirects=False)
    assert resp.status_code == 403
    assert SESSION_COOKIE not in resp.cookies


def test_asvs_4_2_2_consent_post_without_csrf_token_is_403(browser, portal, citizen):
    location = interaction_location(begin(browser, portal))
    resp = submit_login(browser, location, citizen.personal_id, citizen.password)
    consent = interaction_location(resp)
    assert browser.post(f"{consent}/consent", data={"decision": "approve"}).status_code == 403


def test_asvs_3_5_interaction_from_another_browser_is_refused(app, browser, portal, citizen):
    location = interaction_location(begin(browser, portal))
    with TestClient(app, base_url=ISSUER) as intruder:
        begin(intruder, portal)  # the intruder's browser gets its own binding cookie
        assert error_page(intruder.get(location)) == "error.interaction_expired"
        # Even with a CSRF token that is valid for the intruder's own browser, the interaction is not theirs.
        own_csrf = hmac_token(
            app.state.pages.csrf_secret,
            "csrf",
            intruder.cookies[BROWSER_COOKIE],
            f"interaction:{location.rsplit('/', 1)[1]}",
        )
        resp = intruder.post(
            f"{location}/login",
            data={
                "csrf_token": own_csrf,
                "username": citizen.personal_id,
                "password": citizen.password,
                "action": "login",
            },
            follow_redirects=False,
        )
        assert error_page(resp) == "error.interaction_expired"
        assert SESSION_COOKIE not in resp.cookies
    # The person's own browser carries on.
    assert "code" in redirected_to(_finish(browser, location, citizen), portal)


def _finish(browser, location, citizen):
    resp = submit_login(browser, location, citizen.personal_id, citizen.password)
    consent = interaction_location(resp)
    csrf = open_interaction(browser, consent)[1]
    return browser.post(
        f"{consent}/consent", data={"csrf_token": csrf, "decision": "approve"}, follow_redirects=False
    )


def test_asvs_3_3_expired_interaction_is_refused(browser, portal, citizen, platform, hashed):
    location = interaction_location(begin(browser, portal))
    csrf = open_interaction(browser, location)[1]
    update_rows(
        platform.db,
        Interaction,
        Interaction.completed_at.is_(None),
        expires_at=utcnow() - timedelta(seconds=1),
    )
    assert error_page(browser.get(location)) == "error.interaction_expired"
    # Refused before any password is hashed: a dead interaction costs no argon2.
    assert error_page(submit_login(browser, location, citizen.personal_id, citizen.password, csrf)) == (
        "error.interaction_expired"
    )
    assert hashed == []


def test_a_login_with_a_field_missing_shows_the_form_again_without_hashing(browser, portal, citizen, hashed):
    location = interaction_location(begin(browser, portal))
    resp = submit_login(browser, location, citizen.personal_id, "")
    assert resp.status_code == 400
    assert "Vui lòng nhập số định danh (hoặc email) và mật khẩu." in resp.text
    assert 'name="password"' in resp.text and f'value="{citizen.personal_id}"' in resp.text
    assert hashed == []
    # The interaction goes on: the person fills the form in and logs in.
    assert submit_login(browser, location, citizen.personal_id, citizen.password).status_code == 303


def test_asvs_3_3_finished_interaction_cannot_be_replayed(browser, portal, citizen):
    location = interaction_location(begin(browser, portal))
    csrf = open_interaction(browser, location)[1]
    consent = interaction_location(
        submit_login(browser, location, citizen.personal_id, citizen.password, csrf)
    )
    assert consent == location  # the same interaction moves on to consent
    csrf = open_interaction(browser, consent)[1]
    first = browser.post(
        f"{consent}/consent", data={"csrf_token": csrf, "decision": "approve"}, follow_redirects=False
    )
    assert "code" in redirected_to(first, portal)
    again = browser.post(
        f"{consent}/consent", data={"csrf_token": csrf, "decision": "approve"}, follow_redirects=False
    )
    assert error_page(again) == "error.interaction_expired"


# -- personal data at rest (DESIGN.md data rules, ASVS 8.3.7) -------------------------------------------
def test_design_database_dump_shows_no_personal_data_in_clear(browser, api, portal, citizen, platform):
    # Everything that may carry personal data through the system: login hint, failed login, tokens, claims.
    login_attempts(browser, portal, citizen.personal_id, WRONG, 1)
    login_attempts(browser, portal, citizen.email or "", WRONG, 1)
    tokens = token_set(
        browser,
        api,
        portal,
        citizen,
        scope="openid profile email nixa.personal_id offline_access",
        login_hint=citizen.personal_id,
    )
    assert (
        api.get("/userinfo", headers=bearer(tokens["access_token"])).json()["personal_id"]
        == citizen.personal_id
    )
    begin(browser, portal, login_hint=citizen.email, prompt="login")
    dump = dump_text(platform.db)
    assert len(dump) > 1000
    for secret in (citizen.personal_id, "Nguyễn Văn An", "Nguyễn", citizen.email, "1990-05-17"):
        assert secret and secret not in dump, f"{secret!r} is stored in clear"
