"""Credentials in a real browser: the citizen's offer QR and the verifier page's request QR, each read from a
Chromium screenshot by a real QR decoder (zxing-cpp) and answered by the reference wallet over real HTTP."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from idp.clients import ClientSpec, create_client
from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import approve_consent, submit_login
from tests.e2e.live_server import LiveIdP, require_e2e_tools, serve_idp
from tests.e2e.node_rp import free_port
from tests.e2e.portal_flows import self_login
from tests.support.factories import make_citizen
from wallet.holder.cli import s256
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.loopback import LoopbackRedirect
from wallet.holder.presentation import Presenter
from wallet.holder.store import WalletStore
from wallet.verifier.qr_image import read_qr

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.db import TestDatabase

pytestmark = pytest.mark.e2e
WALLET_APP = "nixa-wallet-e2e"


def _read_qr(page: Page, selector: str) -> str:
    # zxing-cpp through the project's own reader: QR codes only (the default formats sometimes also "find"
    # a short ITF barcode inside a QR's modules).
    return read_qr(page.locator(selector).screenshot())


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


def test_authorization_code_flow_from_the_wallet_app_through_a_browser_login(
    tmp_path: Path,
    test_database: TestDatabase,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """OpenID4VCI Section 5 with RFC 8252: the wallet opens NIXA's login, the browser comes back to the
    wallet's loopback redirect, and the code buys the credential."""
    require_e2e_tools()
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    monkeypatch.setenv("NIXA_WALLET_CREDENTIAL_CLIENTS", json.dumps([WALLET_APP]))
    with serve_idp(tmp_path, test_database.fresh(tmp_path)) as idp:
        spec = ClientSpec(
            name="Ví NIXA",
            redirect_uris=[redirect_uri],
            post_logout_redirect_uris=[],
            token_endpoint_auth_method="none",
            application_type="native",
        )
        with idp.platform.db.session() as s:
            create_client(s, spec, actor="test", client_id=WALLET_APP)
        citizen = make_citizen(idp.provider, loa=2)
        verifier = secrets.token_urlsafe(48)
        with (
            httpx.Client(timeout=10, trust_env=False) as http,
            LoopbackRedirect(redirect_uri) as loopback,
            chromium_page(request.node.name) as page,
        ):
            receiver = CredentialReceiver(WalletStore(tmp_path / "phone"), http)
            page.goto(
                receiver.authorization_url(
                    idp.issuer,
                    client_id=WALLET_APP,
                    redirect_uri=redirect_uri,
                    code_challenge=s256(verifier),
                    state="wallet-state",
                )
            )
            submit_login(page, citizen.personal_id, citizen.password)
            approve_consent(page)
            params = loopback.wait(10)
            assert params["state"] == "wallet-state"
            stored = receiver.accept_authorization_code(
                idp.issuer,
                code=params["code"],
                code_verifier=verifier,
                client_id=WALLET_APP,
                redirect_uri=redirect_uri,
            )
    assert stored.vct == "urn:nixa:vct:identity"
