"""ID token: OIDC Core 1.0 Sections 2, 3.1.3.6-3.1.3.7, 5.4-5.5 (claims) and 8 (subject identifiers)."""

from __future__ import annotations

import json
import time

from tests.conftest import ISSUER
from tests.support.factories import make_citizen, make_portal
from tests.support.flows import bearer, refresh, token_set
from tests.support.tokens import expected_at_hash, verify_jwt


def test_oidc_core_2_id_token_claims_verify_against_jwks(browser, api, portal, citizen):
    before = int(time.time())
    tokens = token_set(browser, api, portal, citizen)
    header, claims = verify_jwt(api, tokens["id_token"])
    assert header["alg"] == "ES256"
    assert header["kid"] in {k["kid"] for k in api.get("/jwks").json()["keys"]}
    assert claims["iss"] == ISSUER
    assert claims["aud"] == portal.client_id or claims["aud"] == [portal.client_id]
    assert claims.get("azp", portal.client_id) == portal.client_id
    assert isinstance(claims["sub"], str) and 0 < len(claims["sub"]) <= 255
    assert before - 1 <= claims["iat"] <= int(time.time()) + 1
    assert claims["exp"] > claims["iat"]
    assert before - 1 <= claims["auth_time"] <= claims["iat"]
    assert claims["nonce"] == "n-456"
    assert claims["acr"] == "urn:nixa:loa:2"
    assert claims["amr"] == ["pwd"]
    assert claims["sid"]
    # Profile claims go to UserInfo when an access token is issued (OIDC Core 5.4), not into the ID token.
    assert "name" not in claims


def test_oidc_core_3_1_3_6_at_hash_is_the_left_half_of_sha256_of_the_access_token(
    browser, api, portal, citizen
):
    tokens = token_set(browser, api, portal, citizen)
    claims = verify_jwt(api, tokens["id_token"])[1]
    assert claims["at_hash"] == expected_at_hash(tokens["access_token"])


def test_oidc_core_3_1_3_7_rs256_when_the_client_registered_it(browser, api, platform, citizen):
    rs_portal = make_portal(platform, id_token_signed_response_alg="RS256")
    tokens = token_set(browser, api, rs_portal, citizen)
    header, claims = verify_jwt(api, tokens["id_token"])
    assert header["alg"] == "RS256"
    jwk = next(k for k in api.get("/jwks").json()["keys"] if k["kid"] == header["kid"])
    assert jwk["kty"] == "RSA"
    assert claims["at_hash"] == expected_at_hash(tokens["access_token"])


def test_oidc_core_3_1_2_1_without_nonce_the_id_token_has_none(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, nonce=None)
    assert "nonce" not in verify_jwt(api, tokens["id_token"])[1]


def test_oidc_core_8_1_pairwise_sub_differs_between_sectors_and_is_stable(browser, api, platform, citizen):
    ministry = make_portal(platform, name="Bộ A", redirect_uris=("https://bo-a.example.vn/cb",))
    province = make_portal(platform, name="Tỉnh B", redirect_uris=("https://tinh-b.example.vn/cb",))
    sub_ministry = verify_jwt(api, token_set(browser, api, ministry, citizen)["id_token"])[1]["sub"]
    sub_province = verify_jwt(api, token_set(browser, api, province, citizen)["id_token"])[1]["sub"]
    assert sub_ministry != sub_province
    assert citizen.id not in (sub_ministry, sub_province)
    again = token_set(browser, api, ministry, citizen)
    assert verify_jwt(api, again["id_token"])[1]["sub"] == sub_ministry
    # OIDC Core 5.3.2: the UserInfo sub MUST equal the ID token's.
    assert api.get("/userinfo", headers=bearer(again["access_token"])).json()["sub"] == sub_ministry


def test_oidc_core_8_1_portals_of_one_sector_share_the_pairwise_sub(browser, api, platform, citizen):
    first = make_portal(platform, name="Dịch vụ 1", redirect_uris=("https://dichvu.example.vn/a",))
    second = make_portal(platform, name="Dịch vụ 2", redirect_uris=("https://dichvu.example.vn/b",))
    sub1 = verify_jwt(api, token_set(browser, api, first, citizen)["id_token"])[1]["sub"]
    sub2 = verify_jwt(api, token_set(browser, api, second, citizen)["id_token"])[1]["sub"]
    assert sub1 == sub2


def test_oidc_core_8_public_subject_type_gives_the_same_sub_everywhere(browser, api, platform, citizen):
    one = make_portal(
        platform, name="Công khai 1", subject_type="public", redirect_uris=("https://a.example.vn/cb",)
    )
    two = make_portal(
        platform, name="Công khai 2", subject_type="public", redirect_uris=("https://b.example.vn/cb",)
    )
    sub1 = verify_jwt(api, token_set(browser, api, one, citizen)["id_token"])[1]["sub"]
    sub2 = verify_jwt(api, token_set(browser, api, two, citizen)["id_token"])[1]["sub"]
    assert sub1 == sub2 == citizen.id


def test_oidc_core_5_5_claims_parameter_puts_email_into_the_id_token(browser, api, portal, citizen):
    claims_param = json.dumps({"id_token": {"email": {"essential": True}}})
    tokens = token_set(browser, api, portal, citizen, scope="openid", claims=claims_param)
    claims = verify_jwt(api, tokens["id_token"])[1]
    assert claims["email"] == citizen.email
    assert "name" not in claims


def test_oidc_core_5_5_personal_id_by_claims_parameter_alone_is_not_released(browser, api, portal, citizen):
    claims_param = json.dumps({"id_token": {"personal_id": None}, "userinfo": {"personal_id": None}})
    tokens = token_set(browser, api, portal, citizen, scope="openid", claims=claims_param)
    assert "personal_id" not in verify_jwt(api, tokens["id_token"])[1]
    assert "personal_id" not in api.get("/userinfo", headers=bearer(tokens["access_token"])).json()


def test_oidc_core_3_1_2_1_acr_is_the_lower_of_identity_and_authentication_level(browser, api, platform, op):
    self_registered = make_citizen(op, loa=1)
    portal = make_portal(platform)
    claims = verify_jwt(api, token_set(browser, api, portal, self_registered)["id_token"])[1]
    assert claims["acr"] == "urn:nixa:loa:1"


def test_oidc_core_12_2_refreshed_id_token_keeps_the_original_authentication(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, scope="openid profile offline_access")
    original = verify_jwt(api, tokens["id_token"])[1]
    refreshed = refresh(api, portal, tokens["refresh_token"]).json()
    claims = verify_jwt(api, refreshed["id_token"])[1]
    for name in ("iss", "sub", "aud", "azp", "auth_time", "acr", "amr", "sid"):
        assert claims[name] == original[name], name
    assert claims["iat"] >= original["iat"]
    assert claims["at_hash"] == expected_at_hash(refreshed["access_token"])
