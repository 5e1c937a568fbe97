"""TOTP (RFC 6238) enrolment and step-up in the login flow (DESIGN.md levels of assurance)."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from idp.models.factors import Factor
from tests.factors.steps import (
    TOTP_FACTOR,
    begin,
    enrol_totp,
    id_token_claims,
    second_factor_page,
    security_csrf,
    submit_code,
)
from tests.support.flows import authorize, csrf_of, interaction_location, redirected_to, submit_login


def test_totp_step_up_of_existing_session_gives_loa3_with_otp_and_mfa(
    browser, api, portal, loa3_citizen, clock
):
    authorize(browser, portal, loa3_citizen)
    totp = enrol_totp(browser, clock.now)
    clock.now += 30
    resp, verifier = begin(browser, portal, acr_values="urn:nixa:loa:3")
    location, csrf = second_factor_page(browser, resp)  # no password again
    params = redirected_to(submit_code(browser, location, csrf, totp.at(clock.now)), portal)
    claims = id_token_claims(api, portal, params, verifier)
    assert claims["acr"] == "urn:nixa:loa:3"
    assert {"pwd", "otp", "mfa"} <= set(claims["amr"])


def test_totp_step_up_after_password_in_the_same_request(
    browser, api, portal, loa3_citizen, other_browser, clock
):
    authorize(other_browser, portal, loa3_citizen)
    totp = enrol_totp(other_browser, clock.now)
    clock.now += 30
    resp, verifier = begin(
        browser, portal, acr_values="urn:nixa:loa:3", claims='{"id_token": {"acr": {"essential": true}}}'
    )
    location = interaction_location(resp)
    location, csrf = second_factor_page(
        browser, submit_login(browser, location, loa3_citizen.personal_id, loa3_citizen.password)
    )
    resp = submit_code(browser, location, csrf, totp.at(clock.now))
    claims = id_token_claims(api, portal, redirected_to(resp, portal), verifier)  # consent given before
    assert claims["acr"] == "urn:nixa:loa:3" and claims["amr"] == ["pwd", "otp", "mfa"]


def test_rfc6238_5_2_a_code_accepted_once_is_refused_again(
    browser, portal, loa3_citizen, other_browser, clock
):
    authorize(browser, portal, loa3_citizen)
    authorize(other_browser, portal, loa3_citizen)
    totp = enrol_totp(browser, clock.now)
    clock.now += 30
    code = totp.at(clock.now)
    location, csrf = second_factor_page(browser, begin(browser, portal, acr_values="urn:nixa:loa:3")[0])
    redirected_to(submit_code(browser, location, csrf, code), portal)
    # The other browser's session was ended by the enrolment: it logs in again, then replays the code.
    resp = begin(other_browser, portal, acr_values="urn:nixa:loa:3")[0]
    location2 = interaction_location(resp)
    resp = submit_login(other_browser, location2, loa3_citizen.personal_id, loa3_citizen.password)
    location2, csrf2 = second_factor_page(other_browser, resp)
    refused = submit_code(other_browser, location2, csrf2, code)
    assert refused.status_code == 401 and 'id="factor-error"' in refused.text
    # The code of an earlier step than the one used is refused too.
    assert submit_code(other_browser, location2, csrf2, totp.at(clock.now - 30)).status_code == 401


def test_rfc6238_5_2_one_step_of_drift_accepted_two_refused(op, loa3_citizen, clock):
    with op.db.session() as s:
        factor = op.factors.totp.start(s, loa3_citizen.id)
        totp = pyotp.TOTP(op.factors.totp.secret(factor))
        now = clock.now
        assert not op.factors.totp.verify(s, factor, totp.at(now - 60), now=now)
        assert not op.factors.totp.verify(s, factor, totp.at(now + 60), now=now)
        assert op.factors.totp.verify(s, factor, totp.at(now - 30), now=now)
        assert op.factors.totp.verify(s, factor, totp.at(now + 30), now=now)
        assert not op.factors.totp.verify(s, factor, totp.at(now), now=now)  # older than the last step used


def test_totp_secret_is_stored_sealed_and_counts_only_once_confirmed(browser, portal, loa3_citizen, op):
    authorize(browser, portal, loa3_citizen)
    page = browser.post("/account/security/totp", data={"csrf_token": security_csrf(browser)})
    secret = page.text.split('<code id="totp-secret">')[1].split("<")[0].replace(" ", "")
    with op.db.session() as s:
        row = s.scalar(select(Factor).where(Factor.identity_id == loa3_citizen.id))
        assert row is not None and row.confirmed_at is None and secret.encode() not in (row.secret_enc or b"")
    params = redirected_to(begin(browser, portal, acr_values="urn:nixa:loa:3")[0], portal)
    assert params["error"] == "unmet_authentication_requirements"


def test_wrong_totp_code_at_enrolment_is_refused(browser, portal, loa3_citizen):
    authorize(browser, portal, loa3_citizen)
    page = browser.post("/account/security/totp", data={"csrf_token": security_csrf(browser)})
    factor = TOTP_FACTOR.search(page.text)
    assert factor
    resp = browser.post(
        f"/account/security/totp/{factor.group(1)}/confirm",
        data={"csrf_token": csrf_of(page.text), "code": "000000"},
    )
    assert resp.status_code == 400 and 'data-error="security.totp_bad_code"' in resp.text
