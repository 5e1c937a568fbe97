"""Registering a wallet device key: only after a recent level 3 login, with a one-time code and a proof of
possession of the key; the code is stored hashed and works once."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey

from idp.db import utcnow
from idp.models import SsoSession
from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.db import dump_text, update_rows
from tests.support.factories import make_citizen
from tests.support.flows import csrf_of
from tests.wallet.conftest import signed_in
from tests.wallet.qr_login.steps import PIN, registration_code
from wallet.holder.device import REGISTRATION_TYP, DeviceWallet, WalletError
from wallet.qr_login.models import DeviceRegistration


def _proof(key: ECKey, nonce: str, *, jwk: dict | None = None, aud: str = ISSUER) -> str:  # type: ignore[type-arg]
    now = int(time.time())
    header = {"alg": "ES256", "typ": REGISTRATION_TYP, "jwk": jwk or key.as_dict(private=False)}
    return jwt.encode(header, {"aud": aud, "iat": now, "nonce": nonce}, key)


def _register(client: TestClient, code: str, proof: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/wallet/devices", json={"registration_code": code, "proof": proof, "device_name": "x"}
    )


def test_a_level_2_session_cannot_register_a_device(browser: TestClient, op: OpenIDProvider) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=2)
    page = browser.get("/account/wallet-devices")
    resp = browser.post("/account/wallet-devices/register", data={"csrf_token": csrf_of(page.text)})
    assert resp.status_code == 403 and 'id="devices-error"' in resp.text
    assert 'id="registration-code"' not in resp.text


def test_a_level_2_identity_cannot_either(browser: TestClient, op: OpenIDProvider) -> None:
    signed_in(browser, op, make_citizen(op, loa=2).id, level=3)
    page = browser.get("/account/wallet-devices")
    assert (
        browser.post("/account/wallet-devices/register", data={"csrf_token": csrf_of(page.text)}).status_code
        == 403
    )


def test_an_old_level_3_login_is_not_enough(browser: TestClient, op: OpenIDProvider) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=3)
    update_rows(op.db, SsoSession, SsoSession.ended_at.is_(None), auth_time=utcnow() - timedelta(hours=1))
    page = browser.get("/account/wallet-devices")
    assert (
        browser.post("/account/wallet-devices/register", data={"csrf_token": csrf_of(page.text)}).status_code
        == 403
    )


def test_the_code_works_once_and_is_stored_hashed(
    browser: TestClient, relying_party: TestClient, op: OpenIDProvider, tmp_path: Path
) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=3)
    code = registration_code(browser)
    assert code not in dump_text(op.db)
    DeviceWallet(tmp_path / "a").register(relying_party, ISSUER, code, pin=PIN, name="A")
    with pytest.raises(WalletError, match="used"):
        DeviceWallet(tmp_path / "b").register(relying_party, ISSUER, code, pin=PIN, name="B")
    listed = browser.get("/account/wallet-devices")
    assert listed.text.count("data-device=") == 1


def test_an_expired_code_is_refused(
    browser: TestClient, relying_party: TestClient, op: OpenIDProvider
) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=3)
    code = registration_code(browser)
    update_rows(op.db, DeviceRegistration, DeviceRegistration.used_at.is_(None), expires_at=utcnow())
    key = ECKey.generate_key("P-256", private=True)
    resp = _register(relying_party, code, _proof(key, code))
    assert resp.status_code == 400 and resp.json()["error"] == "expired_token"


def test_the_proof_must_be_for_this_code_and_audience(
    browser: TestClient, relying_party: TestClient, op: OpenIDProvider
) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=3)
    code = registration_code(browser)
    key = ECKey.generate_key("P-256", private=True)
    assert _register(relying_party, code, _proof(key, "another-code")).status_code == 403
    assert (
        _register(relying_party, code, _proof(key, code, aud="https://elsewhere.example")).status_code == 403
    )
    other = ECKey.generate_key("P-256", private=True)
    # Signed by one key, naming another: no proof of possession of the named key.
    assert (
        _register(relying_party, code, _proof(key, code, jwk=other.as_dict(private=False))).status_code == 403
    )
    assert _register(relying_party, code, _proof(key, code)).status_code == 201, "the code was not spent"


def test_a_private_key_in_the_proof_is_refused(
    browser: TestClient, relying_party: TestClient, op: OpenIDProvider
) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=3)
    code = registration_code(browser)
    key = ECKey.generate_key("P-256", private=True)
    resp = _register(relying_party, code, _proof(key, code, jwk=key.as_dict(private=True)))
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


def test_the_same_key_is_registered_once(
    browser: TestClient, relying_party: TestClient, op: OpenIDProvider
) -> None:
    signed_in(browser, op, make_citizen(op, loa=3).id, level=3)
    key = ECKey.generate_key("P-256", private=True)
    first = registration_code(browser)
    assert _register(relying_party, first, _proof(key, first)).status_code == 201
    second = registration_code(browser)
    assert _register(relying_party, second, _proof(key, second)).status_code == 403
