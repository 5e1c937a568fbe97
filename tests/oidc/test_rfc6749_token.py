"""Token endpoint: RFC 6749 Sections 2.3, 4.1.3, 4.4, 5, 6 and RFC 9700 Section 4.14 (refresh rotation)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient

from idp.crypto import sha256_hex
from idp.db import utcnow
from idp.models import AuthorizationCode, Client, RefreshToken
from tests.conftest import ISSUER
from tests.support.db import update_rows
from tests.support.factories import make_portal
from tests.support.flows import authorize, bearer, redeem, refresh, token_post, token_set

OFFLINE = "openid profile offline_access"


def assert_error(resp, status: int, error: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["error"] == error
    assert resp.headers["cache-control"] == "no-store"


# -- authorization_code (RFC 6749 Section 4.1.3) ---------------------------------------------------------
def test_rfc6749_5_1_token_response_has_tokens_and_is_not_cached(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen, scope=OFFLINE)
    resp = redeem(api, portal, result.code, result.verifier)
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store"
    assert resp.headers["pragma"] == "no-cache"
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert set(body["scope"].split()) == {"openid", "profile", "offline_access"}
    assert body["id_token"] and body["access_token"] and body["refresh_token"]


def only_one_wins(app, request, n: int = 20) -> dict:
    """``request(client)`` sent by ``n`` clients at once: exactly one gets tokens, every other
    invalid_grant. Returns the winner's token response."""
    start = threading.Barrier(n)

    def attempt(_: int):
        with TestClient(app, base_url=ISSUER) as client:
            start.wait(timeout=30)
            return request(client)

    with ThreadPoolExecutor(max_workers=n) as pool:
        responses = list(pool.map(attempt, range(n)))
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, [r.status_code for r in responses]
    for r in responses:
        if r.status_code != 200:
            assert_error(r, 400, "invalid_grant")
    return winners[0].json()


def test_rfc6749_4_1_2_code_redeemed_by_20_concurrent_requests_succeeds_once(
    app, browser, api, portal, citizen
):
    result = authorize(browser, portal, citizen, scope=OFFLINE)
    tokens = only_one_wins(app, lambda client: redeem(client, portal, result.code, result.verifier))
    # RFC 6749 Section 4.1.2: the tokens issued on the reused code are revoked.
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    assert_error(refresh(api, portal, tokens["refresh_token"]), 400, "invalid_grant")


