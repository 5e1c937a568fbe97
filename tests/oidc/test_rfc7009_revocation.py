"""Token revocation, RFC 7009 Section 2."""

from __future__ import annotations

import pytest

from tests.support.factories import make_portal
from tests.support.flows import bearer, refresh, token_set

OFFLINE = "openid profile offline_access"


@pytest.fixture
def tokens(browser, api, portal, citizen) -> dict:
    return token_set(browser, api, portal, citizen, scope=OFFLINE)


def revoke(api, portal, token: str, **extra: str):
    return api.post("/revoke", data={"token": token, **extra}, auth=(portal.client_id, portal.client_secret))


def test_rfc7009_2_1_revoking_a_refresh_token_kills_the_grant(api, portal, tokens):
    resp = revoke(api, portal, tokens["refresh_token"], token_type_hint="refresh_token")
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store"
    assert refresh(api, portal, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    # RFC 7009 Section 2.1: access tokens of the same grant go too.
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401


def test_rfc7009_2_1_revoking_an_access_token(api, portal, tokens):
    assert revoke(api, portal, tokens["access_token"], token_type_hint="access_token").status_code == 200
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401


def test_rfc7009_2_1_wrong_hint_still_finds_the_token(api, portal, tokens):
    assert revoke(api, portal, tokens["refresh_token"], token_type_hint="access_token").status_code == 200
    assert refresh(api, portal, tokens["refresh_token"]).status_code == 400


def test_rfc7009_2_1_unknown_hint_is_ignored(api, portal, tokens):
    assert revoke(api, portal, tokens["access_token"], token_type_hint="id_token").status_code == 200
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401


def test_rfc7009_2_1_token_of_another_client_is_not_revoked(api, portal, tokens, platform):
    other = make_portal(platform, name="Cổng khác")
    assert revoke(api, other, tokens["refresh_token"]).status_code == 200
    assert revoke(api, other, tokens["access_token"]).status_code == 200
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
    assert refresh(api, portal, tokens["refresh_token"]).status_code == 200


def test_rfc7009_2_2_unknown_token_is_answered_200(api, portal):
    assert revoke(api, portal, "no-such-token").status_code == 200


def test_rfc7009_2_1_client_must_authenticate(api, portal, tokens):
    resp = api.post("/revoke", data={"token": tokens["refresh_token"]}, auth=(portal.client_id, "wrong"))
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"
    assert refresh(api, portal, tokens["refresh_token"]).status_code == 200


def test_rfc7009_2_1_public_client_revokes_with_its_client_id(browser, api, platform, citizen):
    public = make_portal(
        platform, token_endpoint_auth_method="none", redirect_uris=("http://127.0.0.1:8765/cb",)
    )
    tokens = token_set(browser, api, public, citizen, scope=OFFLINE)
    resp = api.post("/revoke", data={"token": tokens["refresh_token"], "client_id": public.client_id})
    assert resp.status_code == 200
    assert refresh(api, public, tokens["refresh_token"]).status_code == 400
