"""The citizen's credential pages: offer QR with its transaction code, the list, revocation (lost phone)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from idp.crypto import hmac_token
from idp.provider import OpenIDProvider
from idp.web.i18n import translate
from idp.web.pages import BROWSER_COOKIE
from tests.support.factories import Citizen, PortalInfo, make_citizen
from tests.support.flows import authorize, csrf_of
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.status_list.service import STATUS_INVALID, StatusReference

PAGE = "/account/credentials"


def _offer_page(browser: TestClient) -> tuple[str, str]:
    page = browser.get(PAGE)
    resp = browser.post(f"{PAGE}/offer", data={"csrf_token": csrf_of(page.text)})
    assert resp.status_code == 200, resp.text[:300]
    assert 'id="offer-qr"' in resp.text and 'src="data:image/svg+xml;base64,' in resp.text
    uri = html.unescape(
        re.search(r'id="offer-link" href="|href="([^"]+)" id="offer-link"', resp.text).group(1)
    )  # type: ignore[union-attr]
    tx_code = re.search(r'id="tx-code"[^>]*>(\d+)<', resp.text).group(1)  # type: ignore[union-attr]
    return uri, tx_code


def test_without_a_session_the_page_asks_to_log_in(browser: TestClient) -> None:
    resp = browser.get(PAGE)
    assert resp.status_code == 401 and 'id="login-link"' in resp.text


def test_offer_from_the_page_reaches_the_wallet_and_is_listed(
    browser: TestClient, portal: PortalInfo, verified: Citizen, phone: CredentialReceiver
) -> None:
    authorize(browser, portal, verified)
    uri, tx_code = _offer_page(browser)
    assert uri.startswith("openid-credential-offer://?credential_offer=")
    phone.accept_offer(uri, tx_code)
    listed = browser.get(PAGE).text
    assert 'data-state="valid"' in listed and translate("cred.state.valid", "vi") in listed


def test_offer_form_needs_its_csrf_token(browser: TestClient, portal: PortalInfo, verified: Citizen) -> None:
    authorize(browser, portal, verified)
    assert browser.post(f"{PAGE}/offer", data={"csrf_token": "forged"}).status_code == 403


def test_lost_phone_revocation_reaches_the_status_list(
    browser: TestClient,
    portal: PortalInfo,
    verified: Citizen,
    phone: CredentialReceiver,
    services: CredentialServices,
) -> None:
    authorize(browser, portal, verified)
    phone.accept_offer(*_offer_page(browser))
    page = browser.get(PAGE).text
    credential_id = re.search(r'data-credential="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = browser.post(
        f"{PAGE}/{credential_id}/revoke",
        data={"csrf_token": csrf_of(page), "reason": "lost_device"},
        follow_redirects=True,
    )
    assert 'data-state="revoked"' in resp.text and 'id="cred-notice"' in resp.text
    with services.platform.db.session() as s:
        (summary,) = services.revocation.list_for(s, verified.id)
        assert summary.revocation_reason == "lost_device"
        from wallet.models import IssuedCredential

        row = s.get(IssuedCredential, credential_id)
        assert row is not None
        ref = StatusReference(row.status_list_uri, row.status_index)
        assert services.status_lists.status_of(s, ref) == STATUS_INVALID


def test_a_citizen_cannot_revoke_someone_elses_credential(
    app: object,
    browser: TestClient,
    portal: PortalInfo,
    verified: Citizen,
    op: OpenIDProvider,
    phone: CredentialReceiver,
) -> None:
    authorize(browser, portal, verified)
    phone.accept_offer(*_offer_page(browser))
    credential_id = re.search(r'data-credential="([^"]+)"', browser.get(PAGE).text).group(1)  # type: ignore[union-attr]
    other = make_citizen(op, loa=2, full_name="Trần Thị Bình", sex="F")
    browser.cookies.clear()
    authorize(browser, portal, other)
    page = browser.get(PAGE).text
    resp = browser.post(
        f"{PAGE}/{credential_id}/revoke", data={"csrf_token": csrf_of(page), "reason": "lost_device"}
    )
    assert resp.status_code == 404


def test_self_registered_identity_is_not_offered_a_credential(
    browser: TestClient, portal: PortalInfo, op: OpenIDProvider
) -> None:
    unverified = make_citizen(op, loa=1)
    authorize(browser, portal, unverified)
    page = browser.get(PAGE)
    assert 'id="cred-not-eligible"' in page.text and 'id="cred-new-offer"' not in page.text
    # The form is not shown, but a hand-made request with a valid CSRF token is refused all the same.
    token = hmac_token(
        op.platform.settings.secrets.csrf, "csrf", browser.cookies[BROWSER_COOKIE], "wallet-credentials"
    )
    assert browser.post(f"{PAGE}/offer", data={"csrf_token": token}).status_code == 403


def test_the_pages_switch_to_english(browser: TestClient, portal: PortalInfo, verified: Citizen) -> None:
    authorize(browser, portal, verified)
    browser.cookies.set("nixa_lang", "en")
    assert "Credentials in your wallet" in browser.get(PAGE).text
