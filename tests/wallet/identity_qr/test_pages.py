"""The identity QR in self-service, and the verifier page (image upload read by zxing-cpp, or text)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from idp.provider import OpenIDProvider
from tests.support.factories import make_citizen
from tests.support.flows import csrf_of
from tests.wallet.conftest import signed_in
from wallet.identity_qr import codec
from wallet.verifier.qr_image import read_qr


def _issue_from_the_page(browser: TestClient) -> str:
    page = browser.get("/account/identity-qr")
    resp = browser.post("/account/identity-qr/issue", data={"csrf_token": csrf_of(page.text)})
    assert resp.status_code == 200 and 'id="identity-qr"' in resp.text
    return re.search(r'data-credential="([0-9a-f]+)"', resp.text).group(1)  # type: ignore[union-attr]


def test_the_page_needs_a_login(browser: TestClient) -> None:
    resp = browser.get("/account/identity-qr")
    assert resp.status_code == 401 and "/login?next=" in resp.text


def test_a_level_2_citizen_gets_shows_and_downloads_a_code(browser: TestClient, op: OpenIDProvider) -> None:
    citizen = make_citizen(op)
    signed_in(browser, op, citizen.id)
    assert 'id="qr-none"' in browser.get("/account/identity-qr").text
    credential = _issue_from_the_page(browser)
    png = browser.get(f"/account/identity-qr/{credential}.png")
    assert png.headers["content-type"] == "image/png"
    assert "attachment" in png.headers["content-disposition"]
    assert png.headers["cache-control"] == "no-store"
    assert codec.decode(read_qr(png.content)).claims[169][1] == citizen.personal_id
    svg = browser.get(f"/account/identity-qr/{credential}.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    browser.cookies.set("nixa_lang", "en")
    assert "Issue a new QR code" in browser.get("/account/identity-qr").text


def test_someone_else_cannot_download_the_code(
    browser: TestClient, relying_party: TestClient, op: OpenIDProvider
) -> None:
    owner, other = make_citizen(op), make_citizen(op)
    signed_in(browser, op, owner.id)
    credential = _issue_from_the_page(browser)
    signed_in(relying_party, op, other.id)
    assert relying_party.get(f"/account/identity-qr/{credential}.png").status_code == 404


def test_a_level_1_citizen_is_told_why_not(browser: TestClient, op: OpenIDProvider) -> None:
    citizen = make_citizen(op, loa=1)
    signed_in(browser, op, citizen.id, level=1)
    page = browser.get("/account/identity-qr")
    assert 'id="qr-not-eligible"' in page.text and 'id="issue-qr"' not in page.text


def test_the_forms_need_the_csrf_token(browser: TestClient, op: OpenIDProvider) -> None:
    signed_in(browser, op, make_citizen(op).id)
    browser.get("/account/identity-qr")
    assert browser.post("/account/identity-qr/issue", data={"csrf_token": "forged"}).status_code == 403


def test_lost_phone_revokes_and_the_verifier_page_says_so(browser: TestClient, op: OpenIDProvider) -> None:
    signed_in(browser, op, make_citizen(op).id)
    credential = _issue_from_the_page(browser)
    image = browser.get(f"/account/identity-qr/{credential}.png").content
    verify_page = browser.get("/verify")
    csrf = csrf_of(verify_page.text)
    valid = browser.post(
        "/verify", data={"csrf_token": csrf}, files={"image": ("code.png", image, "image/png")}
    )
    assert 'data-verdict="valid"' in valid.text and "Nguyễn Văn An" in valid.text
    page = browser.get("/account/identity-qr")
    revoked = browser.post("/account/identity-qr/revoke", data={"csrf_token": csrf_of(page.text)})
    assert 'id="qr-notice"' in revoked.text
    again = browser.post(
        "/verify", data={"csrf_token": csrf}, files={"image": ("code.png", image, "image/png")}
    )
    assert 'data-verdict="revoked"' in again.text
    assert "Nguyễn Văn An" not in again.text, "a revoked code's data is not shown as if it were valid"


def test_the_verifier_page_takes_text_and_refuses_junk(browser: TestClient, op: OpenIDProvider) -> None:
    signed_in(browser, op, make_citizen(op).id)
    credential = _issue_from_the_page(browser)
    text = read_qr(browser.get(f"/account/identity-qr/{credential}.png").content)
    csrf = csrf_of(browser.get("/verify").text)
    assert 'data-verdict="valid"' in browser.post("/verify", data={"csrf_token": csrf, "text": text}).text
    tampered = text[:-4] + ("0000" if not text.endswith("0000") else "1111")
    assert (
        'data-verdict="valid"'
        not in browser.post("/verify", data={"csrf_token": csrf, "text": tampered}).text
    )
    junk = browser.post(
        "/verify", data={"csrf_token": csrf}, files={"image": ("x.png", b"junk", "image/png")}
    )
    assert junk.status_code == 400 and 'id="verify-error"' in junk.text
    assert browser.post("/verify", data={"csrf_token": "forged", "text": text}).status_code == 403
