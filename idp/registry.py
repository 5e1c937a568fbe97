"""The population registry: import of the national CSV format (DESIGN.md) into an encrypted local table."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import BlindIndex, Sealer
from idp.models import RegistryRecord
from idp.personal_id import InvalidPersonalId, parse_personal_id

COLUMNS = [
    "personal_id",
    "full_name",
    "date_of_birth",
    "sex",
    "birth_province_code",
    "birth_province",
    "nationality",
    "status",
]


class RegistryFormatError(ValueError):
    pass


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    rejected: list[str] = field(default_factory=list)  # line numbers and reasons, never the row's data


def _row_problem(row: dict[str, str]) -> str | None:
    try:
        born = date.fromisoformat(row["date_of_birth"])
    except ValueError:
        return "date_of_birth is not YYYY-MM-DD"
    if row["sex"] not in ("M", "F"):
        return "sex must be M or F"
    if row["status"] not in ("active", "deceased"):
        return "status must be active or deceased"
    if not row["full_name"].strip():
        return "full_name is empty"
    try:
        pid = parse_personal_id(row["personal_id"], birth_date=born, sex=row["sex"])
    except InvalidPersonalId as exc:
        return exc.problem.value
    if pid.province_code != row["birth_province_code"]:
        return "birth_province_code does not match the personal ID number"
    return None


def import_csv(s: Session, path: Path, *, sealer: Sealer, index: BlindIndex, actor: str) -> ImportReport:
    report = ImportReport()
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            raise RegistryFormatError(f"expected columns {','.join(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            if problem := _row_problem(row):
                report.rejected.append(f"line {line}: {problem}")
                continue
            key = index("personal_id", row["personal_id"])
            ctx = f"registry:{key}"
            values = {
                "personal_id_enc": sealer.seal(row["personal_id"].encode(), f"{ctx}:personal_id".encode()),
                "full_name_enc": sealer.seal(row["full_name"].strip().encode(), f"{ctx}:full_name".encode()),
                "birth_date_enc": sealer.seal(row["date_of_birth"].encode(), f"{ctx}:birth_date".encode()),
                "sex_enc": sealer.seal(row["sex"].encode(), f"{ctx}:sex".encode()),
                "birth_province_code": row["birth_province_code"],
                "nationality": row["nationality"][:3],
                "status": row["status"],
            }
            existing = s.get(RegistryRecord, key)
            if existing is None:
                s.add(RegistryRecord(personal_id_index=key, **values))
                report.imported += 1
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                report.updated += 1
            if (report.imported + report.updated) % 1000 == 0:
                s.flush()
    audit.record(
        s,
        audit.AuditEvent.REGISTRY_IMPORTED,
        actor=actor,
        data={"imported": report.imported, "updated": report.updated, "rejected": len(report.rejected)},
    )
    return report
