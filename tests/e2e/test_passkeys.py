"""Passkeys with Chromium's virtual authenticator: registration on /account/security, then step-up to level 3.

WebAuthn refuses an IP address as RP ID (Chromium: "SecurityError: This is an invalid domain."), and the
IdP derives the RP ID from the issuer's host, so this IdP runs with issuer ``http://localhost:<port>``
(a secure context, like 127.0.0.1) instead of the usual ``http://127.0.0.1:<port>``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.live_server import LiveIdP, require_e2e_tools, serve_idp
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import (
    EMAIL,
    FULL_NAME,
    SCOPE,
    at_path,
    factor_kinds,
    finish_at_rp,
    open_security,
    pass_reauth_if_asked,
    register_rp,
    step_up_login,
)
from tests.support.factories import Citizen, make_citizen

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, ConsoleMessage, Frame, Page

    from tests.support.db import TestDatabase

pytestmark = pytest.mark.e2e

LOA_3 = "urn:nixa:loa:3"
ADD_PASSKEY = "button[data-passkey=create]"
USE_PASSKEY = "button[data-passkey=get]"
PASSKEY_REAUTH = "a#passkey-reauth"
CEREMONY_TIMEOUT_S = 15.0


@pytest.fixture
def live_idp(tmp_path: Path, test_database: TestDatabase) -> Iterator[LiveIdP]:
    """The conftest's live IdP, but named ``localhost`` so that WebAuthn accepts its RP ID."""
    require_e2e_tools()
    with serve_idp(tmp_path, test_database.fresh(tmp_path), host="localhost") as idp:
        yield idp


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A CTAP2 platform authenticator with resident keys and user verification, attached to ``page``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def record_script_problems(page: Page) -> list[str]:
    """Collect the page's uncaught script errors and console errors/warnings (for failure messages)."""
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            problems.append(f"console {msg.type}: {msg.text}")

    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", on_console)
    return problems


def credentials(cdp: CDPSession, authenticator_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
        "credentials"
    ]
    return found


def click_passkey_button(page: Page, selector: str, problems: list[str]) -> None:
    """Click a passkey button; its script runs the ceremony and submits the form (a navigation).

    Fails as soon as the page's script fails instead of waiting for a navigation that cannot come.
    """
    navigated: list[str] = []

    def on_navigation(frame: Frame) -> None:
        if frame == page.main_frame:
            navigated.append(frame.url)

    page.on("framenavigated", on_navigation)
    try:
        page.locator(selector).click()
        deadline = time.monotonic() + CEREMONY_TIMEOUT_S
        while not navigated and time.monotonic() < deadline:
            if any(p.startswith("page error") for p in problems):
                break
            page.wait_for_timeout(50)
    finally:
        page.remove_listener("framenavigated", on_navigation)
    assert navigated, "the passkey ceremony did not submit its form; browser console:\n" + "\n".join(problems)
    page.wait_for_load_state()


def add_passkey(page: Page, idp: LiveIdP, citizen: Citizen, problems: list[str]) -> None:
    """Click "add a passkey" on /account/security (re-authenticating if asked) until it is saved.

    With a stale login the page shows a link to the re-authentication page instead of the button, or the
    ceremony's requests send the browser there; either way the password is entered again and the button
    clicked once more.
    """
    for _ in range(2):
        reauth_link = page.locator(PASSKEY_REAUTH)
        if reauth_link.count():
            with page.expect_navigation():
                reauth_link.click()
            assert pass_reauth_if_asked(page, idp, citizen), f"the re-authentication link led to {page.url}"
            if not at_path(page, idp, "/account/security"):
                page.goto(f"{idp.base_url}/account/security")
            continue
        assert page.locator(ADD_PASSKEY).is_visible(), "the passkey button is hidden (no PublicKeyCredential)"
        click_passkey_button(page, ADD_PASSKEY, problems)
        if pass_reauth_if_asked(page, idp, citizen):
            if not at_path(page, idp, "/account/security"):
                page.goto(f"{idp.base_url}/account/security")
            continue
        break
    assert at_path(page, idp, "/account/security"), page.url
    error = page.locator("#security-error")
    assert error.count() == 0, f"passkey registration refused: {error.get_attribute('data-error')}"


def test_register_passkey_then_use_it_for_loa3(live_idp: LiveIdP, request: pytest.FixtureRequest) -> None:
    assert live_idp.issuer.startswith("http://localhost:")
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, email=EMAIL, full_name=FULL_NAME, loa=3)
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        cdp, authenticator = virtual_authenticator(page)
        problems = record_script_problems(page)
        open_security(page, live_idp, citizen)
        assert page.evaluate("window.isSecureContext"), "WebAuthn needs a secure context"
        add_passkey(page, live_idp, citizen, problems)
        assert factor_kinds(page) == ["passkey"]
        stored = credentials(cdp, authenticator)
        assert len(stored) == 1 and stored[0]["rpId"] == "localhost", stored
        assert stored[0]["isResidentCredential"], "a passkey is a discoverable credential"
        count_after_registration = stored[0]["signCount"]

        step_up_login(page, rp_url, live_idp, citizen, query=f"?acr_values={LOA_3}&prompt=login")
        assert page.locator(USE_PASSKEY).is_visible()
        click_passkey_button(page, USE_PASSKEY, problems)
        result = finish_at_rp(page)
        assert credentials(cdp, authenticator)[0]["signCount"] > count_after_registration

    claims = result["id_token_claims"]
    assert claims["iss"] == live_idp.issuer
    assert claims["acr"] == LOA_3
    amr = claims["amr"]
    assert ("hwk" in amr or "swk" in amr) and "mfa" in amr, amr
    assert "otp" not in amr, amr
