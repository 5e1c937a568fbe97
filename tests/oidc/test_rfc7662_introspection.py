"""Token introspection, RFC 7662 Sections 2 and 4: authenticated clients learn about their own tokens only."""

from __future__ import annotations

import pytest

from tests.conftest import ISSUER
from tests.support.factories import make_portal
from tests.support.flows import token_set

OFFLINE = "openid profile offline_access"


@pytest.fixture
def tokens(browser, api, portal, citizen) -> dict:
    return token_set(browser, api, portal, citizen, scope=OFFLINE)


def introspect(api, portal, token: str, **extra: str):
    return api.post(
        "/introspect", data={"token": token, **extra}, auth=(portal.client_id, portal.client_secret)
    )


def test_rfc7662_2_2_active_access_token_of_the_caller(api, portal, tokens):
    resp = introspect(api, portal, tokens["access_token"])
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store"
    body = resp.json()
    assert body["active"] is True
    assert body["client_id"] == portal.client_id
    assert set(body["scope"].split()) == set(OFFLINE.split())
    assert body["iss"] == ISSUER and body["token_type"] == "Bearer"
    assert body["exp"] > body["iat"]
    assert body["sub"]


def test_rfc7662_2_2_active_refresh_token_of_the_caller(api, portal, tokens):
    body = introspect(api, portal, tokens["refresh_token"], token_type_hint="refresh_token").json()
    assert body["active"] is True and body["client_id"] == portal.client_id


def test_rfc7662_4_token_of_another_client_is_inactive(api, portal, tokens, platform):
    other = make_portal(platform, name="Cổng tò mò")
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert introspect(api, other, token).json() == {"active": False}


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_rfc7662_2_2_unknown_token_is_inactive(api, portal, token):
    assert introspect(api, portal, token).json() == {"active": False}


def test_rfc7662_2_2_revoked_token_is_inactive(api, portal, tokens):
    api.post("/revoke", data={"token": tokens["access_token"]}, auth=(portal.client_id, portal.client_secret))
    assert introspect(api, portal, tokens["access_token"]).json() == {"active": False}


def test_rfc7662_2_1_caller_must_authenticate(api, tokens):
    resp = api.post("/introspect", data={"token": tokens["access_token"]})
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


def test_rfc7662_2_1_wrong_secret_is_invalid_client(api, portal, tokens):
    resp = api.post("/introspect", data={"token": tokens["access_token"]}, auth=(portal.client_id, "wrong"))
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Basic ")


def test_rfc7662_2_1_public_clients_cannot_introspect(browser, api, platform, citizen):
    public = make_portal(
        platform, token_endpoint_auth_method="none", redirect_uris=("http://127.0.0.1:8765/cb",)
    )
    access = token_set(browser, api, public, citizen)["access_token"]
    resp = api.post("/introspect", data={"token": access, "client_id": public.client_id})
    assert resp.status_code in (400, 401)
    assert resp.json()["error"] in ("unauthorized_client", "invalid_client")


def test_rfc7662_2_1_token_parameter_is_required(api, portal):
    resp = api.post("/introspect", data={}, auth=(portal.client_id, portal.client_secret))
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"
