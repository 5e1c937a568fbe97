"""OpenID Connect Discovery 1.0 Sections 3-4, RFC 8414 Section 3, and the JWKS with key rotation."""

from __future__ import annotations

import pytest

from tests.conftest import ISSUER
from tests.support.flows import bearer, token_set
from tests.support.tokens import unverified_header, verify_jwt

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


@pytest.mark.parametrize(
    "path", ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]
)
def test_discovery_4_2_metadata_names_this_issuer_and_its_endpoints(api, path):
    resp = api.get(path)
    assert resp.status_code == 200
    meta = resp.json()
    # Discovery 4.3 / RFC 8414 Section 3.3: issuer MUST be identical to the one the document was asked for.
    assert meta["issuer"] == ISSUER
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "revocation_endpoint",
        "introspection_endpoint",
    ):
        assert meta[name].startswith(ISSUER + "/"), name
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert set(meta["subject_types_supported"]) == {"pairwise", "public"}
    assert {"ES256", "RS256"} <= set(meta["id_token_signing_alg_values_supported"])
    assert "none" not in meta["id_token_signing_alg_values_supported"]
    assert "openid" in meta["scopes_supported"]
    assert {"client_secret_basic", "client_secret_post", "private_key_jwt"} <= set(
        meta["token_endpoint_auth_methods_supported"]
    )
    assert "form_post" in meta["response_modes_supported"]
    assert "urn:nixa:loa:3" in meta["acr_values_supported"]


def test_discovery_3_every_advertised_endpoint_exists(api):
    meta = api.get("/.well-known/openid-configuration").json()
    assert api.get(meta["jwks_uri"].removeprefix(ISSUER)).status_code == 200
    for name in ("token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        assert api.post(meta[name].removeprefix(ISSUER), data={}).status_code in (400, 401), name
    assert api.get(meta["userinfo_endpoint"].removeprefix(ISSUER)).status_code == 401


def test_rfc7517_jwks_publishes_public_keys_only(api):
    resp = api.get("/jwks")
    assert resp.status_code == 200
    keys = resp.json()["keys"]
    assert {k["kty"] for k in keys} == {"EC", "RSA"}
    for key in keys:
        assert key["kid"] and key["use"] == "sig"
        assert not PRIVATE_MEMBERS & set(key), key["kid"]
    assert len({k["kid"] for k in keys}) == len(keys)


def test_key_rotation_old_tokens_verify_and_new_tokens_use_the_new_key(
    browser, api, portal, citizen, platform
):
    before = token_set(browser, api, portal, citizen)
    old_kid = unverified_header(before["id_token"])["kid"]
    new_kids = platform.keys.rotate(actor="test", alg="ES256")
    published = {k["kid"] for k in api.get("/jwks").json()["keys"]}
    assert old_kid in published, "the retired key must stay published until its tokens expire"
    assert verify_jwt(api, before["id_token"])[1]["iss"] == ISSUER
    assert api.get("/userinfo", headers=bearer(before["access_token"])).status_code == 200
    after = token_set(browser, api, portal, citizen)
    assert unverified_header(after["id_token"])["kid"] == new_kids[0] != old_kid
    assert unverified_header(after["access_token"])["kid"] == new_kids[0]
    verify_jwt(api, after["id_token"])


def test_key_rotation_the_next_key_is_published_before_it_signs(api, platform):
    next_kids = {k.kid for k in platform.keys.list_keys() if k.state == "next"}
    assert next_kids <= {k["kid"] for k in api.get("/jwks").json()["keys"]}
    promoted = set(platform.keys.rotate(actor="test"))
    assert promoted == next_kids
