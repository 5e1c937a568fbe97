"""Issue 3 / self-service: profile and activity need the SSO session and show only the person's own data."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.provider import OpenIDProvider
from idp.web.i18n import translate
from tests.conftest import ISSUER
from tests.support.factories import Citizen, PortalInfo, make_citizen
from tests.support.flows import authorize


@pytest.mark.parametrize("path", ["/account/profile", "/account/activity"])
def test_without_a_session_a_login_link_is_shown(browser: TestClient, path: str) -> None:
    resp = browser.get(path)
    assert resp.status_code == 401
    assert 'id="login-link"' in resp.text


def test_profile_shows_the_person_and_level(
    browser: TestClient, portal: PortalInfo, citizen: Citizen
) -> None:
    authorize(browser, portal, citizen)
    resp = browser.get("/account/profile")
    assert resp.status_code == 200
    assert "Nguyễn Văn An" in resp.text and "1990-05-17" in resp.text
    assert "an.nguyen@example.vn" in resp.text and translate("profile.unverified", "vi") in resp.text
    assert translate("loa.2", "vi") in resp.text
    assert browser.get("/account").status_code == 200  # the consents page still works


def test_activity_lists_own_logins_and_sharing_with_portal_names(
    app: FastAPI, browser: TestClient, op: OpenIDProvider, portal: PortalInfo, citizen: Citizen
) -> None:
    with TestClient(app, base_url=ISSUER) as elsewhere:  # someone else logs in to the same portal
        authorize(elsewhere, portal, make_citizen(op, full_name="Lê Văn Khác"))
    authorize(browser, portal, citizen)
    resp = browser.get("/account/activity")
    assert resp.status_code == 200
    assert "Cổng Bộ Thử nghiệm" in resp.text
    assert resp.text.count(translate("activity.login:succeeded", "vi")) == 1
    assert translate("activity.consent:given", "vi") in resp.text
    assert "identity:created" not in resp.text  # operator-side events stay out
