"""The 12-digit personal ID number (số định danh cá nhân), Circular 59/2021/TT-BCA Article 7.

Layout: province code of birth registration (3) + gender/century digit (1) + last two digits of the
birth year (2) + serial (6). Each kind of mistake has its own error code so pages can explain it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Gender/century digit: 0/1 male/female born 1900-1999, 2/3 2000-2099, 4/5 2100-2199.
_CENTURY = {0: (1900, "M"), 1: (1900, "F"), 2: (2000, "M"), 3: (2000, "F"), 4: (2100, "M"), 5: (2100, "F")}


class PersonalIdProblem(StrEnum):
    NOT_12_DIGITS = "personal_id.not_12_digits"
    UNKNOWN_PROVINCE = "personal_id.unknown_province"
    BAD_CENTURY_DIGIT = "personal_id.bad_century_digit"
    BIRTH_YEAR_MISMATCH = "personal_id.birth_year_mismatch"
    SEX_MISMATCH = "personal_id.sex_mismatch"
    IN_FUTURE = "personal_id.in_future"


class InvalidPersonalId(ValueError):
    def __init__(self, problem: PersonalIdProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class PersonalId:
    value: str
    province_code: str
    birth_year: int
    sex: str

    @property
    def province(self) -> str:
        return PROVINCES[self.province_code]


def parse_personal_id(
    raw: str, *, birth_date: date | None = None, sex: str | None = None, today: date | None = None
) -> PersonalId:
    """Validate the layout and, when given, its consistency with the declared birth date and sex."""
    value = raw.strip()
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise InvalidPersonalId(PersonalIdProblem.NOT_12_DIGITS)
    if value[:3] not in PROVINCES:
        raise InvalidPersonalId(PersonalIdProblem.UNKNOWN_PROVINCE)
    digit = int(value[3])
    if digit not in _CENTURY:
        raise InvalidPersonalId(PersonalIdProblem.BAD_CENTURY_DIGIT)
    century, id_sex = _CENTURY[digit]
    year = century + int(value[4:6])
    if year > (today or date.today()).year:
        raise InvalidPersonalId(PersonalIdProblem.IN_FUTURE)
    if birth_date is not None and birth_date.year != year:
        raise InvalidPersonalId(PersonalIdProblem.BIRTH_YEAR_MISMATCH)
    if sex is not None and sex != id_sex:
        raise InvalidPersonalId(PersonalIdProblem.SEX_MISMATCH)
    return PersonalId(value=value, province_code=value[:3], birth_year=year, sex=id_sex)
