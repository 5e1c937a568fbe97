"""MOSIP Claim 169 ("identity-data", CWT claim key 169): the identity attributes under numeric keys.

Attribute numbers from the Claim 169 QR code specification, Section 3: 1 ID, 2 version, 3 language,
4 full name, 8 date of birth (YYYYMMDD), 9 gender (1 male, 2 female, 3 other), 10 address, 13 nationality,
16 photo, 17 photo format (1 JPEG, 2 JPEG2000, 3 AVIF, 4 WebP). Every attribute is optional in the spec;
NIXA always writes the ID, the full name and the date of birth and refuses a code without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CLAIM_169 = 169
ID, VERSION, LANGUAGE, FULL_NAME, DATE_OF_BIRTH, GENDER, ADDRESS, NATIONALITY = 1, 2, 3, 4, 8, 9, 10, 13
PHOTO, PHOTO_FORMAT = 16, 17
DATA_VERSION = "1.0"
_GENDER_CODES = {"M": 1, "F": 2}
_GENDER_LETTERS = {1: "M", 2: "F", 3: "X"}
_TEXT_KEYS = {
    ID: 12,
    VERSION: 10,
    LANGUAGE: 3,
    FULL_NAME: 200,
    DATE_OF_BIRTH: 8,
    ADDRESS: 400,
    NATIONALITY: 3,
}
MAX_PHOTO_BYTES = 2048


class InvalidIdentityData(ValueError):
    pass


@dataclass(frozen=True)
class IdentityData:
    personal_id: str
    full_name: str
    birth_date: str  # ISO 8601, YYYY-MM-DD
    sex: str | None = None  # M, F or X
    address: str | None = None
    nationality: str | None = None  # ISO 3166 alpha-2 or alpha-3, as the registry has it
    photo: bytes | None = None
    photo_format: int | None = None

    def to_claim(self) -> dict[int, Any]:
        claim: dict[int, Any] = {
            ID: self.personal_id,
            VERSION: DATA_VERSION,
            LANGUAGE: "vie",
            FULL_NAME: self.full_name,
            DATE_OF_BIRTH: self.birth_date.replace("-", ""),
        }
        if self.sex in _GENDER_CODES:
            claim[GENDER] = _GENDER_CODES[self.sex]
        if self.address:
            claim[ADDRESS] = self.address
        if self.nationality:
            claim[NATIONALITY] = self.nationality
        if self.photo:
            claim[PHOTO], claim[PHOTO_FORMAT] = self.photo, self.photo_format or 1
        return claim


def _text(claim: Mapping[Any, Any], key: int, *, required: bool = False) -> str | None:
    value = claim.get(key)
    if value is None:
        if required:
            raise InvalidIdentityData(f"Claim 169 attribute {key} is missing")
        return None
    if not isinstance(value, str) or not value or len(value) > _TEXT_KEYS[key]:
        raise InvalidIdentityData(f"Claim 169 attribute {key} must be a short text")
    return value


def parse_claim(claim: Any) -> IdentityData:
    """Read a Claim 169 map strictly: known attributes must have their specified types."""
    if not isinstance(claim, Mapping) or not all(isinstance(k, int) for k in claim):
        raise InvalidIdentityData("Claim 169 must be a map with integer keys")
    personal_id = _text(claim, ID, required=True)
    dob = _text(claim, DATE_OF_BIRTH, required=True)
    assert personal_id is not None and dob is not None
    if not re.fullmatch(r"\d{8}", dob):
        raise InvalidIdentityData("date of birth must be YYYYMMDD")
    gender = claim.get(GENDER)
    if gender is not None and gender not in _GENDER_LETTERS:
        raise InvalidIdentityData("gender must be 1, 2 or 3")
    photo = claim.get(PHOTO)
    if photo is not None and (not isinstance(photo, bytes) or len(photo) > MAX_PHOTO_BYTES):
        raise InvalidIdentityData("photo must be a small byte string")
    photo_format = claim.get(PHOTO_FORMAT)
    if photo_format is not None and photo_format not in (1, 2, 3, 4):
        raise InvalidIdentityData("unknown photo format")
    return IdentityData(
        personal_id=personal_id,
        full_name=_text(claim, FULL_NAME, required=True) or "",
        birth_date=f"{dob[:4]}-{dob[4:6]}-{dob[6:]}",
        sex=_GENDER_LETTERS.get(gender) if gender is not None else None,
        address=_text(claim, ADDRESS),
        nationality=_text(claim, NATIONALITY),
        photo=photo,
        photo_format=photo_format,
    )
