"""OpenID Connect for Identity Assurance 1.0: verified_claims in the ID token and at UserInfo."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from idp.errors import InvalidRequest
from idp.models import Client
from idp.oauth.claims import parse_claims_parameter
from idp.platform import Platform
from idp.proofing.decisions import VerificationService
from idp.provider import OpenIDProvider
from tests.proofing.conftest import logged_in, upload
from tests.support.db import update_rows
from tests.support.factories import Citizen, PortalInfo, make_portal
from tests.support.flows import bearer, token_set
from tests.support.tokens import verify_jwt

REQUEST = {
    "verification": {"trust_framework": None},
    "claims": {"given_name": None, "family_name": None, "birthdate": None, "email": None},
}
CLAIMS = json.dumps({"id_token": {"verified_claims": REQUEST}, "userinfo": {"verified_claims": [REQUEST]}})


def allow(op: OpenIDProvider, portal: PortalInfo) -> None:
    update_rows(
        op.db, Client, Client.client_id == portal.client_id, metadata_extra={"verified_claims_allowed": True}
    )


def verified(
    browser: TestClient, portal: PortalInfo, citizen: Citizen, operators: VerificationService
) -> None:
    logged_in(browser, portal, citizen)
    upload(browser)
    [pending] = operators.list_pending()
    operators.approve(pending.id, "op-a")
    operators.approve(pending.id, "op-b")


def tokens_and_userinfo(
    browser: TestClient, api: TestClient, portal: PortalInfo, citizen: Citizen
) -> tuple[dict[str, Any], dict[str, Any]]:
    body = token_set(browser, api, portal, citizen, claims=CLAIMS)
    _, id_token = verify_jwt(api, body["id_token"])
    userinfo = api.get("/userinfo", headers=bearer(body["access_token"]))
    assert userinfo.status_code == 200, userinfo.text
    return id_token, userinfo.json()


def test_ida_allowed_portal_receives_verified_claims_after_approval(
    browser: TestClient,
    api: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    allow(op, portal)
    verified(browser, portal, citizen, operators)
    id_token, userinfo = tokens_and_userinfo(browser, api, portal, citizen)
    vc = id_token["verified_claims"]
    assert vc["claims"] == {"given_name": "An", "family_name": "Nguyễn", "birthdate": "1990-05-17"}
    assert vc["verification"]["trust_framework"] == "vn_nixa"
    assert vc["verification"]["time"].endswith("Z")
    assert vc["verification"]["evidence"][0]["type"] == "document"
    # Requested as an array at UserInfo, answered as an array (IDA 1.0 Section 6).
    assert userinfo["verified_claims"] == [vc]


def test_ida_not_allowed_portal_gets_no_verified_claims(
    browser: TestClient,
    api: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    platform: Platform,
    operators: VerificationService,
) -> None:
    verified(browser, portal, citizen, operators)
    other = make_portal(platform, name="Cổng khác", redirect_uris=("https://other.example.vn/cb",))
    id_token, userinfo = tokens_and_userinfo(browser, api, other, citizen)
    assert "verified_claims" not in id_token and "verified_claims" not in userinfo


def test_ida_unverified_identity_gets_no_verified_claims(
    browser: TestClient, api: TestClient, portal: PortalInfo, citizen: Citizen, op: OpenIDProvider
) -> None:
    allow(op, portal)
    id_token, userinfo = tokens_and_userinfo(browser, api, portal, citizen)
    assert "verified_claims" not in id_token and "verified_claims" not in userinfo


def test_ida_unmet_trust_framework_constraint_omits_the_element(
    browser: TestClient,
    api: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    allow(op, portal)
    verified(browser, portal, citizen, operators)
    other = {**REQUEST, "verification": {"trust_framework": {"value": "eidas"}}}
    body = token_set(
        browser, api, portal, citizen, claims=json.dumps({"id_token": {"verified_claims": other}})
    )
    assert "verified_claims" not in verify_jwt(api, body["id_token"])[1]


@pytest.mark.parametrize(
    "bad",
    [
        "not an object",
        {"claims": {"given_name": None}},
        {"verification": {"trust_framework": None}},
        {"verification": {}, "claims": {"given_name": "yes"}},
        [{"verification": {}, "claims": {}}, 3],
    ],
)
def test_ida_malformed_request_is_invalid_request(bad: Any) -> None:
    with pytest.raises(InvalidRequest):
        parse_claims_parameter(json.dumps({"userinfo": {"verified_claims": bad}}))
