"""Token introspection, RFC 7662 Sections 2 and 4: authenticated clients learn about their own tokens only."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import ISSUER
from tests.support.factories import make_key_portal, make_portal
from tests.support.flows import authorize, redeem, token_set
from tests.support.tokens import assertion_form, client_assertion

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


def test_rfc7523_3_an_assertion_replayed_at_introspection_is_refused(browser, api, platform, citizen):
    # Introspection reads in a read session unless the client authenticates by assertion: then the jti is
    # recorded, so the same assertion cannot authenticate twice.
    key_portal = make_key_portal(platform)
    result = authorize(browser, key_portal, citizen)
    redeemed = redeem(
        api, key_portal, result.code, result.verifier, **assertion_form(client_assertion(key_portal, ISSUER))
    )
    access = redeemed.json()["access_token"]
    assertion = client_assertion(key_portal, ISSUER)
    form = {"token": access, "client_id": key_portal.client_id, **assertion_form(assertion)}
    first = api.post("/introspect", data=form)
    assert first.status_code == 200 and first.json()["active"] is True
    again = api.post("/introspect", data=form)
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"


def test_introspection_by_secret_neither_takes_nor_waits_for_sqlites_write_lock(
    api, portal, tokens, platform
):
    if platform.db.is_postgres:
        pytest.skip("SQLite's single write lock")
    writer = sqlite3.connect(platform.db.engine.url.database, timeout=0, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        # Were it to take the lock, it would wait out the 30 s busy timeout and fail with server_error.
        resp = introspect(api, portal, tokens["access_token"])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert resp.status_code == 200 and resp.json()["active"] is True
