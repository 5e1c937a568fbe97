"""Authorization endpoint: OIDC Core 1.0 Section 3.1.2, RFC 6749 Section 4.1, RFC 9207, Form Post Response."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from idp.db import utcnow
from idp.models import Client, SsoSession
from tests.conftest import ISSUER
from tests.support.db import update_rows
from tests.support.factories import make_citizen, make_portal, pkce_pair
from tests.support.flows import (
    authorize,
    authorize_params,
    begin,
    error_page,
    interaction_location,
    open_interaction,
    redeem,
    redirected_to,
    submit_login,
    token_set,
)
from tests.support.tokens import verify_jwt

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


# -- errors before the redirect URI is trusted: shown on a page, never redirected -------------------------
def test_rfc6749_4_1_2_1_unknown_client_is_shown_not_redirected(browser, portal):
    assert error_page(begin(browser, portal, client_id="no-such-portal")) == "error.unknown_client"
    assert error_page(begin(browser, portal, client_id=None)) == "error.missing_client_id"


def test_rfc6749_4_1_2_1_missing_redirect_uri_is_shown_not_redirected(browser, portal):
    assert error_page(begin(browser, portal, redirect_uri=None)) == "error.missing_redirect_uri"


@pytest.mark.parametrize(
    "uri",
    [
        "https://evil.example/callback",
        "https://portal.example.vn/callback/../../evil",
        "https://portal.example.vn/callback?x=1",
        "https://portal.example.vn/CALLBACK",
        "https://portal.example.vn/callbackx",
        "http://portal.example.vn/callback",
    ],
)
def test_rfc9700_4_1_3_unregistered_redirect_uri_is_shown_not_redirected(browser, portal, uri):
    # Errors detected at the same time (bad response_type, no PKCE) must not be redirected either.
    resp = begin(browser, portal, redirect_uri=uri, response_type="token", code_challenge=None)
    assert error_page(resp) == "error.bad_redirect_uri"


def test_rfc6749_3_1_repeated_redirect_uri_is_shown_not_redirected(browser, portal):
    query = (
        f"client_id={portal.client_id}&redirect_uri={portal.redirect_uri}&redirect_uri=https://evil.example/"
    )
    resp = browser.get(f"/authorize?{query}&response_type=code&scope=openid", follow_redirects=False)
    assert error_page(resp) == "error.bad_redirect_uri"


# -- errors after the redirect URI is trusted: redirected with state and iss ------------------------------
@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "code token"])
def test_rfc6749_4_1_2_1_response_type_other_than_code_is_unsupported(browser, portal, response_type):
    params = redirected_to(begin(browser, portal, response_type=response_type), portal)
    assert params["error"] == "unsupported_response_type"
    assert params["state"] == "st-123"
    assert params["iss"] == ISSUER


def test_rfc6749_4_1_2_1_missing_response_type_is_invalid_request(browser, portal):
    params = redirected_to(begin(browser, portal, response_type=None), portal)
    assert params["error"] == "invalid_request"


def test_oidc_core_3_1_2_1_scope_without_openid_is_refused(browser, portal):
    params = redirected_to(begin(browser, portal, scope="profile email"), portal)
    assert params["error"] == "invalid_scope"
    assert params["state"] == "st-123"
    assert params["iss"] == ISSUER


def test_oidc_core_3_1_2_1_prompt_none_with_other_values_is_invalid_request(browser, portal):
    params = redirected_to(begin(browser, portal, prompt="none login"), portal)
    assert params["error"] == "invalid_request"


def test_rfc9101_6_2_unsigned_request_object_is_invalid_request_object(browser, portal):
    params = redirected_to(begin(browser, portal, request="e30.e30."), portal)
    assert params["error"] == "invalid_request_object"


def test_rfc6749_4_1_2_state_echoed_and_rfc9207_2_iss_present(browser, portal, citizen):
    result = authorize(browser, portal, citizen, state="Trạng thái & ký tự=đặc biệt")
    assert result.params["state"] == "Trạng thái & ký tự=đặc biệt"
    assert result.params["iss"] == ISSUER
    assert set(result.params) == {"code", "state", "iss"}


def test_rfc6749_4_1_2_without_state_no_state_is_returned(browser, portal, citizen):
    result = authorize(browser, portal, citizen, state=None)
    assert "state" not in result.params
    assert result.params["iss"] == ISSUER


def test_rfc6749_4_1_2_1_consent_denied_is_access_denied(browser, portal, citizen):
    result = authorize(browser, portal, citizen, consent=False)
    assert result.params["error"] == "access_denied"
    assert result.params["state"] == "st-123"
    assert result.params["iss"] == ISSUER


# -- prompt, max_age, id_token_hint (OIDC Core 3.1.2.1, 3.1.2.3) ----------------------------------------
def test_oidc_core_3_1_2_1_prompt_none_without_session_is_login_required(browser, portal):
    params = redirected_to(begin(browser, portal, prompt="none"), portal)
    assert params["error"] == "login_required"
    assert params["state"] == "st-123"
    assert params["iss"] == ISSUER


def test_oidc_core_3_1_2_1_prompt_none_with_session_but_no_consent_is_consent_required(
    browser, portal, citizen
):
    authorize(browser, portal, citizen, scope="openid profile")
    params = redirected_to(begin(browser, portal, prompt="none", scope="openid profile email"), portal)
    assert params["error"] == "consent_required"
    assert params["iss"] == ISSUER


def test_oidc_core_3_1_2_1_prompt_none_with_session_and_consent_issues_code(browser, portal, citizen):
    authorize(browser, portal, citizen)
    params = redirected_to(begin(browser, portal, prompt="none"), portal)
    assert "code" in params and params["state"] == "st-123"


def test_oidc_core_3_1_2_1_prompt_login_forces_the_login_page(browser, portal, citizen):
    authorize(browser, portal, citizen)
    location = interaction_location(begin(browser, portal, prompt="login"))
    page, _ = open_interaction(browser, location)
    assert 'name="password"' in page
    result = authorize(browser, portal, citizen, prompt="login")
    assert any('name="password"' in p for p in result.pages)
    assert "code" in result.params


def test_oidc_core_3_1_2_1_max_age_0_forces_a_new_login(browser, api, portal, citizen, platform):
    first = token_set(browser, api, portal, citizen)
    first_auth_time = verify_jwt(api, first["id_token"])[1]["auth_time"]
    # The browser's session was authenticated two minutes ago.
    update_rows(
        platform.db, SsoSession, SsoSession.ended_at.is_(None), auth_time=utcnow() - timedelta(seconds=120)
    )
    result = authorize(browser, portal, citizen, max_age="0")
    assert any('name="password"' in p for p in result.pages), "max_age=0 must show the login page"
    second = redeem(api, portal, result.code, result.verifier).json()
    auth_time = verify_jwt(api, second["id_token"])[1]["auth_time"]
    # A new authentication happened now, not the one the session remembered from two minutes ago.
    assert auth_time >= first_auth_time


def test_oidc_core_3_1_2_1_max_age_within_limit_reuses_the_session(browser, portal, citizen, platform):
    authorize(browser, portal, citizen)
    update_rows(
        platform.db, SsoSession, SsoSession.ended_at.is_(None), auth_time=utcnow() - timedelta(seconds=120)
    )
    result = authorize(browser, portal, None, max_age="600")
    assert result.pages == [] and "code" in result.params


def test_oidc_core_3_1_2_1_id_token_hint_for_another_client_is_refused(
    browser, api, portal, citizen, platform
):
    id_token = token_set(browser, api, portal, citizen)["id_token"]
    other = make_portal(platform, name="Cổng tỉnh", redirect_uris=("https://tinh.example.vn/cb",))
    params = redirected_to(begin(browser, other, id_token_hint=id_token), other)
    assert params["error"] == "invalid_request"
    assert params["state"] == "st-123" and params["iss"] == ISSUER


def test_oidc_core_3_1_2_1_id_token_hint_of_the_current_user_allows_prompt_none(
    browser, api, portal, citizen
):
    id_token = token_set(browser, api, portal, citizen)["id_token"]
    params = redirected_to(begin(browser, portal, prompt="none", id_token_hint=id_token), portal)
    assert "code" in params


def test_oidc_core_3_1_2_1_id_token_hint_of_another_user_is_login_required(browser, api, portal, citizen, op):
    id_token = token_set(browser, api, portal, citizen)["id_token"]
    # The same browser now logs in as somebody else.
    other = make_citizen(op, full_name="Trần Thị Bình", sex="F")
    authorize(browser, portal, other, prompt="login")
    params = redirected_to(begin(browser, portal, prompt="none", id_token_hint=id_token), portal)
    assert params["error"] == "login_required"


def test_oidc_core_3_1_2_1_garbage_id_token_hint_is_invalid_request(browser, portal):
    params = redirected_to(begin(browser, portal, id_token_hint="not.a.token"), portal)
    assert params["error"] == "invalid_request"


# -- response_mode=form_post (OAuth 2.0 Form Post Response Mode, Section 2) ------------------------------
def test_form_post_response_mode_returns_an_auto_submitting_form(browser, portal, citizen):
    authorize(browser, portal, citizen)
    resp = begin(browser, portal, response_mode="form_post")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.headers["cache-control"] == "no-store"
    assert f'<form method="post" action="{portal.redirect_uri}"' in resp.text
    fields = {k: html.unescape(v) for k, v in HIDDEN.findall(resp.text)}
    assert set(fields) == {"code", "state", "iss"}
    assert fields["state"] == "st-123" and fields["iss"] == ISSUER
    # Auto-submitted by a script the CSP allows, to the portal's origin only.
    csp = resp.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in resp.text and ".submit()" in resp.text
    assert "form-action 'self' https://portal.example.vn;" in csp


def test_form_post_response_mode_carries_errors_too(browser, portal):
    resp = begin(browser, portal, response_mode="form_post", prompt="none")
    assert resp.status_code == 200
    fields = dict(HIDDEN.findall(resp.text))
    assert fields["error"] == "login_required" and fields["iss"] == ISSUER and fields["state"] == "st-123"


def test_oauth_multiple_response_types_2_unknown_response_mode_is_invalid_request(browser, portal):
    params = redirected_to(begin(browser, portal, response_mode="fragment"), portal)
    assert params["error"] == "invalid_request"


# -- levels of assurance (OpenID Connect Core Unmet Authentication Requirements 1.0) ---------------------
def test_unmet_authentication_requirements_loa3_asked_loa2_identity(browser, portal, citizen):
    location = interaction_location(begin(browser, portal, acr_values="urn:nixa:loa:3"))
    resp = submit_login(browser, location, citizen.personal_id, citizen.password)
    params = redirected_to(resp, portal)
    assert params["error"] == "unmet_authentication_requirements"
    assert params["state"] == "st-123" and params["iss"] == ISSUER


def test_unmet_authentication_requirements_loa3_asked_with_existing_session(browser, portal, citizen):
    authorize(browser, portal, citizen)
    params = redirected_to(begin(browser, portal, acr_values="urn:nixa:loa:3"), portal)
    assert params["error"] == "unmet_authentication_requirements"


def test_oidc_core_3_1_2_1_login_hint_prefills_the_username(browser, portal, citizen):
    location = interaction_location(begin(browser, portal, login_hint=citizen.personal_id))
    page, _ = open_interaction(browser, location)
    assert f'name="username" value="{citizen.personal_id}"' in page


def test_oidc_core_3_1_2_1_authorization_request_by_post(browser, portal, citizen):
    authorize(browser, portal, citizen)
    params = authorize_params(portal, pkce_pair()[1], prompt="none")
    assert "code" in redirected_to(browser.post("/authorize", data=params, follow_redirects=False), portal)


def test_oidc_core_3_1_2_1_prompt_consent_asks_again(browser, portal, citizen):
    authorize(browser, portal, citizen)
    page, _ = open_interaction(browser, interaction_location(begin(browser, portal, prompt="consent")))
    assert 'value="approve"' in page


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_age", "-1"),
        ("max_age", "soon"),
        ("claims", "{not json"),
        ("claims", "[]"),
        ("claims", '{"id_token": {"acr": {"essential": true, "values": ["urn:other:loa"]}}}'),
    ],
)
def test_oidc_core_3_1_2_1_malformed_parameters_are_invalid_request(browser, portal, name, value):
    params = redirected_to(begin(browser, portal, **{name: value}), portal)
    assert params["error"] == "invalid_request"
    assert params["state"] == "st-123"


def test_oidc_core_3_1_2_1_expired_session_means_login_required(browser, portal, citizen, platform):
    authorize(browser, portal, citizen)
    update_rows(
        platform.db, SsoSession, SsoSession.ended_at.is_(None), expires_at=utcnow() - timedelta(seconds=1)
    )
    assert redirected_to(begin(browser, portal, prompt="none"), portal)["error"] == "login_required"


def test_oidc_core_3_1_2_1_disabled_client_is_shown_not_redirected(browser, portal, platform):
    update_rows(platform.db, Client, Client.client_id == portal.client_id, disabled=True)
    assert error_page(begin(browser, portal)) == "error.unknown_client"


def test_oidc_core_3_1_2_3_login_by_email_address(browser, portal, citizen):
    location = interaction_location(begin(browser, portal))
    resp = submit_login(browser, location, citizen.email.upper(), citizen.password)
    consent = interaction_location(resp)
    assert 'value="approve"' in open_interaction(browser, consent)[0]


def test_form_post_response_mode_escapes_what_the_portal_sent(browser, portal, citizen):
    authorize(browser, portal, citizen)
    resp = begin(browser, portal, response_mode="form_post", state='"><script>alert(1)</script>')
    assert "<script>alert(1)" not in resp.text
    assert dict(HIDDEN.findall(resp.text))["state"] == "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


def test_an_interaction_is_completed_exactly_once(op, platform, portal):
    """What keeps a double-submitted form from issuing two codes: the first completion wins, in the same
    unit of work or another, and the session's copy of the row says so."""
    with platform.db.session() as s:
        row = op.sessions.new_interaction(
            s, browser_id="browser", client_id=portal.client_id, request={}, prompt="login"
        )
        interaction_id = row.id
    with platform.db.session() as s:
        found = op.sessions.interaction(s, interaction_id, "browser")
        assert found is not None and found[1] == s.get(Client, portal.client_id).updated_at
        loaded = found[0]
        assert loaded.completed_at is None
        assert op.sessions.complete(s, interaction_id) is True
        assert loaded.completed_at is not None and not s.is_modified(loaded)
        assert op.sessions.complete(s, interaction_id) is False
    with platform.db.session() as s:
        assert op.sessions.complete(s, interaction_id) is False
        assert op.sessions.interaction(s, interaction_id, "browser") is None
        assert op.sessions.may_continue(s, interaction_id, "browser") is False


