"""Who may reach level 3 (DESIGN.md levels of assurance; OpenID Connect Unmet Authentication Requirements)."""

from __future__ import annotations

from sqlalchemy import update

from idp.models import Client
from tests.factors.steps import begin, enrol_totp
from tests.support.flows import authorize, interaction_location, redirected_to, submit_login


def test_loa3_identity_without_second_factor_is_unmet_after_password(browser, portal, loa3_citizen):
    location = interaction_location(begin(browser, portal, acr_values="urn:nixa:loa:3")[0])
    resp = submit_login(browser, location, loa3_citizen.personal_id, loa3_citizen.password)
    assert redirected_to(resp, portal)["error"] == "unmet_authentication_requirements"


def test_loa3_identity_without_second_factor_is_unmet_with_existing_session(browser, portal, loa3_citizen):
    authorize(browser, portal, loa3_citizen)
    params = redirected_to(begin(browser, portal, acr_values="urn:nixa:loa:3")[0], portal)
    assert params["error"] == "unmet_authentication_requirements"


def test_loa2_identity_with_second_factor_is_unmet(browser, portal, citizen, clock):
    authorize(browser, portal, citizen)
    enrol_totp(browser, clock.now)
    params = redirected_to(begin(browser, portal, acr_values="urn:nixa:loa:3")[0], portal)
    assert params["error"] == "unmet_authentication_requirements"


def test_operator_min_acr_asks_for_the_second_factor(browser, op, portal, loa3_citizen, clock):
    authorize(browser, portal, loa3_citizen)
    enrol_totp(browser, clock.now)
    with op.db.session() as s:
        s.execute(update(Client).where(Client.client_id == portal.client_id).values(min_acr="urn:nixa:loa:3"))
    page = browser.get(interaction_location(begin(browser, portal)[0]))
    assert 'data-step="second_factor"' in page.text


def test_prompt_none_below_the_level_is_login_required(browser, portal, loa3_citizen, clock):
    authorize(browser, portal, loa3_citizen)
    enrol_totp(browser, clock.now)
    params = redirected_to(begin(browser, portal, acr_values="urn:nixa:loa:3", prompt="none")[0], portal)
    assert params["error"] == "login_required"
