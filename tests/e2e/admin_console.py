"""The operator console served by uvicorn on a loopback port beside the live IdP, and the operator's steps
through NIXA's pages to sign in to it (password, then the authenticator app's code)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from admin.settings import AdminSettings
from admin.web.app import create_admin_app
from tests.e2e.idp_pages import CONSENT_APPROVE, approve_consent, submit_login
from tests.e2e.live_server import LiveIdP, loopback_socket, serve_asgi
from tests.support.operators import OperatorInfo

if TYPE_CHECKING:
    from playwright.sync_api import Page

SECOND_FACTOR = "h1[data-step=second_factor]"


@contextlib.contextmanager
def serve_console(idp: LiveIdP) -> Iterator[str]:
    """The console for ``idp``; yields its base URL (also its registered redirect URIs' origin)."""
    sock, base_url = loopback_socket("localhost")
    app = create_admin_app(idp.platform, AdminSettings(base_url=base_url))
    with serve_asgi(app, sock, base_url):
        yield base_url


def sign_in(page: Page, console_url: str, idp: LiveIdP, operator: OperatorInfo, *, after: float = 0) -> None:
    """Console sign-in page -> NIXA password -> NIXA second factor (TOTP by pyotp, as the app computes it)
    -> consent the first time -> back on the console, signed in."""
    page.goto(f"{console_url}/login")
    with page.expect_navigation():
        page.locator("#sign-in").click()
    assert page.url.startswith(f"{idp.base_url}/interaction/"), page.url
    submit_login(page, operator.citizen.personal_id, operator.citizen.password)
    page.locator(SECOND_FACTOR).wait_for(state="visible")
    form = page.locator("form:has(input[name=method][value=totp])")
    form.locator("input[name=code]").fill(operator.totp.at(max(time.time(), after)))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator(f"{CONSENT_APPROVE}, #operator").first.wait_for(state="visible")
    if page.locator(CONSENT_APPROVE).count():
        approve_consent(page)
    page.locator("#operator").wait_for(state="visible")
    assert page.url.startswith(console_url), page.url


def submit_with_reason(page: Page, form_action: str, reason: str) -> None:
    """Type the reason and press Enter: the forms work from the keyboard alone."""
    field = page.locator(f"form[action='{form_action}'] input[name=reason]")
    field.focus()
    field.fill(reason)
    with page.expect_navigation():
        field.press("Enter")
