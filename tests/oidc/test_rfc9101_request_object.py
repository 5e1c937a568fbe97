"""Signed request objects at the authorization endpoint, RFC 9101 (JAR) with OIDC Core 6.1."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ISSUER
from tests.support.factories import PortalInfo, make_key_portal, pkce_pair
from tests.support.flows import authorize, error_page, query_of, redirected_to
from tests.support.request_objects import signed_request
from tests.support.tokens import flip_byte, sign


@pytest.fixture
def key_portal(platform) -> PortalInfo:
    return make_key_portal(platform)


def request_for(portal: PortalInfo, challenge: str, **claims: Any) -> str:
    assert portal.key is not None
    return signed_request(
        portal.client_id,
        claims.pop("key", portal.key),
        claims.pop("aud", ISSUER),
        redirect_uri=portal.redirect_uri,
        code_challenge=challenge,
        **claims,
    )


def start(browser, portal: PortalInfo, request: str, **query: str):
    params = {"client_id": portal.client_id, "response_type": "code", "request": request, **query}
    return browser.get("/authorize", params=params, follow_redirects=False)


def test_rfc9101_6_3_only_the_request_object_parameters_are_used(browser, key_portal, citizen):
    verifier, challenge = pkce_pair()
    request = request_for(key_portal, challenge, state="from-the-object")
    result = authorize(
        browser,
        key_portal,
        citizen,
        verifier_challenge=(verifier, challenge),
        request=request,
        state="from-query",
    )
    assert result.params["state"] == "from-the-object"
    assert "code" in result.params


def test_rfc9101_6_2_a_tampered_request_object_is_invalid_request_object(browser, key_portal):
    request = flip_byte(request_for(key_portal, pkce_pair()[1]))
    resp = start(browser, key_portal, request, redirect_uri=key_portal.redirect_uri)
    assert redirected_to(resp, key_portal)["error"] == "invalid_request_object"


def test_rfc9101_6_2_without_a_registered_redirect_uri_the_error_is_shown_not_redirected(browser, key_portal):
    resp = start(browser, key_portal, flip_byte(request_for(key_portal, pkce_pair()[1])))
    assert error_page(resp) == "error.invalid_request_object"


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "someone-else"},
        {"aud": "https://other.example.vn"},
        {"lifetime": -30},
        {"lifetime": 7200},
        {"jti": ""},
        {"client_id": "another-client"},
    ],
    ids=["iss", "aud", "expired", "too-long", "no-jti", "client_id"],
)
def test_rfc9101_10_2_claims_that_do_not_fit_are_refused(browser, key_portal, claims):
    request = request_for(key_portal, pkce_pair()[1], **claims)
    resp = start(browser, key_portal, request, redirect_uri=key_portal.redirect_uri)
    assert query_of(resp.headers["location"])["error"] == "invalid_request_object"


def test_oidc_core_6_1_response_type_must_agree_with_the_query(browser, key_portal):
    request = request_for(key_portal, pkce_pair()[1])
    resp = start(browser, key_portal, request, redirect_uri=key_portal.redirect_uri, response_type="token")
    assert redirected_to(resp, key_portal)["error"] == "invalid_request_object"


def test_rfc9101_a_request_object_is_used_once(browser, key_portal):
    request = request_for(key_portal, pkce_pair()[1])
    assert start(browser, key_portal, request).headers["location"].startswith("/interaction/")
    again = start(browser, key_portal, request, redirect_uri=key_portal.redirect_uri)
    assert redirected_to(again, key_portal)["error"] == "invalid_request_object"


def test_request_uri_stays_unsupported(browser, key_portal):
    request = request_for(key_portal, pkce_pair()[1])
    resp = start(
        browser, key_portal, request, redirect_uri=key_portal.redirect_uri, request_uri="https://x.vn/r"
    )
    assert query_of(resp.headers["location"])["error"] == "request_uri_not_supported"


def test_rfc9101_10_8_another_kind_of_jwt_is_not_taken_for_a_request_object(browser, key_portal):
    assert key_portal.key is not None
    _, challenge = pkce_pair()
    claims = {"iss": key_portal.client_id, "aud": ISSUER, "response_type": "code", "jti": "j1", "exp": 2**31}
    logout_like = sign(
        {**claims, "redirect_uri": key_portal.redirect_uri, "code_challenge": challenge},
        key_portal.key,
        typ="logout+jwt",
    )
    resp = start(browser, key_portal, logout_like, redirect_uri=key_portal.redirect_uri)
    assert redirected_to(resp, key_portal)["error"] == "invalid_request_object"
