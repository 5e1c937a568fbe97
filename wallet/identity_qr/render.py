"""The identity QR as an image: error correction Q (25% of the code may be damaged and still read)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_Q


def _qr(text: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=8, border=4)
    qr.add_data(text)  # qrcode picks alphanumeric mode: Base45 is exactly that character set
    qr.make(fit=True)
    return qr


def png(text: str) -> bytes:
    buffer = io.BytesIO()
    _qr(text).make_image().save(buffer)
    return buffer.getvalue()


def svg(text: str) -> bytes:
    buffer = io.BytesIO()
    _qr(text).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()
