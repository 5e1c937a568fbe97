"""Log in by scanning a QR: the reference wallet approves, the browser carries on; every refusal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.models import AuditRecord
from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.db import update_rows
from tests.support.factories import PortalInfo, pkce_pair
from tests.support.flows import csrf_of, query_of, redeem
from tests.support.tokens import verify_jwt
from tests.wallet.qr_login.steps import PIN, carry_on, qr_page, registered_wallet
from wallet.holder.device import DeviceWallet, WalletError
from wallet.qr_login.models import QrLoginRequest


@pytest.fixture
def phone(app: FastAPI) -> Iterator[TestClient]:
    """The citizen's phone: its own HTTP client, none of the browser's cookies."""
    with TestClient(app, base_url=ISSUER) as c:
        yield c


@pytest.fixture
def wallet(op: OpenIDProvider, browser: TestClient, phone: TestClient, tmp_path: Path) -> DeviceWallet:
    return registered_wallet(op, browser, phone, tmp_path / "wallet")[1]


def _refusals(op: OpenIDProvider) -> list[str]:
    with op.db.read_session() as s:
        rows = s.query(AuditRecord).filter(AuditRecord.event == "wallet:qr_login:refused").all()
        return [r.data["reason"] for r in rows]


def _state(browser: TestClient, login_id: str) -> str:
    return str(browser.get(f"/wallet/qr-login/{login_id}/status").json()["state"])


def test_the_login_page_offers_the_qr(browser: TestClient, portal: PortalInfo) -> None:
    location = browser.get("/authorize", params=_params(portal), follow_redirects=False).headers["location"]
    page = browser.get(location)
    assert 'data-login-choice="wallet_qr"' in page.text
    assert "Đăng nhập bằng ứng dụng NIXA" in page.text


def _params(portal: PortalInfo) -> dict[str, str]:
    from tests.support.flows import authorize_params

    return authorize_params(portal, pkce_pair()[1])


def test_wallet_approves_and_the_browser_logs_in_with_key_and_pin(
    browser: TestClient, phone: TestClient, api: TestClient, portal: PortalInfo, wallet: DeviceWallet
) -> None:
    verifier, challenge = pkce_pair()
    page = qr_page(browser, portal, challenge)
    assert "Cổng Bộ Thử nghiệm" in page.html
    request = wallet.fetch_login_request(phone, page.request_uri)
    assert request.client_name == "Cổng Bộ Thử nghiệm", "the wallet shows which portal asks"
    assert request.requested_from_ip == "testclient", "and where the browser asked from"
    assert _state(browser, page.login_id) == "scanned"
    assert wallet.approve(phone, request, code=page.code, pin=PIN)["status"] == "approved"
    assert _state(browser, page.login_id) == "approved"
    resp = carry_on(browser, page)
    assert resp.status_code == 303 and "nixa_session" in resp.cookies
    location = resp.headers["location"]
    if location.startswith("/interaction/"):
        consent = browser.get(location)
        resp = browser.post(
            f"{location}/consent",
            data={"csrf_token": csrf_of(consent.text), "decision": "approve"},
            follow_redirects=False,
        )
    code = query_of(resp.headers["location"])["code"]
    _, claims = verify_jwt(api, redeem(api, portal, code, verifier).json()["id_token"])
    assert claims["amr"] == ["swk", "pin", "mfa"]
    assert claims["acr"] == "urn:nixa:loa:3"
    assert carry_on(browser, page).status_code == 400, "the approval carries the browser on once"


def test_the_no_javascript_continue_shows_the_same_qr_until_approved(
    browser: TestClient, portal: PortalInfo, wallet: DeviceWallet
) -> None:
    page = qr_page(browser, portal, pkce_pair()[1])
    early = carry_on(browser, page)
    assert early.status_code == 200
    assert page.request_uri in early.text and "Chưa có xác nhận" in early.text


def test_number_mismatch_is_refused_and_ends_the_request(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet, op: OpenIDProvider
) -> None:
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    wrong = f"{(int(page.code) + 1) % 100:02d}"
    with pytest.raises(WalletError, match="number"):
        wallet.approve(phone, request, code=wrong, pin=PIN)
    assert _state(browser, page.login_id) == "refused"
    with pytest.raises(WalletError):
        wallet.approve(phone, request, code=page.code, pin=PIN)  # no second guess
    closed = carry_on(browser, page)
    assert closed.status_code == 400 and 'id="qr-login-closed"' in closed.text
    assert "nixa_session" not in closed.cookies
    assert "number_mismatch" in _refusals(op)


def test_scanned_twice_is_refused(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet, op: OpenIDProvider
) -> None:
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    second = phone.get(page.request_uri)
    assert second.status_code == 403 and second.json()["error"] == "access_denied"
    assert _state(browser, page.login_id) == "refused"
    with pytest.raises(WalletError):
        wallet.approve(phone, request, code=page.code, pin=PIN)
    assert "scanned_twice" in _refusals(op)


def test_a_replayed_approval_is_refused(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet, op: OpenIDProvider
) -> None:
    sent: list[bytes] = []

    def keep(request: httpx.Request) -> None:
        if request.url.path.endswith("/approval"):
            sent.append(request.read())

    phone.event_hooks["request"].append(keep)
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    wallet.approve(phone, request, code=page.code, pin=PIN)
    replay = phone.post(request.approval_uri, content=sent[0], headers={"Content-Type": "application/json"})
    assert replay.status_code == 403
    assert _state(browser, page.login_id) == "approved", "a replay does not spoil the real approval"
    assert "replayed" in _refusals(op)


def test_an_expired_request_is_refused(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet, op: OpenIDProvider
) -> None:
    from datetime import timedelta

    from idp.db import utcnow

    page = qr_page(browser, portal, pkce_pair()[1])
    update_rows(
        op.db, QrLoginRequest, QrLoginRequest.id == page.login_id, expires_at=utcnow() - timedelta(seconds=1)
    )
    resp = phone.get(page.request_uri)
    assert resp.status_code == 400 and resp.json()["error"] == "expired_token"
    assert _state(browser, page.login_id) == "expired"
    closed = browser.get(f"/wallet/qr-login/{page.login_id}")
    assert 'data-message="wallet.qrlogin.expired"' in closed.text


def test_an_unregistered_device_is_refused(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet, tmp_path: Path
) -> None:
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    # Another wallet that never registered: a fresh key under a made-up device id.
    stranger = DeviceWallet(tmp_path / "stranger")
    state: dict[str, Any] = json.loads(wallet.file.read_text())
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    state["device_id"] = "00000000-0000-0000-0000-000000000000"
    state["private_key"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PIN.encode()),
    ).decode()
    stranger.directory.mkdir(parents=True)
    stranger.file.write_text(json.dumps(state))
    with pytest.raises(WalletError, match="not registered"):
        stranger.approve(phone, request, code=page.code, pin=PIN)
    assert _state(browser, page.login_id) == "refused"


def test_a_revoked_device_is_refused(
    browser: TestClient, phone: TestClient, portal: PortalInfo, op: OpenIDProvider, tmp_path: Path
) -> None:
    citizen, wallet = registered_wallet(op, browser, phone, tmp_path / "w")
    from tests.wallet.conftest import signed_in

    signed_in(browser, op, citizen.id, level=2)
    devices = browser.get("/account/wallet-devices")
    assert wallet.device_id and f'data-device="{wallet.device_id}"' in devices.text
    revoked = browser.post(
        f"/account/wallet-devices/{wallet.device_id}/revoke", data={"csrf_token": csrf_of(devices.text)}
    )
    assert 'id="devices-notice"' in revoked.text
    browser.cookies.delete("nixa_session")
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    with pytest.raises(WalletError, match="revoked"):
        wallet.approve(phone, request, code=page.code, pin=PIN)
    assert "revoked_device" in _refusals(op)


def test_the_status_and_continue_belong_to_the_browser_that_started(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet
) -> None:
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    wallet.approve(phone, request, code=page.code, pin=PIN)
    assert phone.get(f"/wallet/qr-login/{page.login_id}/status").status_code == 404
    stolen = phone.post(f"/wallet/qr-login/{page.login_id}/continue", data={"csrf_token": page.csrf})
    assert stolen.status_code in (400, 403) and "nixa_session" not in stolen.cookies
    assert _state(browser, page.login_id) == "approved"


def test_a_wrong_pin_signs_nothing(
    browser: TestClient, phone: TestClient, portal: PortalInfo, wallet: DeviceWallet
) -> None:
    page = qr_page(browser, portal, pkce_pair()[1])
    request = wallet.fetch_login_request(phone, page.request_uri)
    with pytest.raises(WalletError, match="wrong PIN"):
        wallet.approve(phone, request, code=page.code, pin="000000")
    assert _state(browser, page.login_id) == "scanned"


def test_the_wallet_refuses_a_qr_from_elsewhere(phone: TestClient, wallet: DeviceWallet) -> None:
    with pytest.raises(WalletError, match="not a NIXA"):
        wallet.fetch_login_request(phone, "https://phishing.example/wallet/qr-login/r/abc")


def test_lost_phone_revokes_the_identity_qr_and_the_devices(
    browser: TestClient, phone: TestClient, portal: PortalInfo, op: OpenIDProvider, tmp_path: Path
) -> None:
    from tests.wallet.conftest import signed_in

    citizen, wallet = registered_wallet(op, browser, phone, tmp_path / "w")
    signed_in(browser, op, citizen.id)
    account = browser.get("/account")
    assert (
        'data-account-link="identity_qr"' in account.text
        and 'data-account-link="wallet_devices"' in account.text
    )
    page = browser.get("/account/identity-qr")
    browser.post("/account/identity-qr/issue", data={"csrf_token": csrf_of(page.text)})
    browser.post("/account/identity-qr/revoke", data={"csrf_token": csrf_of(page.text)})
    assert 'id="no-devices"' in browser.get("/account/wallet-devices").text
    browser.cookies.delete("nixa_session")
    qr = qr_page(browser, portal, pkce_pair()[1])
    with pytest.raises(WalletError, match="revoked"):
        wallet.approve(phone, wallet.fetch_login_request(phone, qr.request_uri), code=qr.code, pin=PIN)
