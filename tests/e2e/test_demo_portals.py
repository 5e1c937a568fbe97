"""The demo as a citizen sees it: two Authlib portals, one login and one logout for both."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest

from nixa.demo import CITIZENS, DEMO_PASSWORD, PORTALS, ensure_citizens, ensure_portal
from nixa.portals import PortalConfig, create_portal
from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import CONSENT_APPROVE, LOGIN_SUBMIT, approve_consent, confirm_logout, submit_login
from tests.e2e.live_server import LiveIdP, loopback_socket, serve_asgi

pytestmark = pytest.mark.e2e


@contextlib.contextmanager
def demo_portals(idp: LiveIdP) -> Iterator[list[str]]:
    """Both demo portals served on loopback ports, registered at the live IdP as `nixa demo` does."""
    with contextlib.ExitStack() as stack:
        urls = []
        for client_id, name, cookie, colour in PORTALS:
            sock, base = loopback_socket()
            secret = ensure_portal(idp.platform, client_id, name, base)
            portal = create_portal(
                PortalConfig(
                    name=name,
                    base_url=base,
                    issuer=idp.issuer,
                    client_id=client_id,
                    client_secret=secret,
                    cookie=cookie,
                    colour=colour,
                )
            )
            stack.enter_context(serve_asgi(portal, sock, base, health_path="/"))
            urls.append(base)
        yield urls


def test_log_in_once_at_two_portals_and_log_out_of_both(
    live_idp: LiveIdP, request: pytest.FixtureRequest
) -> None:
    ensure_citizens(live_idp.platform)
    citizen = CITIZENS[0]
    with demo_portals(live_idp) as (ministry, province), chromium_page(request.node.name) as page:
        page.goto(ministry)
        page.click("#login")
        page.locator(LOGIN_SUBMIT).wait_for(state="visible")
        submit_login(page, citizen.personal_id, DEMO_PASSWORD)
        page.locator(CONSENT_APPROVE).wait_for(state="visible")
        approve_consent(page)
        page.locator("#welcome").wait_for(state="visible")
        assert page.url.startswith(ministry) and citizen.name in page.inner_text("#welcome")

        # Single sign-on: the second portal asks only for consent, never for the password.
        page.goto(province)
        page.click("#login")
        page.locator(CONSENT_APPROVE).wait_for(state="visible")
        assert page.locator("input[name=password]").count() == 0
        approve_consent(page)
        page.locator("#welcome").wait_for(state="visible")
        assert page.url.startswith(province)

        # Single logout: log out at the provincial portal, and the ministry portal's session ends too.
        page.click("#logout")
        confirm_logout(page)
        page.locator("#login").wait_for(state="visible", timeout=15000)
        assert page.url.startswith(province)
        deadline = time.monotonic() + 10
        while True:
            page.goto(ministry)
            if page.locator("#login").count() == 1:
                break
            assert time.monotonic() < deadline, "the ministry portal still shows the citizen as logged in"
            time.sleep(0.2)
        # And NIXA itself asks for the password again.
        page.click("#login")
        page.locator(LOGIN_SUBMIT).wait_for(state="visible")
