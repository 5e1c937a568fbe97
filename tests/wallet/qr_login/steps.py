"""Steps of the QR log-in tests: a registered reference wallet, a browser at the QR page."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.factories import Citizen, PortalInfo, make_citizen
from tests.support.flows import authorize_params, csrf_of
from tests.wallet.conftest import signed_in
from wallet.holder.device import DeviceWallet

PIN = "246810"


@dataclass
class QrPage:
    login_id: str
    request_uri: str
    code: str
    csrf: str
    html: str


def registration_code(browser: TestClient) -> str:
    page = browser.get("/account/wallet-devices")
    resp = browser.post("/account/wallet-devices/register", data={"csrf_token": csrf_of(page.text)})
    assert resp.status_code == 200, resp.text[:300]
    return re.search(r'id="registration-code">([^<]+)<', resp.text).group(1)  # type: ignore[union-attr]


def registered_wallet(
    op: OpenIDProvider, browser: TestClient, phone: TestClient, directory: Path
) -> tuple[Citizen, DeviceWallet]:
    """A level 3 citizen who logged in at level 3 and registered the reference wallet on their phone."""
    citizen = make_citizen(op, full_name="Trần Thị Bình", sex="F", loa=3)
    signed_in(browser, op, citizen.id, level=3)
    wallet = DeviceWallet(directory)
    wallet.register(phone, ISSUER, registration_code(browser), pin=PIN, name="Điện thoại của Bình")
    browser.cookies.delete("nixa_session")  # the QR log-in starts from a browser without a session
    return citizen, wallet


def qr_page(browser: TestClient, portal: PortalInfo, challenge: str) -> QrPage:
    resp = browser.get("/authorize", params=authorize_params(portal, challenge), follow_redirects=False)
    interaction_id = resp.headers["location"].rsplit("/", 1)[1]
    page = browser.get(f"/wallet/qr-login/start/{interaction_id}")
    assert page.status_code == 200, page.text[:300]
    return parse_qr_page(page.text)


def parse_qr_page(text: str) -> QrPage:
    login_id = re.search(r'action="/wallet/qr-login/([0-9a-f]+)/continue"', text).group(1)  # type: ignore[union-attr]
    uri = html.unescape(re.search(r'data-request-uri="([^"]+)"', text).group(1))  # type: ignore[union-attr]
    code = re.search(r'id="qr-login-code"[^>]*><strong>(\d+)</strong>', text).group(1)  # type: ignore[union-attr]
    return QrPage(login_id, uri, code, csrf_of(text), text)


def carry_on(browser: TestClient, page: QrPage):  # type: ignore[no-untyped-def]
    return browser.post(
        f"/wallet/qr-login/{page.login_id}/continue", data={"csrf_token": page.csrf}, follow_redirects=False
    )
