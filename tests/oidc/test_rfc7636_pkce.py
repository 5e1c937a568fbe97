"""RFC 7636 Proof Key for Code Exchange, S256 only (RFC 9700 Section 2.1.1)."""

from __future__ import annotations

import pytest

from tests.support.factories import pkce_pair
from tests.support.flows import authorize, begin, redeem, redirected_to


def test_rfc7636_4_4_1_missing_code_challenge_is_invalid_request(browser, portal):
    params = redirected_to(begin(browser, portal, code_challenge=None, code_challenge_method=None), portal)
    assert params["error"] == "invalid_request"
    assert params["state"] == "st-123"


@pytest.mark.parametrize("method", ["plain", None, "S512", "s256"])
def test_rfc9700_2_1_1_only_s256_is_accepted(browser, portal, method):
    # Without code_challenge_method the default is plain (RFC 7636 Section 4.3), which is refused.
    params = redirected_to(begin(browser, portal, code_challenge_method=method), portal)
    assert params["error"] == "invalid_request"


@pytest.mark.parametrize("challenge", ["short", "a" * 44, "a" * 42 + "!"])
def test_rfc7636_4_2_malformed_s256_challenge_is_invalid_request(browser, portal, challenge):
    params = redirected_to(begin(browser, portal, code_challenge=challenge), portal)
    assert params["error"] == "invalid_request"


def test_rfc7636_4_6_wrong_verifier_is_invalid_grant(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    other_verifier, _ = pkce_pair()
    resp = redeem(api, portal, result.code, other_verifier)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_grant"


def test_rfc7636_4_5_missing_verifier_is_invalid_grant(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    resp = api.post(
        "/token",
        data={"grant_type": "authorization_code", "code": result.code, "redirect_uri": portal.redirect_uri},
        auth=(portal.client_id, portal.client_secret),
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_grant"


def test_rfc7636_4_1_malformed_verifier_is_invalid_grant(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    resp = redeem(api, portal, result.code, "too-short")
    assert resp.json()["error"] == "invalid_grant"


def test_rfc7636_4_6_challenge_as_verifier_is_invalid_grant(browser, api, portal, citizen):
    # The challenge travels through the browser; knowing it must not be enough to redeem the code.
    verifier, challenge = pkce_pair()
    result = authorize(browser, portal, citizen, verifier_challenge=(verifier, challenge))
    assert redeem(api, portal, result.code, challenge).json()["error"] == "invalid_grant"


def test_rfc7636_4_6_matching_verifier_is_accepted(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen)
    resp = redeem(api, portal, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
