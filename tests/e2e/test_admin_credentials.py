"""The console's credential panel in headless Chromium (issue 7): a citizen who lost their phone calls; the
security officer finds the identity QR in the citizen file and revokes it from the keyboard, with a reason."""

from __future__ import annotations

import pytest

from admin.permissions import Role
from tests.e2e.admin_console import serve_console, sign_in, submit_with_reason
from tests.e2e.browser import chromium_page
from tests.e2e.live_server import LiveIdP
from tests.support.factories import make_citizen
from tests.support.operators import make_operator
from wallet.identity_qr.models import IdentityQrCredential
from wallet.identity_qr.service import IdentityQrService
from wallet.settings import WalletSettings
from wallet.status_list.service import STATUS_INVALID, StatusListService, StatusReference

pytestmark = pytest.mark.e2e


def test_an_officer_revokes_a_lost_phones_identity_qr(
    live_idp: LiveIdP, request: pytest.FixtureRequest
) -> None:
    op, platform = live_idp.provider, live_idp.platform
    officer = make_operator(op, Role.SECURITY_OFFICER, full_name="Trịnh Văn An Ninh")
    citizen = make_citizen(op, loa=2, full_name="Phạm Thị Mất Máy")
    status_lists = StatusListService(platform, WalletSettings(status_list_size=4096))
    with platform.db.session() as s:
        qr = IdentityQrService(platform, status_lists, WalletSettings()).issue(s, citizen.id, actor="test")
    with serve_console(live_idp) as console_url, chromium_page(request.node.name) as page:
        sign_in(page, console_url, live_idp, officer)
        page.goto(f"{console_url}/citizens/{citizen.id}")
        row = page.locator("tr.panel-row", has_text=f"QR {qr.id[:8]}")
        assert row.get_attribute("data-state") == "active"
        action = f"/citizens/{citizen.id}/identity-qr/{qr.id}/revoke"
        submit_with_reason(page, action, "công dân báo mất điện thoại")
        assert page.locator("#notice").get_attribute("data-notice") == "identity-qr-revoke"
        assert (
            page.locator("tr.panel-row", has_text=f"QR {qr.id[:8]}").get_attribute("data-state") == "revoked"
        )
        page.goto(f"{console_url}/credentials")
        assert page.locator("#credential-counts tr[data-kind=identity_qr] td.revoked").inner_text() == "1"
    with platform.db.session() as s:
        row_db = s.get(IdentityQrCredential, qr.id)
        assert row_db is not None
        assert (
            status_lists.status_of(s, StatusReference(row_db.status_uri, row_db.status_idx)) == STATUS_INVALID
        )
