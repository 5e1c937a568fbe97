"""Shared steps of the e2e tests: register a portal for a node RP, log in through the IdP's pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from tests.e2e.idp_pages import (
    CONSENT_APPROVE,
    LOGIN_PASSWORD,
    LOGIN_SUBMIT,
    LOGIN_USERNAME,
    RP_ERROR,
    RP_RESULT,
    approve_consent,
    read_rp_result,
    submit_login,
)
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import free_port
from tests.support.factories import Citizen, PortalInfo, make_portal

if TYPE_CHECKING:
    from playwright.sync_api import Page

EMAIL = "an.nguyen@example.vn"
FULL_NAME = "Nguyễn Văn An"
SCOPE = "openid profile email offline_access"


@dataclass
class RPClient:
    portal: PortalInfo
    port: int

    @property
    def client_id(self) -> str:
        return self.portal.client_id

    @property
    def secret(self) -> str:
        assert self.portal.client_secret is not None
        return self.portal.client_secret


def register_rp(idp: LiveIdP, *, name: str = "Cổng Dịch vụ công Thử nghiệm") -> RPClient:
    """A confidential portal (client_secret_basic) whose redirect URIs point at a node RP on a free port."""
    port = free_port()
    portal = make_portal(
        idp.platform,
        name=name,
        redirect_uris=(f"http://127.0.0.1:{port}/callback",),
        post_logout_redirect_uris=[f"http://127.0.0.1:{port}/logged-out"],
        token_endpoint_auth_method="client_secret_basic",
        grant_types=("authorization_code", "refresh_token"),
        scopes=("openid", "profile", "email", "offline_access"),
    )
    return RPClient(portal, port)


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def open_idp_login(page: Page, rp_url: str, idp: LiveIdP) -> None:
    """RP /login -> the IdP's login page (asserts we really got there)."""
    page.goto(f"{rp_url}/login")
    page.locator(LOGIN_SUBMIT).wait_for(state="visible")
    assert page.url.startswith(f"{idp.base_url}/interaction/"), page.url


def log_in_and_consent(page: Page, rp_url: str, idp: LiveIdP, citizen: Citizen) -> dict[str, Any]:
    """Full first login: checks the login and consent pages on the way; returns the RP's result JSON."""
    open_idp_login(page, rp_url, idp)
    assert html_lang(page) == "vi", "the login page must be Vietnamese by default"
    submit_login(page, citizen.personal_id, citizen.password)

    page.locator(CONSENT_APPROVE).wait_for(state="visible")
    assert page.url.startswith(f"{idp.base_url}/interaction/"), page.url
    listed = set(page.locator("#claims li[data-claim]").evaluate_all("els => els.map(e => e.dataset.claim)"))
    assert {"name", "email"} <= listed, f"consent page lists {sorted(listed)}"
    assert page.locator("#claims li[data-scope=offline_access]").count() == 1, "offline access not listed"
    approve_consent(page)
    return read_rp_result(page)


def submit_self_login(page: Page, username: str, password: str) -> None:
    """Fill and submit NIXA's own login page (/login), also in its re-authentication form (``reauth=1``).

    The re-authentication form may show the username already, read-only or not at all; only the password
    is always asked for.
    """
    user = page.locator(LOGIN_USERNAME)
    if user.count() and user.is_visible() and user.is_editable() and user.input_value() != username:
        user.fill(username)
    page.locator(LOGIN_PASSWORD).fill(password)
    with page.expect_navigation():
        page.locator("form[action^='/login'] button[type=submit]").first.click()


def self_login(page: Page, idp: LiveIdP, username: str, password: str, *, next_path: str) -> None:
    """/login?next=<next_path> -> NIXA's own login form -> back at ``next_path`` (asserted)."""
    page.goto(f"{idp.base_url}/login?next={quote(next_path)}")
    page.locator(LOGIN_PASSWORD).wait_for(state="visible")
    submit_self_login(page, username, password)
    path = urlsplit(page.url).path
    assert path == urlsplit(next_path).path, f"after logging in the browser is at {page.url}"


SECOND_FACTOR = "h1[data-step=second_factor]"
SECURITY_FACTORS = "ul#factors"


def at_path(page: Page, idp: LiveIdP, path: str) -> bool:
    return page.url.split("?", 1)[0] == f"{idp.base_url}{path}"


def pass_reauth_if_asked(page: Page, idp: LiveIdP, citizen: Citizen) -> bool:
    """If adding a factor led to the "recent login required" page (/login?...&reauth=1), log in again.

    Returns True when the page was shown (the browser is then wherever its ``next`` led).
    """
    if not at_path(page, idp, "/login"):
        return False
    page.locator(LOGIN_PASSWORD).wait_for(state="visible")
    submit_self_login(page, citizen.personal_id, citizen.password)
    return True


def open_security(page: Page, idp: LiveIdP, citizen: Citizen) -> None:
    """Log in to NIXA itself and open /account/security."""
    self_login(page, idp, citizen.personal_id, citizen.password, next_path="/account/security")
    page.locator(SECURITY_FACTORS).wait_for(state="attached")


def factor_kinds(page: Page) -> list[str]:
    """The kinds of the confirmed factors listed on /account/security."""
    kinds: list[str] = page.locator(f"{SECURITY_FACTORS} li[data-kind]").evaluate_all(
        "els => els.map(e => e.dataset.kind)"
    )
    return kinds


def start_totp_enrolment(page: Page, idp: LiveIdP, citizen: Citizen) -> str:
    """On /account/security: start adding an authenticator app; return the base32 secret shown."""
    for _ in range(2):
        with page.expect_navigation():
            page.locator("form[action='/account/security/totp'] button[type=submit]").click()
        if pass_reauth_if_asked(page, idp, citizen) and not page.locator("#totp-secret").count():
            if not at_path(page, idp, "/account/security"):
                page.goto(f"{idp.base_url}/account/security")
            continue  # the re-authentication led back to the security page: start again
        break
    secret = page.locator("#totp-secret").inner_text()
    return "".join(secret.split())


def confirm_totp_enrolment(page: Page, idp: LiveIdP, code: str) -> None:
    page.locator("#code").fill(code)
    with page.expect_navigation():
        page.locator("form[action$='/confirm'] button[type=submit]").click()
    assert at_path(page, idp, "/account/security"), f"TOTP enrolment ended at {page.url}"


def submit_totp_step(page: Page, code: str) -> None:
    """On the login flow's second-factor page: submit an authenticator app code."""
    form = page.locator("form:has(input[name=method][value=totp])")
    form.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def finish_at_rp(page: Page) -> dict[str, Any]:
    """Consent (if asked) -> the RP's result JSON."""
    page.locator(f"{CONSENT_APPROVE}, {RP_RESULT}, {RP_ERROR}").first.wait_for(state="visible")
    if page.locator(CONSENT_APPROVE).count():
        approve_consent(page)
    return read_rp_result(page)


def step_up_login(page: Page, rp_url: str, idp: LiveIdP, citizen: Citizen, *, query: str) -> None:
    """RP /login<query> -> IdP password page -> the second-factor page (asserted)."""
    page.goto(f"{rp_url}/login{query}")
    page.locator(LOGIN_SUBMIT).wait_for(state="visible")
    assert page.url.startswith(f"{idp.base_url}/interaction/"), page.url
    submit_login(page, citizen.personal_id, citizen.password)
    page.locator(SECOND_FACTOR).wait_for(state="visible")
    assert page.url.startswith(f"{idp.base_url}/interaction/"), page.url
