"""The Status List: a byte array of statuses, ``bits`` per entry, compressed with DEFLATE in the ZLIB format.

draft-ietf-oauth-status-list Section 4.1: entry ``idx`` lives at bit position ``idx * bits``, counted from
the least significant bit of byte 0; ``bits`` is 1, 2, 4 or 8.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

ALLOWED_BITS = (1, 2, 4, 8)
# A status list token larger than this, once inflated, is refused (a decompression bomb, not a list).
MAX_INFLATED_BYTES = 16 * 1024 * 1024


class MalformedStatusList(ValueError):
    pass


def pack(entries: Iterable[tuple[int, int]], *, bits: int, size: int) -> bytes:
    if bits not in ALLOWED_BITS:
        raise ValueError("bits must be 1, 2, 4 or 8")
    array = bytearray((size * bits + 7) // 8)
    mask = (1 << bits) - 1
    for idx, status in entries:
        if not 0 <= idx < size or not 0 <= status <= mask:
            raise ValueError("status entry out of range")
        position = idx * bits
        array[position // 8] |= status << (position % 8)
    # Section 4.1: compressed with DEFLATE (RFC 1951) in the ZLIB data format (RFC 1950); highest level.
    return zlib.compress(bytes(array), 9)


def inflate(compressed: bytes) -> bytes:
    decoder = zlib.decompressobj()
    try:
        data = decoder.decompress(compressed, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise MalformedStatusList("not ZLIB-compressed") from exc
    if decoder.unconsumed_tail or not decoder.eof:
        raise MalformedStatusList("status list is truncated or too large")
    return data


def status_at(array: bytes, idx: int, bits: int) -> int:
    if bits not in ALLOWED_BITS:
        raise MalformedStatusList("bits must be 1, 2, 4 or 8")
    position = idx * bits
    if idx < 0 or position // 8 >= len(array):
        # Section 8.3 (validation): an index outside the list MUST make the token's status invalid to read.
        raise MalformedStatusList("index outside the status list")
    return (array[position // 8] >> (position % 8)) & ((1 << bits) - 1)
