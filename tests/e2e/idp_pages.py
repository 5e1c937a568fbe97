"""Browser steps against the NIXA IdP's HTML contract, and readers for the node RP's pages.

Contract relied on:
  * login page: form with inputs ``username`` and ``password`` and
    ``button[type=submit][name=action][value=login]``
  * consent page: ``button[type=submit][name=decision][value=approve]``
  * logout confirmation page: ``button[type=submit][name=decision][value=logout]``
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

LOGIN_USERNAME = "input[name=username]"
LOGIN_PASSWORD = "input[name=password]"
LOGIN_SUBMIT = "button[type=submit][name=action][value=login]"
CONSENT_APPROVE = "button[type=submit][name=decision][value=approve]"
LOGOUT_CONFIRM = "button[type=submit][name=decision][value=logout]"
RP_RESULT = "pre#result"
RP_ERROR = "pre#error"
RP_LOGGED_OUT = "p#logged-out"


class RPError(AssertionError):
    """The node RP rendered its error page; ``details`` is its JSON (name, message, error, ...)."""

    def __init__(self, details: dict[str, Any]) -> None:
        super().__init__(f"node RP error: {json.dumps(details)}")
        self.details = details


def submit_login(page: Page, username: str, password: str) -> None:
    """Fill and submit the IdP login form (waits for it to appear)."""
    page.locator(LOGIN_USERNAME).fill(username)
    page.locator(LOGIN_PASSWORD).fill(password)
    with page.expect_navigation():
        page.locator(LOGIN_SUBMIT).click()


def approve_consent(page: Page) -> None:
    with page.expect_navigation():
        page.locator(CONSENT_APPROVE).click()


def confirm_logout(page: Page) -> None:
    with page.expect_navigation():
        page.locator(LOGOUT_CONFIRM).click()


def _wait_for_any(page: Page, selectors: list[str]) -> str:
    """Wait until one of ``selectors`` is visible and return which one."""
    page.locator(", ".join(selectors)).first.wait_for(state="visible")
    for selector in selectors:
        if page.locator(selector).count() > 0:
            return selector
    raise AssertionError(f"none of {selectors} found at {page.url}")


def read_rp_result(page: Page) -> dict[str, Any]:
    """Wait for the RP callback page; return its result JSON or raise :class:`RPError`."""
    found = _wait_for_any(page, [RP_RESULT, RP_ERROR])
    data: dict[str, Any] = json.loads(page.locator(found).inner_text())
    if found == RP_ERROR:
        raise RPError(data)
    return data


def login_via_rp(
    page: Page, rp_url: str, username: str, password: str, *, login_query: str = ""
) -> dict[str, Any]:
    """Full browser round trip: RP /login -> IdP login (-> consent if shown) -> RP /callback result."""
    page.goto(f"{rp_url}/login{login_query}")
    step = _wait_for_any(page, [LOGIN_SUBMIT, CONSENT_APPROVE, RP_RESULT, RP_ERROR])
    if step == LOGIN_SUBMIT:
        submit_login(page, username, password)
        step = _wait_for_any(page, [CONSENT_APPROVE, RP_RESULT, RP_ERROR])
    if step == CONSENT_APPROVE:
        approve_consent(page)
    return read_rp_result(page)


def logout_via_rp(page: Page, rp_url: str) -> str:
    """RP /logout -> IdP confirmation (if shown) -> RP /logged-out; return the state echoed back.

    Asserts the state matched the one the RP sent.
    """
    page.goto(f"{rp_url}/logout")
    step = _wait_for_any(page, [LOGOUT_CONFIRM, RP_LOGGED_OUT])
    if step == LOGOUT_CONFIRM:
        confirm_logout(page)
    marker = page.locator(RP_LOGGED_OUT)
    marker.wait_for(state="visible")
    assert marker.get_attribute("data-state-ok") == "true", f"logout state mismatch at {page.url}"
    return marker.get_attribute("data-state") or ""