def test_rfc6749_4_1_2_code_used_twice_revokes_the_first_tokens(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    first = redeem(api, portal, result.code, result.verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert api.get("/userinfo", headers=bearer(access)).status_code == 200
    assert_error(redeem(api, portal, result.code, result.verifier), 400, "invalid_grant")
    assert api.get("/userinfo", headers=bearer(access)).status_code == 401


def test_rfc6749_4_1_2_single_use_holds_without_update_returning(
    browser, api, portal, citizen, platform, monkeypatch
):
    # A database without UPDATE ... RETURNING (SQLite before 3.35) takes the row count and a second read.
    monkeypatch.setattr(platform.db.engine.dialect, "update_returning", False)
    result = authorize(browser, portal, citizen, scope=OFFLINE)
    first = redeem(api, portal, result.code, result.verifier)
    assert first.status_code == 200 and first.json()["refresh_token"]
    assert_error(redeem(api, portal, result.code, result.verifier), 400, "invalid_grant")
    assert api.get("/userinfo", headers=bearer(first.json()["access_token"])).status_code == 401
    assert_error(redeem(api, portal, "no-such-code", result.verifier), 400, "invalid_grant")


def test_rfc6749_4_1_3_code_issued_to_another_client_is_invalid_grant(
    browser, api, portal, citizen, platform
):
    other = make_portal(platform, name="Cổng khác", redirect_uris=(portal.redirect_uri,))
    result = authorize(browser, portal, citizen)
    assert_error(redeem(api, other, result.code, result.verifier), 400, "invalid_grant")
    # The rightful client can still redeem it.
    assert redeem(api, portal, result.code, result.verifier).status_code == 200


def test_rfc6749_4_1_2_expired_code_is_invalid_grant(browser, api, portal, citizen, platform):
    result = authorize(browser, portal, citizen)
    changed = update_rows(
        platform.db,
        AuthorizationCode,
        AuthorizationCode.code_hash == sha256_hex(result.code),
        expires_at=utcnow() - timedelta(seconds=1),
    )
    assert changed == 1
    assert_error(redeem(api, portal, result.code, result.verifier), 400, "invalid_grant")


def test_rfc6749_4_1_3_unknown_code_is_invalid_grant(api, portal):
    assert_error(redeem(api, portal, "no-such-code", "v" * 43), 400, "invalid_grant")


def test_rfc6749_4_1_3_redirect_uri_must_match_the_authorization_request(
    browser, api, portal, citizen, platform
):
    portal2 = make_portal(
        platform, redirect_uris=("https://portal.example.vn/a", "https://portal.example.vn/b")
    )
    result = authorize(browser, portal2, citizen)
    wrong = redeem(api, portal2, result.code, result.verifier, redirect_uri="https://portal.example.vn/b")
    assert_error(wrong, 400, "invalid_grant")
    missing = token_post(
        api,
        portal2,
        {"grant_type": "authorization_code", "code": result.code, "code_verifier": result.verifier},
    )
    assert_error(missing, 400, "invalid_grant")
    assert redeem(api, portal2, result.code, result.verifier).status_code == 200


def test_rfc6749_3_2_missing_grant_type_and_unsupported_grant_type(api, portal):
    assert_error(token_post(api, portal, {}), 400, "invalid_request")
    assert_error(token_post(api, portal, {"grant_type": "password"}), 400, "unsupported_grant_type")


def test_rfc6749_3_2_repeated_parameter_is_invalid_request(api, portal):
    resp = api.post(
        "/token",
        content="grant_type=authorization_code&code=a&code=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=(portal.client_id, portal.client_secret),
    )
    assert_error(resp, 400, "invalid_request")


# -- client authentication (RFC 6749 Sections 2.3 and 5.2) -----------------------------------------------
def test_rfc6749_5_2_wrong_secret_with_basic_is_401_with_basic_challenge(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    resp = api.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": portal.redirect_uri,
            "code_verifier": result.verifier,
        },
        auth=(portal.client_id, "wrong-secret"),
    )
    assert_error(resp, 401, "invalid_client")
    assert resp.headers["www-authenticate"].startswith("Basic ")


def test_rfc6749_5_2_unknown_client_with_basic_is_401_with_basic_challenge(api):
    resp = api.post("/token", data={"grant_type": "client_credentials"}, auth=("nobody", "secret"))
    assert_error(resp, 401, "invalid_client")
    assert resp.headers["www-authenticate"].startswith("Basic ")


def test_rfc6749_2_3_1_wrong_secret_with_post_is_invalid_client(api, portal):
    resp = api.post(
        "/token",
        data={"grant_type": "client_credentials", "client_id": portal.client_id, "client_secret": "wrong"},
    )
    assert_error(resp, 401, "invalid_client")


def test_rfc6749_2_3_two_authentication_methods_at_once_is_invalid_request(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    resp = api.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": portal.redirect_uri,
            "code_verifier": result.verifier,
            "client_id": portal.client_id,
            "client_secret": portal.client_secret,
        },
        auth=(portal.client_id, portal.client_secret),
    )
    assert_error(resp, 400, "invalid_request")


def test_rfc6749_2_3_1_client_secret_post(browser, api, platform, citizen):
    portal = make_portal(platform, token_endpoint_auth_method="client_secret_post")
    result = authorize(browser, portal, citizen)
    resp = api.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": portal.redirect_uri,
            "code_verifier": result.verifier,
            "client_id": portal.client_id,
            "client_secret": portal.client_secret,
        },
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["id_token"]


def test_rfc6749_2_3_method_other_than_registered_is_invalid_client(browser, api, platform, citizen):
    portal = make_portal(platform, token_endpoint_auth_method="client_secret_post")
    result = authorize(browser, portal, citizen)
    assert_error(redeem(api, portal, result.code, result.verifier), 401, "invalid_client")  # sent with Basic


def test_rfc6749_2_3_confidential_client_without_secret_is_invalid_client(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    resp = api.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": portal.redirect_uri,
            "code_verifier": result.verifier,
            "client_id": portal.client_id,
        },
    )
    assert_error(resp, 401, "invalid_client")


def test_rfc6749_2_1_public_client_redeems_with_pkce_and_client_id_only(browser, api, platform, citizen):
    public = make_portal(
        platform, token_endpoint_auth_method="none", redirect_uris=("http://127.0.0.1:8765/cb",)
    )
    assert public.client_secret is None
    body = token_set(browser, api, public, citizen)
    assert body["access_token"] and body["id_token"]


def test_rfc6749_2_3_no_client_authentication_at_all_is_invalid_client(api):
    assert_error(api.post("/token", data={"grant_type": "client_credentials"}), 401, "invalid_client")


