"""End to end with an independent, OpenID-certified relying party (panva's ``openid-client``) in Chromium.

The IdP runs under uvicorn on a loopback port (``live_idp``), the RP is ``node_rp/rp.mjs`` and the citizen
is headless Chromium: login page, consent page, code flow with PKCE, ID token checks, UserInfo, refresh,
RP-initiated logout.
"""

from __future__ import annotations

import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import (
    LOGIN_PASSWORD,
    LOGOUT_CONFIRM,
    RP_LOGGED_OUT,
    confirm_logout,
)
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import (
    EMAIL,
    FULL_NAME,
    SCOPE,
    html_lang,
    log_in_and_consent,
    open_idp_login,
    register_rp,
)
from tests.support.factories import make_citizen

pytestmark = pytest.mark.e2e


def test_code_flow_userinfo_and_refresh(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        result = log_in_and_consent(page, rp_url, live_idp, citizen)

    claims = result["id_token_claims"]
    assert claims["iss"] == live_idp.issuer
    assert claims["aud"] in (rp.client_id, [rp.client_id])
    assert claims.get("nonce"), "the ID token must carry the nonce"  # openid-client checked its value
    assert claims["acr"] == "urn:nixa:loa:2"
    assert claims["amr"] == ["pwd"]
    assert claims.get("sid"), "the ID token must carry sid (needed for logout)"
    assert claims.get("auth_time"), "auth_time missing"

    userinfo = result["userinfo"]
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["name"] == FULL_NAME
    assert userinfo["email"] == EMAIL

    assert result["access_token_present"]
    assert result["refresh_token_present"], "offline_access was granted but no refresh token was issued"
    refresh = result["refresh"]
    assert refresh["ok"], f"refresh failed: {refresh['error']}"
    new_claims = refresh["new_id_token_claims"]
    assert new_claims, "the refresh response carries no ID token"
    assert new_claims["sub"] == claims["sub"]
    assert new_claims["iss"] == claims["iss"]


def test_rp_initiated_logout(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        log_in_and_consent(page, rp_url, live_idp, citizen)

        response = page.goto(f"{rp_url}/logout")  # -> the IdP's end_session_endpoint with id_token_hint
        assert page.url.startswith(f"{live_idp.base_url}/logout"), page.url
        assert response is not None
        assert response.status == 200, f"IdP {page.url.split('?')[0]} answered HTTP {response.status}"
        page.locator(LOGOUT_CONFIRM).wait_for(state="visible")
        assert html_lang(page) == "vi"
        confirm_logout(page)

        marker = page.locator(RP_LOGGED_OUT)
        marker.wait_for(state="visible")
        assert page.url.startswith(f"{rp_url}/logged-out"), page.url
        assert marker.get_attribute("data-state-ok") == "true", "state not echoed back to the RP"

        # The IdP session is over: a new login at the same portal asks for the password again.
        open_idp_login(page, rp_url, live_idp)
        assert page.locator(LOGIN_PASSWORD).is_visible()
