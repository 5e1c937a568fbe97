"""RFC 7592: reading, updating and deleting a dynamically registered client with its registration token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey
from sqlalchemy import select

from idp.models import AuditRecord, Client
from tests.oidc.test_registration import (
    REDIRECT,
    assert_error,
    initial_token,
    portal_of,
    registered,
)
from tests.support.flows import authorize, redeem


def bearer(info: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {info['registration_access_token']}"}


def replacement(info: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What a client sends back on update: its metadata, minus the server-issued members (Section 2.2)."""
    issued = (
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
        "client_secret",
    )
    body = {k: v for k, v in info.items() if k not in issued}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def put(api: TestClient, info: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
    return api.put(f"/register/{info['client_id']}", json=body, headers=bearer(info))


# -- Section 2.1: read -------------------------------------------------------------------------------------


def test_rfc7592_2_1_read_returns_current_metadata_without_the_secret(api, platform):
    info = registered(api, platform, contacts=["it@dvc.example.vn"])
    resp = api.get(info["registration_client_uri"], headers=bearer(info))
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    read = resp.json()
    assert "client_secret" not in read  # stored only as a hash
    assert {k: v for k, v in info.items() if k != "client_secret"} == read


def test_rfc7592_2_missing_registration_token_is_401(api, platform):
    info = registered(api, platform)
    resp = api.get(f"/register/{info['client_id']}")
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_rfc7592_2_registration_token_of_client_a_cannot_touch_b(api, platform, method):
    a, b = registered(api, platform), registered(api, platform)
    resp = api.request(
        method,
        f"/register/{b['client_id']}",
        headers=bearer(a),
        json=replacement(b) if method == "PUT" else None,
    )
    assert_error(resp, 401, "invalid_token")
    assert api.get(f"/register/{b['client_id']}", headers=bearer(b)).json()["client_name"] == b["client_name"]


def test_rfc7592_2_unknown_client_is_the_same_401_as_a_bad_token(api, platform):
    info = registered(api, platform)
    unknown = api.get("/register/no-such-client", headers=bearer(info))
    wrong = api.get(f"/register/{info['client_id']}", headers={"Authorization": "Bearer wrong"})
    assert_error(unknown, 401, "invalid_token")
    assert unknown.json() == wrong.json()
    assert unknown.headers["www-authenticate"] == wrong.headers["www-authenticate"]


def test_rfc7592_2_initial_access_token_is_not_a_registration_token(api, platform):
    token = initial_token(platform, max_uses=2)
    info = registered(api, platform)
    resp = api.get(f"/register/{info['client_id']}", headers={"Authorization": f"Bearer {token}"})
    assert_error(resp, 401, "invalid_token")


def test_rfc7592_2_operator_created_client_cannot_be_managed(api, portal):
    resp = api.get(f"/register/{portal.client_id}", headers={"Authorization": "Bearer anything"})
    assert_error(resp, 401, "invalid_token")


# -- Section 2.2: update -----------------------------------------------------------------------------------


def test_rfc7592_2_2_update_replaces_metadata_and_keeps_credentials(browser, api, platform, citizen):
    info = registered(api, platform, contacts=["it@dvc.example.vn"], logo_uri="https://dvc.example.vn/l.png")
    new_redirect = "https://dvc.example.vn/callback2"
    body = replacement(info, redirect_uris=[new_redirect], client_name="Cổng mới", logo_uri=None)
    resp = put(api, info, body)
    assert resp.status_code == 200, resp.text
    updated = resp.json()
    assert updated["redirect_uris"] == [new_redirect] and updated["client_name"] == "Cổng mới"
    assert "logo_uri" not in updated  # omitted means removed
    assert updated["contacts"] == ["it@dvc.example.vn"]
    assert updated["client_id"] == info["client_id"] and "client_secret" not in updated
    assert api.get(info["registration_client_uri"], headers=bearer(info)).json() == updated
    portal = portal_of({**info, "redirect_uris": [new_redirect]})
    result = authorize(browser, portal, citizen)
    assert redeem(api, portal, result.code, result.verifier).status_code == 200


@pytest.mark.parametrize("client_id", [None, "someone-else"])
def test_rfc7592_2_2_update_needs_the_matching_client_id(api, platform, client_id):
    info = registered(api, platform)
    # replacement() leaves out members set to None, so None sends no client_id at all.
    assert_error(put(api, info, replacement(info, client_id=client_id)), 400, "invalid_request")


def test_rfc7592_2_2_client_secret_in_update_must_match(api, platform):
    info = registered(api, platform)
    assert_error(put(api, info, replacement(info, client_secret="guess")), 400, "invalid_request")
    assert put(api, info, replacement(info, client_secret=info["client_secret"])).status_code == 200


@pytest.mark.parametrize(
    "member",
    [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ],
)
def test_rfc7592_2_2_update_must_not_send_server_issued_members(api, platform, member):
    info = registered(api, platform)
    assert_error(put(api, info, replacement(info, **{member: info[member]})), 400, "invalid_request")


def test_rfc7592_2_2_refused_update_changes_nothing(api, platform):
    info = registered(api, platform)
    resp = put(api, info, replacement(info, redirect_uris=["http://dvc.example.vn/cb"]))
    assert_error(resp, 400, "invalid_redirect_uri")
    assert api.get(info["registration_client_uri"], headers=bearer(info)).json()["redirect_uris"] == [
        REDIRECT
    ]


def test_rfc7592_2_2_switching_auth_method_drops_or_issues_the_secret(api, platform):
    info = registered(api, platform)
    key = ECKey.generate_key("P-256").as_dict(private=False)
    to_jwt = put(
        api, info, replacement(info, token_endpoint_auth_method="private_key_jwt", jwks={"keys": [key]})
    )
    assert to_jwt.status_code == 200, to_jwt.text
    assert "client_secret_expires_at" not in to_jwt.json()
    old_secret = api.post(
        "/token", data={"grant_type": "client_credentials"}, auth=(info["client_id"], info["client_secret"])
    )
    assert_error(old_secret, 401, "invalid_client")
    back = put(
        api, info, replacement(to_jwt.json(), token_endpoint_auth_method="client_secret_basic", jwks=None)
    )
    assert back.status_code == 200, back.text
    assert back.json()["client_secret"] and back.json()["client_secret"] != info["client_secret"]


def test_rfc7592_2_2_operator_granted_public_subject_can_be_kept_not_gained(api, platform):
    info = registered(api, platform)
    assert_error(put(api, info, replacement(info, subject_type="public")), 400, "invalid_client_metadata")
    with platform.db.session() as s:
        s.get(Client, info["client_id"]).subject_type = "public"
    resp = put(api, info, replacement(info, subject_type="public", client_name="Cổng đổi tên"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["subject_type"] == "public"


def test_rfc7592_2_2_disabled_client_may_read_but_not_update(api, platform):
    info = registered(api, platform)
    with platform.db.session() as s:
        s.get(Client, info["client_id"]).disabled = True
    assert api.get(info["registration_client_uri"], headers=bearer(info)).status_code == 200
    assert_error(put(api, info, replacement(info, client_name="Cổng đổi tên")), 403, "access_denied")


def test_rfc7592_2_2_update_is_audited(api, platform):
    info = registered(api, platform)
    assert put(api, info, replacement(info, client_name="Cổng đổi tên")).status_code == 200
    with platform.db.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.event == "client:updated")).one()
        assert record.client_id == info["client_id"] and record.data["fields"] == ["client_name"]


# -- Section 2.3: delete -----------------------------------------------------------------------------------


def test_rfc7592_2_3_delete_then_get_is_401(api, platform):
    info = registered(api, platform)
    resp = api.delete(info["registration_client_uri"], headers=bearer(info))
    assert resp.status_code == 204 and resp.content == b""
    assert_error(api.get(info["registration_client_uri"], headers=bearer(info)), 401, "invalid_token")
    assert_error(api.delete(info["registration_client_uri"], headers=bearer(info)), 401, "invalid_token")
    with platform.db.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.event == "client:removed")).one()
        assert record.client_id == info["client_id"] and record.actor == f"client:{info['client_id']}"


def test_rfc7592_2_3_deleted_client_cannot_use_its_credentials_or_tokens(browser, api, platform, citizen):
    info = registered(api, platform)
    portal = portal_of(info)
    result = authorize(browser, portal, citizen)
    tokens = redeem(api, portal, result.code, result.verifier).json()
    second = authorize(browser, portal, citizen)
    assert api.delete(info["registration_client_uri"], headers=bearer(info)).status_code == 204
    assert_error(redeem(api, portal, second.code, second.verifier), 401, "invalid_client")
    userinfo = api.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401
