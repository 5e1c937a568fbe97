"""The local registry: the ``registry_records`` table loaded by ``nixa registry import``.

Lookup is by blind index of the personal ID number, so only the one row for that number is ever
decrypted, and only its name and birth date.
"""

from __future__ import annotations

from datetime import date

from idp.crypto import BlindIndex, Sealer
from idp.db import Database
from idp.models import RegistryRecord
from idp.population.interface import DeclaredIdentity, MatchResult, MatchStatus
from idp.population.names import normalise_name


class LocalRegistry:
    def __init__(self, db: Database, sealer: Sealer, index: BlindIndex) -> None:
        self.db = db
        self.sealer = sealer
        self.index = index

    def match(self, declared: DeclaredIdentity) -> MatchResult:
        key = self.index("personal_id", declared.personal_id)
        # A read session: signup may call this inside its own unit of work.
        with self.db.read_session() as s:
            record = s.get(RegistryRecord, key)
            if record is None:
                return MatchResult(MatchStatus.NO_RECORD)
            return self._compare(record, declared)

    def _compare(self, record: RegistryRecord, declared: DeclaredIdentity) -> MatchResult:
        # Contexts as sealed by idp.registry.import_csv: bound to the row's index and the column.
        ctx = f"registry:{record.personal_id_index}"
        name = self.sealer.open(record.full_name_enc, f"{ctx}:full_name".encode()).decode()
        born = date.fromisoformat(
            self.sealer.open(record.birth_date_enc, f"{ctx}:birth_date".encode()).decode()
        )
        return verdict(
            name_agrees=normalise_name(name) == normalise_name(declared.full_name),
            birth_date_agrees=born == declared.birth_date,
            deceased=record.status == "deceased",
        )


def verdict(*, name_agrees: bool, birth_date_agrees: bool, deceased: bool) -> MatchResult:
    """The matching rule shared by every implementation (the test registry service uses it too).

    Disagreement is reported before death so that someone holding only an ID number cannot learn from
    NIXA that its owner has died; a deceased record never matches either way.
    """
    differing = [f for f, ok in (("full_name", name_agrees), ("birth_date", birth_date_agrees)) if not ok]
    if differing:
        return MatchResult(MatchStatus.MISMATCH, ",".join(differing))
    if deceased:
        return MatchResult(MatchStatus.DECEASED)
    return MatchResult(MatchStatus.MATCHED)
