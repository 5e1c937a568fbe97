"""The verifier page: choose claims, show the request as a QR, then the verdict (no JavaScript needed)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.support.factories import Citizen
from tests.support.flows import csrf_of
from tests.wallet.credentials import receive
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.presentation import Presenter
from wallet.vp.routes import PAGE


def _start(browser: TestClient, *claims: str) -> str:
    form = browser.get(PAGE)
    resp = browser.post(
        PAGE, data={"csrf_token": csrf_of(form.text), "claim": list(claims)}, follow_redirects=False
    )
    assert resp.status_code == 303, resp.text[:300]
    return str(resp.headers["location"])


def _wallet_link(page: str) -> str:
    return html.unescape(re.search(r'href="([^"]+)" id="vp-wallet-link"', page).group(1))  # type: ignore[union-attr]


def test_verifier_page_shows_the_qr_then_only_the_shared_claims(
    browser: TestClient, phone: CredentialReceiver, services: CredentialServices, verified: Citizen
) -> None:
    receive(services, phone, verified.id)
    location = _start(browser, "name", "age_over_18")
    pending_page = browser.get(location).text
    assert 'id="vp-qr"' in pending_page and 'http-equiv="refresh"' in pending_page
    manual = browser.get(location + "?manual=1").text
    assert 'http-equiv="refresh"' not in manual and 'id="vp-refresh"' in manual
    holder = Presenter(phone.store, phone.http)
    assert holder.respond(holder.fetch(_wallet_link(pending_page))).status_code == 200
    done = browser.get(location).text
    assert 'data-verdict="valid"' in done
    assert '<dd data-claim="name">Nguyễn Văn An</dd>' in done
    assert 'data-claim="age_over_18"' in done and 'data-claim="personal_id"' not in done
    assert verified.personal_id not in done


def test_verifier_page_needs_csrf_and_a_claim(browser: TestClient) -> None:
    assert browser.post(PAGE, data={"csrf_token": "forged", "claim": "name"}).status_code == 403
    form = browser.get(PAGE)
    assert browser.post(PAGE, data={"csrf_token": csrf_of(form.text)}).status_code == 400


def test_another_browser_cannot_read_the_result(app: object, browser: TestClient, api: TestClient) -> None:
    location = _start(browser, "name")
    assert api.get(location).status_code == 404


def test_verifier_page_in_english(browser: TestClient) -> None:
    browser.cookies.set("nixa_lang", "en")
    page = browser.get(PAGE).text
    assert "Verify an identity with the wallet" in page and 'value="name"> Full name</label>' in page
