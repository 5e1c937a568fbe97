"""Evidence images: checked by content, bounded in bytes and pixels, re-encoded so no metadata survives.

OWASP ASVS 4 V12.1/V12.2: file type from content, not name; size limits; decompression bombs refused.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG"})
JPEG_QUALITY = 90


class ImageRefused(ValueError):
    """An upload that is not accepted; ``key`` is the i18n message shown to the citizen."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def sanitise(data: bytes, *, max_bytes: int, max_pixels: int) -> bytes:
    """A fresh baseline JPEG with only the pixels of ``data``; raises ImageRefused."""
    if not data:
        raise ImageRefused("proofing.error.missing")
    if len(data) > max_bytes:
        raise ImageRefused("proofing.error.too_large")
    with warnings.catch_warnings():
        # Pillow's own bomb guard only warns below twice its limit; any warning here is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _verify(data, max_pixels)
            return _reencode(data)
        except ImageRefused:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused("proofing.error.not_image") from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRefused("proofing.error.not_image") from None


def _verify(data: bytes, max_pixels: int) -> None:
    # Only the header is read here: the pixel count is checked before anything is decompressed.
    with Image.open(io.BytesIO(data)) as img:
        if img.format not in ALLOWED_FORMATS:
            raise ImageRefused("proofing.error.not_image")
        width, height = img.size
        if width * height > max_pixels:
            raise ImageRefused("proofing.error.too_many_pixels")
        img.verify()


def _reencode(data: bytes) -> bytes:
    # verify() leaves the image unusable, so it is opened again to decode the pixels.
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        # Phone photos are often stored sideways with an EXIF rotation; apply it before EXIF goes.
        pixels = ImageOps.exif_transpose(img).convert("RGB")
    # A new image carries no info dict at all: EXIF (GPS), XMP, ICC and comments are all left behind.
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
