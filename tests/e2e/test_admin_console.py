"""The operator console end to end in headless Chromium: operators sign in with a second factor, approve a
verification with four eyes, create a portal that then logs a citizen in, and are refused, with a clear
page, what their role does not allow."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from admin.permissions import Role
from tests.e2e.admin_console import serve_console, sign_in, submit_with_reason
from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import confirm_logout
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import free_port, run_node_rp
from tests.e2e.portal_flows import SCOPE, log_in_and_consent
from tests.support.factories import make_citizen
from tests.support.operators import make_operator, make_pending_verification

pytestmark = pytest.mark.e2e


def approve(page: Page, console_url: str, request_id: str, reason: str) -> str:
    page.goto(f"{console_url}/verification")
    with page.expect_navigation():
        page.locator(f"tr[data-request='{request_id}'] a").click()
    submit_with_reason(page, f"/verification/{request_id}/approve", reason)
    return (
        page.locator("#notice, #error").first.get_attribute("data-notice")
        or page.locator("#error").get_attribute("data-error")
        or ""
    )


def create_portal(page: Page, console_url: str, rp_port: int) -> tuple[str, str]:
    page.goto(f"{console_url}/portals")
    with page.expect_navigation():
        page.locator("#new-portal").click()
    page.locator("#name").fill("Cổng dịch vụ công Quảng Ninh")
    page.locator("#redirect_uris").fill(f"http://127.0.0.1:{rp_port}/callback")
    page.locator("#post_logout_redirect_uris").fill(f"http://127.0.0.1:{rp_port}/logged-out")
    for scope in SCOPE.split():
        page.locator(f"input[name=scopes][value={scope}]").check()
    page.locator("#reason-portal").fill("onboarding request QN-2026-17")
    with page.expect_navigation():
        page.locator("#save-portal").click()
    client_id = page.locator("#client-id").inner_text()
    secret = page.locator("#client-secret").inner_text()
    assert page.locator("#discovery-url").inner_text().endswith("/.well-known/openid-configuration")
    return client_id, secret


def refused(page: Page, url: str) -> str | None:
    response = page.goto(url)
    assert response is not None and response.status == 403, url
    assert page.locator("h1#forbidden").is_visible()
    return page.locator("h1#forbidden").get_attribute("data-permission")


def test_operators_verify_with_four_eyes_and_onboard_a_portal(
    live_idp: LiveIdP, request: pytest.FixtureRequest
) -> None:
    op = live_idp.provider
    first = make_operator(op, Role.VERIFIER, Role.PORTAL_MANAGER, full_name="Phạm Văn Quản")
    second = make_operator(op, Role.VERIFIER, full_name="Lê Thị Kiểm")
    applicant = make_citizen(op, full_name="Hoàng Thị Mơ", sex="F")
    request_id = make_pending_verification(op, applicant)
    rp_port = free_port()
    with serve_console(live_idp) as console_url:
        with chromium_page(f"{request.node.name}-first") as page:
            page.goto(f"{console_url}/login")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"
            sign_in(page, console_url, live_idp, first)
            assert approve(page, console_url, request_id, "ảnh chân dung khớp căn cước") == "first_approval"
            # Four eyes: the same operator's second approval is refused and nothing changes.
            assert (
                approve(page, console_url, request_id, "lần nữa") == "admin.verification.error.same_operator"
            )
            assert refused(page, f"{console_url}/keys") == "key:view"
            client_id, secret = create_portal(page, console_url, rp_port)

        with chromium_page(f"{request.node.name}-second") as page:
            sign_in(page, console_url, live_idp, second)
            assert approve(page, console_url, request_id, "đã đối chiếu giấy tờ") == "approved"
            assert page.locator("#status").inner_text() in ("Đã phê duyệt", "Approved")
            assert refused(page, f"{console_url}/portals/new") == "portal:manage"
            assert refused(page, f"{console_url}/audit") == "audit:view"
            page.goto(f"{console_url}/lang/en?next=/audit")
            assert "Access not permitted" in page.locator("h1#forbidden").inner_text()

    with op.db.session() as s:
        from idp.models import Identity

        assert s.get(Identity, applicant.id).loa == 3
    # The portal the first operator created logs a citizen in, through an independent openid-client RP.
    citizen = make_citizen(op, email="an.nguyen@example.vn")
    with (
        run_node_rp(live_idp.issuer, client_id, secret, rp_port, scope=SCOPE) as rp_url,
        chromium_page(f"{request.node.name}-citizen") as page,
    ):
        result = log_in_and_consent(page, rp_url, live_idp, citizen)
    assert result["id_token_claims"]["aud"] == client_id


def test_a_security_officer_and_an_auditor_stay_within_their_roles(
    live_idp: LiveIdP, request: pytest.FixtureRequest
) -> None:
    op = live_idp.provider
    officer = make_operator(op, Role.SECURITY_OFFICER, full_name="Trịnh Văn An Ninh")
    auditor = make_operator(op, Role.AUDITOR, full_name="Đặng Thị Kiểm Toán")
    request_id = make_pending_verification(op, make_citizen(op))
    with serve_console(live_idp) as console_url:
        with chromium_page(f"{request.node.name}-officer") as page:
            sign_in(page, console_url, live_idp, officer)
            page.goto(f"{console_url}/keys")
            submit_with_reason(page, "/keys/rotate", "kế hoạch xoay vòng quý IV")
            assert page.locator("#notice").get_attribute("data-notice") == "rotated"
            assert refused(page, f"{console_url}/verification") == "verification:view"
            assert refused(page, f"{console_url}/portals") == "portal:view"
        with chromium_page(f"{request.node.name}-auditor") as page:
            sign_in(page, console_url, live_idp, auditor)
            page.goto(f"{console_url}/verification/{request_id}")
            assert page.locator("form[action$='/approve']").count() == 0
            page.goto(f"{console_url}/audit")
            with page.expect_navigation():
                page.locator("#verify-chain").click()
            assert page.locator("#verdict").get_attribute("data-ok") == "true"
            assert refused(page, f"{console_url}/portals/new") == "portal:manage"
            with page.expect_navigation():
                page.locator("#sign-out").click()
            # RP-Initiated Logout: NIXA asks before ending its own session, then returns to the console.
            confirm_logout(page)
            page.locator("#signed-out").wait_for(state="visible")
            page.goto(f"{console_url}/audit")
            assert "/login" in page.url
