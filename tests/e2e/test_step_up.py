"""Step-up to level 3 with an authenticator app (TOTP), seen from an independent openid-client RP.

The citizen enrols the app on /account/security (the secret is read from the page, codes are computed
with pyotp as the app would), then a portal asks for ``acr_values=urn:nixa:loa:3``: password, then code.
"""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import (
    EMAIL,
    FULL_NAME,
    SCOPE,
    confirm_totp_enrolment,
    factor_kinds,
    finish_at_rp,
    open_security,
    register_rp,
    start_totp_enrolment,
    step_up_login,
    submit_totp_step,
)
from tests.support.factories import make_citizen

pytestmark = pytest.mark.e2e

LOA_3 = "urn:nixa:loa:3"
STEP_S = 30


def code_at(totp: pyotp.TOTP, step: int) -> str:
    return totp.at(step * STEP_S)


def test_totp_enrolment_then_loa3_login_at_rp(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME, loa=3)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        open_security(page, live_idp, citizen)
        assert factor_kinds(page) == []
        totp = pyotp.TOTP(start_totp_enrolment(page, live_idp, citizen))
        enrolled_step = int(time.time()) // STEP_S
        confirm_totp_enrolment(page, live_idp, code_at(totp, enrolled_step))
        assert factor_kinds(page) == ["totp"]

        step_up_login(page, rp_url, live_idp, citizen, query=f"?acr_values={LOA_3}&prompt=login")
        # Each time step is accepted once: the step used for enrolment is spent, the next one is in the
        # accepted window (one step either side) for the next minute.
        submit_totp_step(page, code_at(totp, max(enrolled_step + 1, int(time.time()) // STEP_S)))
        result = finish_at_rp(page)

    claims = result["id_token_claims"]
    assert claims["iss"] == live_idp.issuer
    assert claims["acr"] == LOA_3
    assert "otp" in claims["amr"] and "mfa" in claims["amr"], claims["amr"]
    assert "pwd" in claims["amr"], claims["amr"]


def test_wrong_totp_code_is_refused_then_right_one_accepted(
    live_idp: LiveIdP, request: pytest.FixtureRequest
) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME, loa=3)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        open_security(page, live_idp, citizen)
        totp = pyotp.TOTP(start_totp_enrolment(page, live_idp, citizen))
        enrolled_step = int(time.time()) // STEP_S
        confirm_totp_enrolment(page, live_idp, code_at(totp, enrolled_step))

        # Without prompt=login the password session is reused: only the second factor is asked for.
        page.goto(f"{rp_url}/login?acr_values={LOA_3}")
        page.locator("h1[data-step=second_factor]").wait_for(state="visible")
        assert page.locator("input[name=password]").count() == 0
        good = code_at(totp, max(enrolled_step + 1, int(time.time()) // STEP_S))
        submit_totp_step(page, f"{(int(good) + 1) % 1_000_000:06d}")
        page.locator("#factor-error").wait_for(state="visible")
        assert page.locator("h1[data-step=second_factor]").is_visible()
        submit_totp_step(page, good)
        result = finish_at_rp(page)

    claims = result["id_token_claims"]
    assert claims["acr"] == LOA_3
    assert {"otp", "mfa"} <= set(claims["amr"]), claims["amr"]
