"""Reading a QR code from an image with zxing-cpp. Images are size-checked before they are decoded."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 25_000_000


class NoQrCode(ValueError):
    pass


def read_qr(image_bytes: bytes) -> str:
    if len(image_bytes) > MAX_IMAGE_BYTES:
        raise NoQrCode("image too large")
    try:
        with Image.open(io.BytesIO(image_bytes)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:  # before decoding: a small file can claim huge dimensions
                raise NoQrCode("image too large")
            image.load()
            results = zxingcpp.read_barcodes(
                image.convert("L"), formats=zxingcpp.barcode_formats_from_str("QRCode")
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NoQrCode("not an image") from exc
    texts = [r.text for r in results if r.valid and r.text]
    if not texts:
        raise NoQrCode("no QR code found in the image")
    if len(texts) > 1:
        raise NoQrCode("more than one QR code in the image")
    return texts[0]
