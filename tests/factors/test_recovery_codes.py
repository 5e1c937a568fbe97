"""Recovery codes: shown once, stored hashed, each usable once as the second factor."""

from __future__ import annotations

from sqlalchemy import select

from idp.models.factors import RecoveryCode
from tests.factors.steps import begin, enrol_totp, recovery_codes, second_factor_page, submit_code
from tests.support.flows import authorize, redirected_to


def test_recovery_code_steps_up_once(browser, other_browser, portal, loa3_citizen, op, clock):
    authorize(browser, portal, loa3_citizen)
    enrol_totp(browser, clock.now)
    codes = recovery_codes(browser)
    assert len(codes) == 10 and len(set(codes)) == 10
    with op.db.session() as s:
        stored = set(s.scalars(select(RecoveryCode.code_hash)))
    assert not stored & set(codes)
    location, csrf = second_factor_page(browser, begin(browser, portal, acr_values="urn:nixa:loa:3")[0])
    assert redirected_to(submit_code(browser, location, csrf, codes[0].lower(), "recovery"), portal)["code"]
    authorize(other_browser, portal, loa3_citizen)
    location, csrf = second_factor_page(
        other_browser, begin(other_browser, portal, acr_values="urn:nixa:loa:3")[0]
    )
    assert submit_code(other_browser, location, csrf, codes[0], "recovery").status_code == 401
    assert redirected_to(submit_code(other_browser, location, csrf, codes[1], "recovery"), portal)["code"]
