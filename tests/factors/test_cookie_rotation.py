"""Session fixation (OWASP ASVS 3.2.1): a step-up to level 3 gives the browser a new session cookie value,
same session (sid), and the value from before the step-up opens nothing any more."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.models import SsoSession
from tests.conftest import ISSUER
from tests.factors.steps import begin, enrol_totp, second_factor_page, submit_code
from tests.support.flows import authorize, redirected_to


def test_step_up_to_level_3_rotates_the_session_cookie(app, browser, portal, loa3_citizen, op, clock):
    authorize(browser, portal, loa3_citizen)
    totp = enrol_totp(browser, clock.now)
    clock.now += 30
    before = browser.cookies["nixa_session"]
    with op.db.session() as s:
        sid = s.scalars(select(SsoSession.sid).where(SsoSession.identity_id == loa3_citizen.id)).one()
    resp, _ = begin(browser, portal, acr_values="urn:nixa:loa:3")
    location, csrf = second_factor_page(browser, resp)
    with TestClient(app, base_url=ISSUER, cookies={"nixa_session": before}) as planted:
        assert planted.get("/account/security").status_code == 200
        resp = submit_code(browser, location, csrf, totp.at(clock.now))
        assert redirected_to(resp, portal)["code"]
        assert planted.get("/account/security").status_code == 401
    assert browser.cookies["nixa_session"] != before
    assert browser.get("/account/security").status_code == 200
    with op.db.session() as s:
        row = s.scalars(select(SsoSession).where(SsoSession.identity_id == loa3_citizen.id)).one()
        assert row.sid == sid and row.acr == "urn:nixa:loa:3"