# -- refresh_token (RFC 6749 Section 6, RFC 9700 Section 4.14.2) -----------------------------------------
def test_rfc9700_4_14_2_refresh_token_is_rotated(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    resp = refresh(api, portal, tokens["refresh_token"])
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    fresh = resp.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert fresh["access_token"] != tokens["access_token"]
    assert set(fresh["scope"].split()) == set(OFFLINE.split())
    assert api.get("/userinfo", headers=bearer(fresh["access_token"])).status_code == 200
    assert refresh(api, portal, fresh["refresh_token"]).status_code == 200


def test_rfc9700_4_14_2_reuse_of_a_rotated_refresh_token_revokes_the_grant(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    fresh = refresh(api, portal, tokens["refresh_token"]).json()
    assert_error(refresh(api, portal, tokens["refresh_token"]), 400, "invalid_grant")
    # Everything issued under the grant is dead, including what the rotation just handed out.
    assert api.get("/userinfo", headers=bearer(fresh["access_token"])).status_code == 401
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    assert_error(refresh(api, portal, fresh["refresh_token"]), 400, "invalid_grant")


def test_rfc6749_6_narrower_scope_is_granted_and_refresh_token_keeps_its_scope(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    narrow = refresh(api, portal, tokens["refresh_token"], scope="openid")
    assert narrow.status_code == 200, narrow.text
    body = narrow.json()
    assert body["scope"] == "openid"
    # RFC 6749 Section 6: a new refresh token has exactly the scope of the one presented.
    assert body["refresh_token"]
    again = refresh(api, portal, body["refresh_token"])
    assert again.status_code == 200, again.text
    assert set(again.json()["scope"].split()) == set(OFFLINE.split())


def test_rfc6749_6_wider_scope_is_invalid_scope_and_the_token_survives(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    assert_error(
        refresh(api, portal, tokens["refresh_token"], scope="openid profile email offline_access"),
        400,
        "invalid_scope",
    )
    assert refresh(api, portal, tokens["refresh_token"]).status_code == 200


def test_rfc9700_4_14_2_refresh_token_spent_by_20_concurrent_requests_once_and_the_grant_revoked(
    app, browser, api, portal, citizen
):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    won = only_one_wins(app, lambda client: refresh(client, portal, tokens["refresh_token"]))
    # Each loser presented a token already rotated: a reuse, so the whole grant is revoked, the
    # winner's new tokens with it.
    assert api.get("/userinfo", headers=bearer(won["access_token"])).status_code == 401
    assert_error(refresh(api, portal, won["refresh_token"]), 400, "invalid_grant")


def test_rfc6749_6_refresh_token_of_another_client_is_invalid_grant(browser, api, portal, citizen, platform):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    other = make_portal(platform, name="Cổng khác")
    assert_error(refresh(api, other, tokens["refresh_token"]), 400, "invalid_grant")
    assert refresh(api, portal, tokens["refresh_token"]).status_code == 200


def test_rfc6749_6_without_offline_access_no_refresh_token(browser, api, portal, citizen):
    assert "refresh_token" not in token_set(browser, api, portal, citizen, scope="openid profile")


# -- client_credentials (RFC 6749 Section 4.4) -----------------------------------------------------------
def test_rfc6749_4_4_client_credentials_for_a_confidential_client(api, platform):
    service = make_portal(platform, grant_types=("client_credentials",), redirect_uris=())
    resp = token_post(api, service, {"grant_type": "client_credentials", "scope": "profile"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "profile"
    # RFC 6749 Section 4.4.3: no refresh token; no person, so no ID token.
    assert "refresh_token" not in body and "id_token" not in body
    assert resp.headers["cache-control"] == "no-store"


def test_rfc6749_4_4_client_credentials_not_for_openid_scope(api, platform):
    service = make_portal(platform, grant_types=("client_credentials",), redirect_uris=())
    assert_error(
        token_post(api, service, {"grant_type": "client_credentials", "scope": "openid"}),
        400,
        "invalid_scope",
    )


def test_rfc6749_4_4_client_credentials_refused_when_not_registered(api, portal):
    assert_error(token_post(api, portal, {"grant_type": "client_credentials"}), 400, "unauthorized_client")


def test_rfc6749_4_4_client_credentials_refused_for_a_public_client(api, platform):
    public = make_portal(
        platform, token_endpoint_auth_method="none", redirect_uris=("http://127.0.0.1:8765/cb",)
    )
    assert_error(token_post(api, public, {"grant_type": "client_credentials"}), 400, "unauthorized_client")
    # Even if the grant type slipped into its registration, a public client cannot prove who it is.
    update_rows(
        platform.db,
        Client,
        Client.client_id == public.client_id,
        grant_types=["authorization_code", "client_credentials"],
    )
    assert_error(token_post(api, public, {"grant_type": "client_credentials"}), 400, "unauthorized_client")


def test_rfc6749_6_expired_refresh_token_is_invalid_grant(browser, api, portal, citizen, platform):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    update_rows(
        platform.db,
        RefreshToken,
        RefreshToken.token_hash == sha256_hex(tokens["refresh_token"]),
        expires_at=utcnow() - timedelta(seconds=1),
    )
    assert_error(refresh(api, portal, tokens["refresh_token"]), 400, "invalid_grant")


def test_rfc6749_5_2_malformed_basic_credentials_are_401_with_basic_challenge(api):
    resp = api.post(
        "/token", data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic !!!"}
    )
    assert_error(resp, 401, "invalid_client")
    assert resp.headers["www-authenticate"].startswith("Basic ")
