"""Log in by scanning a QR, in a real browser: Chromium shows the QR (read back from a screenshot with
zxing-cpp), the reference wallet's device commands register and approve, and the page carries on by itself
to the openid-client RP, whose ID token says the wallet key and PIN were used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer
from typer.testing import CliRunner

from idp.models import Identity
from idp.sessions import ActiveSession
from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import CONSENT_APPROVE, RP_RESULT, approve_consent, read_rp_result
from tests.e2e.live_server import LiveIdP
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import SCOPE, open_idp_login, register_rp
from tests.support.factories import make_citizen
from wallet.holder.device_cli import register_commands
from wallet.qr_login.devices import DeviceService
from wallet.verifier.qr_image import read_qr

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
PIN = "135790"


def _wallet_cli() -> typer.Typer:
    app = typer.Typer()
    register_commands(app)
    return app


def _registration_code(idp: LiveIdP, identity_id: str) -> str:
    """The code the self-service page shows after a level 3 login (the page itself: tests/wallet/qr_login)."""
    op = idp.provider
    devices = DeviceService(idp.issuer, 600, op.platform.settings.recent_login_seconds)
    with op.db.session() as s:
        identity = s.get(Identity, identity_id)
        assert identity is not None
        row, _ = op.sessions.start(
            s, identity=identity, auth_level=3, amr=["pwd", "otp", "mfa"], ip=None, user_agent=None
        )
        return devices.start_registration(s, ActiveSession(row, identity))


def _wallet(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(_wallet_cli(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def _shown_qr(page: Page, tmp_path: Path) -> str:
    shot = tmp_path / "qr.png"
    page.locator("#qr-login-image").screenshot(path=str(shot))
    return read_qr(shot.read_bytes())


def test_qr_login_with_the_reference_wallet(
    live_idp: LiveIdP, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    rp = register_rp(live_idp)
    citizen = make_citizen(live_idp.provider, full_name="Trần Thị Bình", sex="F", loa=3)
    wallet_dir = str(tmp_path / "wallet")
    code = _registration_code(live_idp, citizen.id)
    registered = _wallet(
        [
            "register-device",
            "--issuer",
            live_idp.issuer,
            "--code",
            code,
            "--pin",
            PIN,
            "--wallet-dir",
            wallet_dir,
        ]
    )
    assert registered["device_id"]
    with (
        run_node_rp(live_idp.issuer, rp.client_id, rp.secret, rp.port, scope=SCOPE) as rp_url,
        chromium_page(request.node.name) as page,
    ):
        open_idp_login(page, rp_url, live_idp)
        with page.expect_navigation():
            page.locator("[data-login-choice=wallet_qr]").click()
        page.locator("#qr-login-image").wait_for(state="visible")
        request_uri = _shown_qr(page, tmp_path)
        assert request_uri == page.locator("#qr-login").get_attribute("data-request-uri")
        number = page.locator("#qr-login-code strong").inner_text().strip()
        approved = _wallet(
            [
                "approve-login",
                request_uri,
                "--code",
                number,
                "--pin",
                PIN,
                "--yes",
                "--wallet-dir",
                wallet_dir,
            ]
        )
        assert approved == {"status": "approved", "client_name": "Cổng Dịch vụ công Thử nghiệm"}
        # Nobody clicks: the page sees the approval and carries on (consent first, for a new portal).
        page.locator(f"{CONSENT_APPROVE}, {RP_RESULT}").first.wait_for(state="visible")
        if page.locator(CONSENT_APPROVE).count():
            approve_consent(page)
        result = read_rp_result(page)
    claims = result["id_token_claims"]
    assert claims["amr"] == ["swk", "pin", "mfa"]
    assert claims["acr"] == "urn:nixa:loa:3"
