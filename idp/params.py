"""Request parameters as every protocol layer reads them: single strings, a repeated one marked.

Below ``idp.web`` so that the protocol code (logout, the credential grant) can recognise the mark
without importing the web layer.
"""

from __future__ import annotations

from collections.abc import Iterable

# The value that stands for a parameter sent more than once; the endpoint that reads it refuses it
# (RFC 6749 Section 3.1: request parameters MUST NOT be included more than once).
DUPLICATE = "\x00dup"


def mark_repeats(pairs: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Parameters as single strings, a repeated one replaced by ``DUPLICATE``; non-text values (uploaded
    files) are left out."""
    out: dict[str, str] = {}
    for key, value in pairs:
        if isinstance(value, str):
            out[key] = DUPLICATE if key in out else value
    return out
