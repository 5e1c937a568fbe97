"""Evidence upload at /account/proofing: content checks, limits, metadata stripped, sealed at rest."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from idp.models import Identity
from idp.proofing.decisions import VerificationService
from idp.proofing.errors import NotEligible
from idp.provider import OpenIDProvider
from idp.web.routes_proofing import submissions
from tests.proofing.conftest import CAMERA, MAX_BYTES, jpeg_with_exif, logged_in, png, upload
from tests.support.db import dump_text
from tests.support.factories import Citizen, PortalInfo, make_citizen
from tests.support.flows import csrf_of

ERROR = re.compile(r'data-error="([^"]+)"')


def refused(resp: Any) -> str:
    assert resp.status_code == 400, resp.text[:300]
    match = ERROR.search(resp.text)
    assert match, resp.text[:300]
    return match.group(1)


def with_front(content: bytes, name: str = "front.jpg") -> dict[str, tuple[str, bytes, str]]:
    return {
        "portrait": ("me.jpg", jpeg_with_exif(), "image/jpeg"),
        "id_front": (name, content, "image/jpeg"),
        "id_back": ("back.png", png(), "image/png"),
    }


def test_upload_creates_pending_request_with_metadata_stripped(
    browser: TestClient, portal: PortalInfo, citizen: Citizen, operators: VerificationService
) -> None:
    logged_in(browser, portal, citizen)
    resp = upload(browser)
    assert resp.status_code == 303 and resp.headers["location"] == "/account/proofing?notice=submitted"
    assert 'data-status="pending"' in browser.get("/account/proofing").text
    [pending] = operators.list_pending()
    detail = operators.detail(pending.id, "op-a")
    assert set(detail.images) == {"portrait", "id_front", "id_back"}
    for content in detail.images.values():
        with Image.open(io.BytesIO(content)) as img:
            assert img.format == "JPEG"
            assert not img.getexif() and "exif" not in img.info
        assert CAMERA.encode() not in content and b"Exif" not in content


def test_images_are_not_stored_in_clear(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    logged_in(browser, portal, citizen)
    upload(browser)
    [pending] = operators.list_pending()
    dump = dump_text(op.db)
    assert "JFIF" not in dump and "\ufffdPNG" not in dump and CAMERA not in dump
    for content in operators.detail(pending.id, "op-a").images.values():
        assert content[:64].decode("utf-8", errors="replace") not in dump


def test_non_image_is_refused(browser: TestClient, portal: PortalInfo, citizen: Citizen) -> None:
    logged_in(browser, portal, citizen)
    assert refused(upload(browser, with_front(b"just some text"))) == "proofing.error.not_image"


def test_pdf_renamed_jpg_is_refused(browser: TestClient, portal: PortalInfo, citizen: Citizen) -> None:
    logged_in(browser, portal, citizen)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    resp = upload(browser, with_front(pdf, name="cccd.jpg"))
    assert refused(resp) == "proofing.error.not_image"
    assert "JPEG" in resp.text  # the message names what is accepted


def test_oversized_file_is_refused(browser: TestClient, portal: PortalInfo, citizen: Citizen) -> None:
    logged_in(browser, portal, citizen)
    big = jpeg_with_exif() + b"\x00" * MAX_BYTES
    assert refused(upload(browser, with_front(big))) == "proofing.error.too_large"


def test_pixel_bomb_is_refused(browser: TestClient, portal: PortalInfo, citizen: Citizen) -> None:
    logged_in(browser, portal, citizen)
    bomb = png((5000, 5000), mode="L")  # 25 megapixels in a few tens of kilobytes
    assert len(bomb) < MAX_BYTES
    assert refused(upload(browser, with_front(bomb))) == "proofing.error.too_many_pixels"


def test_refused_upload_creates_nothing(
    browser: TestClient, portal: PortalInfo, citizen: Citizen, operators: VerificationService
) -> None:
    logged_in(browser, portal, citizen)
    refused(upload(browser, with_front(b"GIF89a")))
    assert operators.list_pending() == []


def test_one_open_request_per_identity(browser: TestClient, portal: PortalInfo, citizen: Citizen) -> None:
    logged_in(browser, portal, citizen)
    csrf = csrf_of(browser.get("/account/proofing").text)
    assert upload(browser, csrf=csrf).status_code == 303
    assert 'type="file"' not in browser.get("/account/proofing").text
    assert refused(upload(browser, csrf=csrf)) == "proofing.error.already_open"


def test_loa1_identity_may_not_submit(browser: TestClient, portal: PortalInfo, op: OpenIDProvider) -> None:
    citizen = make_citizen(op, loa=1)
    logged_in(browser, portal, citizen)
    page = browser.get("/account/proofing").text
    assert 'id="proofing-not-eligible"' in page and 'type="file"' not in page
    service = submissions(op)
    with op.db.session() as s, pytest.raises(NotEligible):
        identity = s.get(Identity, citizen.id)
        assert identity is not None
        service.submit(s, identity, service.clean({k: v[1] for k, v in with_front(png()).items()}), None)


def test_without_csrf_token_nothing_happens(
    browser: TestClient, portal: PortalInfo, citizen: Citizen, operators: VerificationService
) -> None:
    logged_in(browser, portal, citizen)
    resp = browser.post("/account/proofing", files={"portrait": ("a.png", png(), "image/png")})
    assert resp.status_code == 403
    assert operators.list_pending() == []


def test_without_session_the_page_asks_to_log_in(browser: TestClient) -> None:
    assert browser.get("/account/proofing").status_code == 401
