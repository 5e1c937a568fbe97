"""The wallet's public endpoints are limited per client address (OWASP ASVS 4 V11.1.4; RFC 6585 Section 4)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from idp.models import LoginThrottle
from idp.provider import OpenIDProvider
from tests.support.db import update_rows
from tests.support.factories import PortalInfo, pkce_pair
from tests.support.flows import authorize_params, csrf_of
from wallet.rate_limits import DEVICE_REGISTRATION_PER_IP, QR_LOGIN_START_PER_IP, VERIFY_PER_IP


def _exhaust(op: OpenIDProvider, prefix: str, limit: int) -> None:
    assert update_rows(op.db, LoginThrottle, LoginThrottle.key.like(f"{prefix}:%"), failures=limit) == 1


def test_the_verifier_page_is_limited(browser: TestClient, op: OpenIDProvider) -> None:
    csrf = csrf_of(browser.get("/verify").text)
    assert browser.post("/verify", data={"csrf_token": csrf, "text": "X"}).status_code == 200
    _exhaust(op, "wallet-verify", VERIFY_PER_IP[0])
    limited = browser.post("/verify", data={"csrf_token": csrf, "text": "X"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_opening_qr_log_ins_is_limited(browser: TestClient, op: OpenIDProvider, portal: PortalInfo) -> None:
    resp = browser.get("/authorize", params=authorize_params(portal, pkce_pair()[1]), follow_redirects=False)
    start = f"/wallet/qr-login/start/{resp.headers['location'].rsplit('/', 1)[1]}"
    assert browser.get(start).status_code == 200
    _exhaust(op, "wallet-qr-login", QR_LOGIN_START_PER_IP[0])
    assert browser.get(start).status_code == 429


def test_device_registration_is_limited(relying_party: TestClient, op: OpenIDProvider) -> None:
    body = {"registration_code": "guess", "proof": "x.y.z"}
    assert relying_party.post("/wallet/devices", json=body).status_code == 400
    _exhaust(op, "wallet-device", DEVICE_REGISTRATION_PER_IP[0])
    limited = relying_party.post("/wallet/devices", json=body)
    assert limited.status_code == 429 and limited.json()["error"] == "slow_down"
    assert "retry-after" in limited.headers
