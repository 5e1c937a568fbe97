"""How a declared name is compared with the registry's: one normalisation, used on both sides."""

from __future__ import annotations

import unicodedata


def normalise_name(name: str) -> str:
    """NFC, casefolded, whitespace collapsed; diacritics kept ("Nguyễn" and "Nguyen" stay different).

    NFC first so a decomposed input (NFD, as some keyboards and macOS file names produce) compares equal to
    the composed one; NFC again after casefolding because folding can leave a sequence that is no longer
    composed. Vietnamese tone marks distinguish names, so nothing is stripped.
    """
    folded = unicodedata.normalize("NFC", name).casefold()
    return " ".join(unicodedata.normalize("NFC", folded).split())
