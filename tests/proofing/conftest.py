"""Proofing fixtures: small upload limits so refusals are quick, Pillow-built images, the operators."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import ExifTags, Image

from idp.config import Settings
from idp.proofing.decisions import VerificationService
from idp.provider import OpenIDProvider
from tests.support.factories import Citizen, PortalInfo
from tests.support.flows import authorize, csrf_of

MAX_BYTES = 200_000
MAX_PIXELS = 1_000_000
CAMERA = "SecretCam-9000"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.upload_max_bytes = MAX_BYTES
    settings.upload_max_pixels = MAX_PIXELS
    return settings


@pytest.fixture
def operators(op: OpenIDProvider) -> VerificationService:
    return VerificationService(op.db, op.platform.sealer, op.identities)


def jpeg_with_exif(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose EXIF names a camera and carries GPS coordinates (Hà Nội)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 1.0, 42.0)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 40), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


def logged_in(browser: TestClient, portal: PortalInfo, citizen: Citizen) -> None:
    """An SSO session in the browser, made the way a citizen gets one: logging in for a portal."""
    authorize(browser, portal, citizen)


def upload(
    browser: TestClient, files: dict[str, tuple[str, bytes, str]] | None = None, csrf: str | None = None
) -> Any:
    csrf = csrf or csrf_of(browser.get("/account/proofing").text)
    files = files or {
        "portrait": ("me.jpg", jpeg_with_exif(), "image/jpeg"),
        "id_front": ("front.png", png(), "image/png"),
        "id_back": ("back.jpg", jpeg_with_exif(), "image/jpeg"),
    }
    return browser.post("/account/proofing", data={"csrf_token": csrf}, files=files, follow_redirects=False)
