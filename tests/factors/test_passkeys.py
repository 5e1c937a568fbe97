"""WebAuthn passkeys (W3C Web Authentication Level 2) with soft-webauthn authenticators."""

from __future__ import annotations

from soft_webauthn import SoftWebauthnDevice
from sqlalchemy import select

from idp.models.factors import Factor
from tests.factors.devices import VerifyingDevice
from tests.factors.steps import begin, id_token_claims, register_passkey, second_factor_page, submit_passkey
from tests.support.flows import authorize, redirected_to


def _passkeys(op, identity_id):
    with op.db.session() as s:
        return list(
            s.scalars(select(Factor).where(Factor.identity_id == identity_id, Factor.kind == "passkey"))
        )


def _registered(browser, portal, citizen, device):
    authorize(browser, portal, citizen)
    resp = register_passkey(browser, device)
    assert resp.status_code == 303 and resp.headers["location"].endswith("notice=saved")


def test_webauthn_7_1_registration_then_step_up_gives_loa3(browser, api, portal, loa3_citizen, op):
    device = VerifyingDevice()
    _registered(browser, portal, loa3_citizen, device)
    [factor] = _passkeys(op, loa3_citizen.id)
    assert factor.amr == "hwk" and factor.public_key  # soft-webauthn reports a device-bound credential
    resp, verifier = begin(browser, portal, acr_values="urn:nixa:loa:3")
    location, csrf = second_factor_page(browser, resp)
    params = redirected_to(submit_passkey(browser, location, csrf, device), portal)
    claims = id_token_claims(api, portal, params, verifier)
    assert claims["acr"] == "urn:nixa:loa:3" and claims["amr"] == ["pwd", "hwk", "mfa"]
    assert _passkeys(op, loa3_citizen.id)[0].sign_count == 1


def test_webauthn_7_1_step_9_registration_from_another_origin_is_refused(browser, portal, loa3_citizen, op):
    authorize(browser, portal, loa3_citizen)
    resp = register_passkey(browser, VerifyingDevice(), origin="https://evil.example")
    assert resp.headers["location"].endswith("notice=passkey_failed")
    assert _passkeys(op, loa3_citizen.id) == []


def test_webauthn_7_2_step_13_assertion_from_another_origin_is_refused(browser, portal, loa3_citizen):
    device = VerifyingDevice()
    _registered(browser, portal, loa3_citizen, device)
    location, csrf = second_factor_page(browser, begin(browser, portal, acr_values="urn:nixa:loa:3")[0])
    resp = submit_passkey(browser, location, csrf, device, origin="https://evil.example")
    assert resp.status_code == 401 and 'id="factor-error"' in resp.text


def test_webauthn_7_1_step_15_registration_without_user_verification_is_refused(
    browser, portal, loa3_citizen, op
):
    authorize(browser, portal, loa3_citizen)
    resp = register_passkey(browser, SoftWebauthnDevice())  # UP only, never UV
    assert resp.headers["location"].endswith("notice=passkey_failed")
    assert _passkeys(op, loa3_citizen.id) == []


def test_webauthn_7_2_step_17_assertion_without_user_verification_is_refused(browser, portal, loa3_citizen):
    device = VerifyingDevice()
    _registered(browser, portal, loa3_citizen, device)
    location, csrf = second_factor_page(browser, begin(browser, portal, acr_values="urn:nixa:loa:3")[0])

    class NoVerification:  # the same credential, answering without asking for a PIN or fingerprint
        def get(self, options, origin):
            return SoftWebauthnDevice.get(device, options, origin)

    resp = submit_passkey(browser, location, csrf, NoVerification())
    assert resp.status_code == 401


def test_webauthn_7_2_step_21_sign_counter_going_back_is_refused(
    browser, other_browser, portal, loa3_citizen
):
    device = VerifyingDevice()
    _registered(browser, portal, loa3_citizen, device)
    location, csrf = second_factor_page(browser, begin(browser, portal, acr_values="urn:nixa:loa:3")[0])
    redirected_to(submit_passkey(browser, location, csrf, device), portal)
    device.sign_count = 0  # a clone of the authenticator, made before the last use
    authorize(other_browser, portal, loa3_citizen)
    location, csrf = second_factor_page(
        other_browser, begin(other_browser, portal, acr_values="urn:nixa:loa:3")[0]
    )
    assert submit_passkey(other_browser, location, csrf, device).status_code == 401
