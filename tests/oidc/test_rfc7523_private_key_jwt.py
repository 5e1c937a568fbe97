"""private_key_jwt client authentication: RFC 7523 Sections 2.2 and 3, OIDC Core Section 9."""

from __future__ import annotations

import pytest

from tests.conftest import ISSUER
from tests.support.factories import PortalInfo, make_key_portal
from tests.support.flows import authorize, redeem
from tests.support.tokens import assertion_form, client_assertion, new_ec_key, unsigned

TOKEN_ENDPOINT = f"{ISSUER}/token"


@pytest.fixture
def key_portal(platform) -> PortalInfo:
    return make_key_portal(platform)


def redeem_with(api, browser, portal: PortalInfo, citizen, assertion: str):
    result = authorize(browser, portal, citizen)
    return redeem(api, portal, result.code, result.verifier, **assertion_form(assertion))


def assert_invalid_client(resp) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"] == "invalid_client"


@pytest.mark.parametrize("audience", [TOKEN_ENDPOINT, ISSUER])
def test_rfc7523_3_signed_assertion_authenticates_the_client(browser, api, key_portal, citizen, audience):
    resp = redeem_with(api, browser, key_portal, citizen, client_assertion(key_portal, audience))
    assert resp.status_code == 200, resp.text
    assert resp.json()["id_token"]


def test_rfc7523_3_client_id_may_be_left_out(browser, api, key_portal, citizen):
    result = authorize(browser, key_portal, citizen)
    resp = api.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": key_portal.redirect_uri,
            "code_verifier": result.verifier,
            **assertion_form(client_assertion(key_portal, TOKEN_ENDPOINT)),
        },
    )
    assert resp.status_code == 200, resp.text


def test_rfc7523_3_replayed_jti_is_refused(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT)
    assert redeem_with(api, browser, key_portal, citizen, assertion).status_code == 200
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_wrong_audience_is_refused(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, "https://other-idp.example/token")
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_expired_assertion_is_refused(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, lifetime=-30)
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_assertion_without_exp_is_refused(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, exp=None)
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_assertion_valid_for_too_long_is_refused(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, lifetime=24 * 3600)
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_assertion_without_jti_is_refused(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, jti="")
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_signed_by_a_foreign_key_is_refused(browser, api, key_portal, citizen):
    # Same kid as the registered key, different key: only the signature tells them apart.
    foreign = new_ec_key(kid=key_portal.key.kid if key_portal.key else None)
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, key=foreign)
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_assertion_of_another_portal_is_refused(browser, api, key_portal, citizen, platform):
    other = make_key_portal(platform, name="Cổng khác")
    # The other portal signs, correctly, an assertion that names key_portal.
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, key=other.key)
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_3_iss_and_sub_must_be_the_client_id(browser, api, key_portal, citizen):
    assertion = client_assertion(key_portal, TOKEN_ENDPOINT, iss="someone-else")
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_rfc7523_2_2_wrong_assertion_type_is_invalid_client(browser, api, key_portal, citizen):
    result = authorize(browser, key_portal, citizen)
    resp = redeem(
        api,
        key_portal,
        result.code,
        result.verifier,
        client_assertion_type="urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        client_assertion=client_assertion(key_portal, TOKEN_ENDPOINT),
    )
    assert_invalid_client(resp)


def test_rfc7523_3_unsigned_assertion_is_refused(browser, api, key_portal, citizen):
    assertion = unsigned(client_assertion(key_portal, TOKEN_ENDPOINT))
    assert_invalid_client(redeem_with(api, browser, key_portal, citizen, assertion))


def test_oidc_core_9_secret_cannot_replace_the_registered_key(browser, api, key_portal, citizen):
    result = authorize(browser, key_portal, citizen)
    resp = redeem(api, key_portal, result.code, result.verifier, client_secret="guess")
    assert_invalid_client(resp)
