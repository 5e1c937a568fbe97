"""Shared steps of the e2e tests: register a portal for a node RP, log in through the IdP's pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.e2e.idp_pages import CONSENT_APPROVE, LOGIN_SUBMIT, approve_consent, read_rp_result, submit_login
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