def test_the_check_before_the_hash_refuses_what_loading_the_interaction_refuses(op, platform, portal):
    """``may_continue`` (Core, before a password hash) and ``interaction`` (the unit of work) agree: another
    browser, no browser, an unknown id, an expired and a completed interaction are refused by both."""
    with platform.db.session() as s:
        live = op.sessions.new_interaction(
            s, browser_id="browser", client_id=portal.client_id, request={}, prompt="login"
        ).id
        expired = op.sessions.new_interaction(
            s, browser_id="browser", client_id=portal.client_id, request={}, prompt="login"
        )
        expired.expires_at = utcnow() - timedelta(seconds=1)
        expired_id = expired.id
        done = op.sessions.new_interaction(
            s, browser_id="browser", client_id=portal.client_id, request={}, prompt="login"
        ).id
    with platform.db.session() as s:
        assert op.sessions.complete(s, done)
    cases = [
        (live, "browser", True),
        (live, "another-browser", False),
        (live, None, False),
        ("no-such-interaction", "browser", False),
        (expired_id, "browser", False),
        (done, "browser", False),
    ]
    with platform.db.read_session() as s:
        for interaction_id, browser, expected in cases:
            assert op.sessions.may_continue(s, interaction_id, browser) is expected, interaction_id
            assert (op.sessions.interaction(s, interaction_id, browser) is not None) is expected
