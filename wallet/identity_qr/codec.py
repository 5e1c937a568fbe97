"""The identity QR's text, both ways: CWT -> COSE_Sign1 -> zlib -> Base45, and back, strictly.

Decoding refuses, with ``MalformedQr`` and never another exception, anything that is not what NIXA
issues: text longer than a QR can hold, characters outside the Base45 alphabet (RFC 9285 Section 4.3: a
decoder MUST refuse them), bad zlib, data that inflates past the limit, and CBOR of another shape.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

import base45

from wallet import cose
from wallet.identity_qr.claim169 import CLAIM_169

# A version 40 QR code holds at most 4296 alphanumeric characters.
MAX_TEXT_CHARS = 4296
MAX_INFLATED_BYTES = 16 * 1024
_BASE45 = re.compile(r"[0-9A-Z $%*+\-./:]+")


class MalformedQr(ValueError):
    pass


@dataclass(frozen=True)
class DecodedQr:
    message: cose.Sign1
    claims: dict[Any, Any]


def encode(cwt: bytes) -> str:
    # No context prefix: Claim 169 readers expect the Base45 text alone.
    return base45.b45encode(zlib.compress(cwt, 9)).decode("ascii")


def decode(text: str) -> DecodedQr:
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise MalformedQr("longer than a QR code can hold")
    body = text
    if not _BASE45.fullmatch(body):
        raise MalformedQr("not Base45")
    try:
        compressed = base45.b45decode(body)
    except (ValueError, TypeError) as exc:  # RFC 9285 Section 4.3: invalid triplets MUST be refused
        raise MalformedQr("not Base45") from exc
    cwt = _inflate(compressed)
    try:
        message = cose.parse_sign1(cwt)
        claims = cose.decode_claims(message.payload)
    except cose.MalformedCose as exc:
        raise MalformedQr(str(exc)) from exc
    if CLAIM_169 not in claims:
        raise MalformedQr("no Claim 169 identity data")
    return DecodedQr(message, claims)


def _inflate(data: bytes) -> bytes:
    decoder = zlib.decompressobj()
    try:
        out = decoder.decompress(data, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise MalformedQr("bad compression") from exc
    if decoder.unconsumed_tail:
        raise MalformedQr("inflates past the size limit")
    if not decoder.eof or decoder.unused_data:
        raise MalformedQr("compressed data is truncated or followed by junk")
    return out
