"""The login page in a real browser: Vietnamese first, the failed-login message, the switch to English.

Each test starts at an openid-client RP so the login page belongs to a genuine authorization request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import (
    CONSENT_APPROVE,
    LOGIN_PASSWORD,
    LOGIN_SUBMIT,
    approve_consent,
    read_rp_result,
    submit_login,
)
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import EMAIL, FULL_NAME, SCOPE, html_lang, open_idp_login, register_rp
from tests.support.factories import make_citizen

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

LOGIN_FAILED_VI = "Số định danh, email hoặc mật khẩu không đúng."


def switch_language(page: Page, to: str) -> None:
    """Click the header's language link (it leads to ``/lang/<to>?next=<this page>``)."""
    with page.expect_navigation():
        page.locator(f"header a[href^='/lang/{to}']").click()


def finish_login(page: Page, personal_id: str, password: str, *, lang: str) -> dict[str, object]:
    submit_login(page, personal_id, password)
    page.locator(CONSENT_APPROVE).wait_for(state="visible")
    assert html_lang(page) == lang
    approve_consent(page)
    return read_rp_result(page)


def test_wrong_password_shows_vietnamese_error(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        open_idp_login(page, rp_url, live_idp)
        assert html_lang(page) == "vi", "the login page must be Vietnamese by default"

        submit_login(page, citizen.personal_id, "sai-mật-khẩu")
        error = page.locator("#login-error")
        error.wait_for(state="visible")
        assert error.inner_text().strip() == LOGIN_FAILED_VI
        assert html_lang(page) == "vi"
        assert page.url.startswith(f"{live_idp.base_url}/interaction/"), page.url
        assert page.locator(LOGIN_SUBMIT).is_visible()
        assert page.locator(LOGIN_PASSWORD).input_value() == "", "the password must not be echoed back"
        assert page.locator("input[name=username]").input_value() == citizen.personal_id

        # The same interaction still completes with the right password.
        result = finish_login(page, citizen.personal_id, citizen.password, lang="vi")
        assert result["userinfo"]["email"] == EMAIL


def test_english_switch(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        open_idp_login(page, rp_url, live_idp)
        login_url = page.url
        assert html_lang(page) == "vi"

        switch_language(page, "en")
        page.locator(LOGIN_SUBMIT).wait_for(state="visible")
        assert html_lang(page) == "en"
        assert page.url == login_url, "the switch must come back to the same login page"
        assert page.locator(LOGIN_SUBMIT).inner_text().strip() == "Log in"

        # The interaction survives the switch (CSRF, browser binding); the consent page is English too.
        result = finish_login(page, citizen.personal_id, citizen.password, lang="en")
        assert result["userinfo"]["email"] == EMAIL


def test_english_switch_after_failed_login(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    """A citizen who mistyped the password and then switches language must get the login page back."""
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        open_idp_login(page, rp_url, live_idp)
        submit_login(page, citizen.personal_id, "sai-mật-khẩu")
        page.locator("#login-error").wait_for(state="visible")

        switch_language(page, "en")
        assert html_lang(page) == "en"
        assert page.locator(LOGIN_SUBMIT).is_visible(), (
            f"after the switch the citizen is stranded at {page.url}: {page.locator('main').inner_text()!r}"
        )
        result = finish_login(page, citizen.personal_id, citizen.password, lang="en")
        assert result["userinfo"]["email"] == EMAIL
