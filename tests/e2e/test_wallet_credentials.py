"""Credentials in a real browser: the citizen's offer QR and the verifier page's request QR, each read from a
Chromium screenshot by a real QR decoder (zxing-cpp) and answered by the reference wallet over real HTTP."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.e2e.browser import chromium_page
from tests.e2e.live_server import LiveIdP
from tests.e2e.portal_flows import self_login
from tests.support.factories import make_citizen
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.presentation import Presenter
from wallet.holder.store import WalletStore

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def _read_qr(page: Page, selector: str) -> str:
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator(selector).screenshot())))
    return str(barcode.text)


def test_offer_qr_to_wallet_then_verifier_qr_to_verdict(
    live_idp: LiveIdP, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    citizen = make_citizen(live_idp.provider, loa=2, full_name="Trần Thị Bình", sex="F")
    with httpx.Client(timeout=10, trust_env=False) as http, chromium_page(request.node.name) as page:
        wallet = WalletStore(tmp_path / "phone")
        self_login(page, live_idp, citizen.personal_id, citizen.password, next_path="/account/credentials")
        with page.expect_navigation():
            page.locator("#cred-new-offer").click()
        offer_uri = _read_qr(page, "#offer-qr")
        tx_code = page.locator("#tx-code").inner_text().strip()
        CredentialReceiver(wallet, http).accept_offer(offer_uri, tx_code)
        page.goto(f"{live_idp.base_url}/account/credentials")
        assert page.locator("[data-state=valid]").count() == 1

        page.goto(f"{live_idp.base_url}/presentations/verify")
        page.locator("label[for=claim-name]").click()
        page.locator("label[for=claim-age_over_18]").click()
        with page.expect_navigation():
            page.locator("form[action='/presentations/verify'] button[type=submit]").click()
        holder = Presenter(wallet, http)
        pending = holder.fetch(_read_qr(page, "#vp-qr"))
        assert pending.requested_claims == ["name", "age_over_18"]
        assert holder.respond(pending).status_code == 200
        # The page refreshes itself (no JavaScript) until the verdict is there.
        page.locator("[data-verdict=valid]").wait_for(timeout=15_000)
        assert page.locator("dd[data-claim=name]").inner_text() == "Trần Thị Bình"
        assert page.locator("dd[data-claim=personal_id]").count() == 0
