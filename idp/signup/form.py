"""The signup form: every field checked on its own, each mistake named by a message key for its field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from idp.identities import normalise_email
from idp.passwords import MAX_LENGTH, MIN_LENGTH
from idp.personal_id import InvalidPersonalId, PersonalIdProblem, parse_personal_id

# Fields echoed back into the form after a mistake; passwords never are.
KEPT_FIELDS = ("personal_id", "full_name", "birth_date", "sex", "email", "phone")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Vietnamese mobile numbers: 0 or +84, then 9 digits.
_PHONE = re.compile(r"^(?:\+84|0)([35789]\d{8})$")


@dataclass(frozen=True)
class SignupForm:
    personal_id: str
    full_name: str
    birth_date: date
    sex: str
    email: str | None
    phone: str | None
    password: str


def normalise_phone(raw: str) -> str | None:
    """E.164 (+84...) for a Vietnamese mobile number, or None if it is not one."""
    match = _PHONE.match(re.sub(r"[\s.\-()]", "", raw))
    return f"+84{match.group(1)}" if match else None


def parse_signup(
    fields: dict[str, str], today: date | None = None
) -> tuple[SignupForm | None, dict[str, str]]:
    """The form if every field is acceptable, else the message key of each mistake by field."""
    errors: dict[str, str] = {}
    name = " ".join(fields.get("full_name", "").split())
    if not 2 <= len(name) <= 200:
        errors["full_name"] = "signup.error.full_name"
    sex = fields.get("sex", "")
    if sex not in ("M", "F"):
        errors["sex"] = "signup.error.sex"
    birth = _birth_date(fields.get("birth_date", ""), today or date.today(), errors)
    if problem := _personal_id_problem(
        fields.get("personal_id", ""), birth, sex if sex in ("M", "F") else None
    ):
        errors["personal_id"] = problem
    email, phone = _contacts(fields, errors)
    errors.update(check_new_password(fields.get("password", ""), fields.get("password_confirm", "")))
    if errors or birth is None:
        return None, errors
    return (
        SignupForm(fields["personal_id"].strip(), name, birth, sex, email, phone, fields["password"]),
        errors,
    )


def _birth_date(raw: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors["birth_date"] = "signup.error.birth_date"
        return None
    if value > today or value.year < 1900:
        errors["birth_date"] = "signup.error.birth_date"
        return None
    return value


def _personal_id_problem(raw: str, birth: date | None, sex: str | None) -> str | None:
    try:
        parse_personal_id(raw, birth_date=birth, sex=sex)
    except InvalidPersonalId as exc:
        return _PROBLEM_KEYS[exc.problem]
    return None


_PROBLEM_KEYS = {problem: f"signup.error.{problem.value}" for problem in PersonalIdProblem}


def _contacts(fields: dict[str, str], errors: dict[str, str]) -> tuple[str | None, str | None]:
    raw_email, raw_phone = fields.get("email", "").strip(), fields.get("phone", "").strip()
    email = normalise_email(raw_email) if raw_email else None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        errors["email"] = "signup.error.email"
    phone = normalise_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        errors["phone"] = "signup.error.phone"
    if not raw_email and not raw_phone:
        errors["email"] = "signup.error.contact_required"
    return email, phone


def check_new_password(password: str, confirm: str) -> dict[str, str]:
    """The same length rules as idp.passwords, as page messages; empty when the password is acceptable."""
    errors: dict[str, str] = {}
    if len(password) < MIN_LENGTH:
        errors["password"] = "signup.error.password_short"
    elif len(password) > MAX_LENGTH:
        errors["password"] = "signup.error.password_long"
    elif password != confirm:
        errors["password_confirm"] = "signup.error.password_confirm"
    return errors
