"""Single sign-on in a real browser: one NIXA session serves two portals, each its own openid-client RP."""

from __future__ import annotations

import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import (
    CONSENT_APPROVE,
    LOGIN_PASSWORD,
    LOGIN_SUBMIT,
    RP_ERROR,
    RP_RESULT,
    approve_consent,
    read_rp_result,
)
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import EMAIL, FULL_NAME, SCOPE, log_in_and_consent, register_rp
from tests.support.factories import make_citizen

pytestmark = pytest.mark.e2e


def test_single_sign_on_across_two_portals(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    """Log in at portal A; portal B then only asks for consent (no password): one session, two portals."""
    rp_a = register_rp(live_idp, name="Cổng Bộ A")
    rp_b = register_rp(live_idp, name="Cổng Tỉnh B")
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME)
    with (
        run_node_rp(live_idp.issuer, rp_a.client_id, rp_a.secret, rp_a.port, scope=SCOPE) as url_a,
        run_node_rp(live_idp.issuer, rp_b.client_id, rp_b.secret, rp_b.port, scope=SCOPE) as url_b,
        chromium_page(request.node.name) as page,
    ):
        first = log_in_and_consent(page, url_a, live_idp, citizen)

        page.goto(f"{url_b}/login")
        page.locator(f"{CONSENT_APPROVE}, {LOGIN_SUBMIT}").first.wait_for(state="visible")
        assert page.locator(LOGIN_PASSWORD).count() == 0, "portal B asked for the password again: no SSO"
        assert page.locator(CONSENT_APPROVE).is_visible()
        assert "Cổng Tỉnh B" in page.locator("main").inner_text()
        approve_consent(page)
        second = read_rp_result(page)

        # Back at portal A: session live and consent remembered, so the IdP shows no page at all.
        page.goto(f"{url_a}/login")
        page.locator(f"{RP_RESULT}, {RP_ERROR}, {LOGIN_SUBMIT}, {CONSENT_APPROVE}").first.wait_for(
            state="visible"
        )
        assert page.url.startswith(f"{url_a}/callback"), f"portal A's second login stopped at {page.url}"
        third = read_rp_result(page)

    a, b = first["id_token_claims"], second["id_token_claims"]
    assert b["aud"] in (rp_b.client_id, [rp_b.client_id])
    assert b["sid"] == a["sid"], "both portals must see the same IdP session"
    assert b["auth_time"] == a["auth_time"], "SSO must not be a new authentication"
    assert b["amr"] == ["pwd"]
    # Same person at both portals (``sub`` is pairwise, so the portals may well see different subjects).
    assert second["userinfo"]["sub"] == b["sub"]
    assert second["userinfo"]["email"] == first["userinfo"]["email"] == EMAIL
    assert third["id_token_claims"]["sid"] == a["sid"]
