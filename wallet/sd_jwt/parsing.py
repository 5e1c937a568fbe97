"""The compact serialisation, RFC 9901 Section 4: ``<Issuer-signed JWT>~<D1>~...~<Dn>~[<KB-JWT>]``."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.sd_jwt.disclosures import Disclosure, parse_disclosure
from wallet.sd_jwt.errors import SdJwtError

# An SD-JWT VC with a portrait stays well below this; anything larger is refused before parsing.
MAX_LENGTH = 256 * 1024


@dataclass(frozen=True)
class SdJwtParts:
    issuer_jwt: str
    disclosures: list[Disclosure]
    kb_jwt: str | None

    @property
    def without_kb(self) -> str:
        """The SD-JWT as presented, up to and including the last ``~`` (the input of ``sd_hash``)."""
        return "~".join([self.issuer_jwt, *(d.encoded for d in self.disclosures)]) + "~"


def split(serialised: str) -> SdJwtParts:
    if not isinstance(serialised, str) or len(serialised) > MAX_LENGTH:
        raise SdJwtError("malformed", "the SD-JWT is missing or too large")
    parts = serialised.split("~")
    if len(parts) < 2:
        raise SdJwtError("malformed", "an SD-JWT has at least one '~' separator")
    issuer_jwt, middle, last = parts[0], parts[1:-1], parts[-1]
    if issuer_jwt.count(".") != 2:
        raise SdJwtError("malformed", "the issuer-signed part is not a compact JWS")
    if any(not p for p in middle):
        raise SdJwtError("malformed", "empty disclosure")
    if last and last.count(".") != 2:
        raise SdJwtError("malformed", "the key binding JWT is not a compact JWS")
    return SdJwtParts(issuer_jwt, [parse_disclosure(p) for p in middle], last or None)
