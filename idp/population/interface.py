"""What the rest of NIXA needs from a population registry: one match call with a clear verdict.

Two implementations: the local table loaded by ``nixa registry import`` and an HTTP connector to the
registry service. Callers never see registry data beyond the verdict: NIXA asks "does this person, as
declared, exist and live?" and keeps only the answer and its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol


class MatchStatus(StrEnum):
    MATCHED = "matched"  # ID number, name and birth date agree with an active record
    NO_RECORD = "no_record"  # no record for this ID number
    MISMATCH = "mismatch"  # a record exists, but the name or the birth date differs
    DECEASED = "deceased"  # the record says the person has died: never matches
    UNAVAILABLE = "unavailable"  # the registry could not answer now; ask again later


@dataclass(frozen=True)
class MatchResult:
    status: MatchStatus
    # Which declared field disagreed ("full_name", "birth_date") or why the registry did not answer;
    # never registry data itself.
    reason: str | None = None

    @property
    def matched(self) -> bool:
        return self.status is MatchStatus.MATCHED


@dataclass(frozen=True)
class DeclaredIdentity:
    personal_id: str
    full_name: str
    birth_date: date


class PopulationRegistry(Protocol):
    def match(self, declared: DeclaredIdentity) -> MatchResult: ...
