"""Citizen identities: creation, lookup by username, and their attributes as OIDC claims."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import BlindIndex, Sealer
from idp.models import Identity, PasswordCredential
from idp.passwords import PasswordHashing
from idp.personal_id import parse_personal_id


class IdentityExists(ValueError):
    pass


@dataclass(frozen=True, repr=False)
class Person:
    """The decrypted attributes of an identity, only ever held in memory. Its repr shows no attribute: a
    person written into a log by mistake leaks nothing."""

    id: str
    personal_id: str | None
    full_name: str | None
    birth_date: str | None
    sex: str | None
    email: str | None
    email_verified: bool
    phone: str | None
    phone_verified: bool
    address: str | None
    loa: int
    locale: str

    def __repr__(self) -> str:
        return f"<Person {self.id}>"

    @property
    def family_name(self) -> str | None:
        # Vietnamese names are written family name first: "Nguyễn Đức Tài".
        return self.full_name.split()[0] if self.full_name else None

    @property
    def given_name(self) -> str | None:
        return self.full_name.split()[-1] if self.full_name else None

    @property
    def middle_name(self) -> str | None:
        parts = self.full_name.split() if self.full_name else []
        return " ".join(parts[1:-1]) or None


class PersonRecord(Protocol):
    """What ``IdentityStore.person`` and the claims read of an identity's row: an ``Identity``, or the same
    columns selected by name into another statement (UserInfo reads them joined to the token's record)."""

    @property
    def id(self) -> str: ...
    @property
    def personal_id_enc(self) -> bytes | None: ...
    @property
    def full_name_enc(self) -> bytes | None: ...
    @property
    def birth_date_enc(self) -> bytes | None: ...
    @property
    def sex_enc(self) -> bytes | None: ...
    @property
    def email_enc(self) -> bytes | None: ...
    @property
    def phone_enc(self) -> bytes | None: ...
    @property
    def address_enc(self) -> bytes | None: ...
    @property
    def email_verified(self) -> bool: ...
    @property
    def phone_verified(self) -> bool: ...
    @property
    def loa(self) -> int: ...
    @property
    def locale(self) -> str: ...
    @property
    def locked(self) -> bool: ...
    @property
    def updated_at(self) -> datetime: ...


# The column names a PersonRecord has, in order: another statement selects exactly these.
PERSON_COLUMNS = tuple(name for name, member in vars(PersonRecord).items() if isinstance(member, property))


def normalise_email(email: str) -> str:
    return email.strip().lower()


class IdentityStore:
    def __init__(self, sealer: Sealer, blind_index: BlindIndex, passwords: PasswordHashing) -> None:
        self.sealer = sealer
        self.index = blind_index
        self.passwords = passwords

    def _ctx(self, identity_id: str, field: str) -> str:
        # Bind each ciphertext to its row and column so values cannot be swapped between rows.
        return f"identity:{identity_id}:{field}"

    def create(
        self,
        s: Session,
        *,
        personal_id: str,
        password: str | None,
        full_name: str | None = None,
        birth_date: date | None = None,
        sex: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        loa: int = 1,
        actor: str = "system",
        email_verified: bool = False,
    ) -> Identity:
        pid = parse_personal_id(personal_id, birth_date=birth_date, sex=sex)
        sex = sex or pid.sex
        pid_index = self.index("personal_id", pid.value)
        email_index = self.index("email", normalise_email(email)) if email else None
        if s.scalar(select(Identity.id).where(Identity.personal_id_index == pid_index)):
            raise IdentityExists("an account already exists for this personal ID number")
        if email_index and s.scalar(select(Identity.id).where(Identity.email_index == email_index)):
            raise IdentityExists("an account already exists for this email address")
        iid = str(uuid.uuid4())
        seal = lambda field, v: self.sealer.seal_text(v, self._ctx(iid, field))  # noqa: E731
        row = Identity(
            id=iid,
            personal_id_index=pid_index,
            email_index=email_index,
            personal_id_enc=seal("personal_id", pid.value),
            full_name_enc=seal("full_name", full_name),
            birth_date_enc=seal("birth_date", birth_date.isoformat() if birth_date else None),
            sex_enc=seal("sex", sex),
            email_enc=seal("email", normalise_email(email) if email else None),
            phone_enc=seal("phone", phone),
            address_enc=seal("address", address),
            loa=loa,
            email_verified=email_verified,
        )
        s.add(row)
        if password is not None:
            s.add(PasswordCredential(identity_id=iid, password_hash=self.passwords.hash(password)))
        s.flush()
        audit.record(s, audit.AuditEvent.IDENTITY_CREATED, actor=actor, identity_id=iid, data={"loa": loa})
        return row

    def _username_key(self, username: str) -> ColumnElement[bool] | None:
        """A username is a personal ID number (12 digits) or an email address: the blind index it is
        found by, or None for anything else."""
        username = username.strip()
        if "@" in username:
            return Identity.email_index == self.index("email", normalise_email(username))
        if username.isdigit() and len(username) == 12:
            return Identity.personal_id_index == self.index("personal_id", username)
        return None

    def find_by_username(self, s: Session, username: str) -> Identity | None:
        key = self._username_key(username)
        return s.scalar(select(Identity).where(key)) if key is not None else None

    def find_with_password(
        self, s: Session, username: str
    ) -> tuple[Identity | None, PasswordCredential | None]:
        """The identity ``username`` names and its password credential (None for an account without a
        password), both as entities of ``s``, in one statement."""
        key = self._username_key(username)
        if key is None:
            return None, None
        row = s.execute(
            select(Identity, PasswordCredential)
            .outerjoin(PasswordCredential, PasswordCredential.identity_id == Identity.id)
            .where(key)
        ).first()
        return (row[0], row[1]) if row is not None else (None, None)

    def password_for_username(self, s: Session, username: str) -> tuple[str | None, str | None]:
        """The identity ``username`` names and its stored password hash, (None, None) when there is none:
        one Core statement, for the read before a login's hash (``PasswordLogin.stored_for_check``)."""
        key = self._username_key(username)
        if key is None:
            return None, None
        statement = (
            select(Identity.id, PasswordCredential.password_hash)
            .outerjoin(PasswordCredential, PasswordCredential.identity_id == Identity.id)
            .where(key)
        )
        row = s.connection().execute(statement).first()
        return (row.id, row.password_hash) if row is not None else (None, None)

    def person(self, row: PersonRecord) -> Person:
        open_ = lambda field, v: self.sealer.open_text(v, self._ctx(row.id, field))  # noqa: E731
        return Person(
            id=row.id,
            personal_id=open_("personal_id", row.personal_id_enc),
            full_name=open_("full_name", row.full_name_enc),
            birth_date=open_("birth_date", row.birth_date_enc),
            sex=open_("sex", row.sex_enc),
            email=open_("email", row.email_enc),
            email_verified=row.email_verified,
            phone=open_("phone", row.phone_enc),
            phone_verified=row.phone_verified,
            address=open_("address", row.address_enc),
            loa=row.loa,
            locale=row.locale,
        )
