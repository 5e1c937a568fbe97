"""Synthetic citizens for the benchmarks, written in bulk.

Rows are built the way ``IdentityStore.create`` builds them (sealed attributes bound to their row and
column, blind indexes), but with one argon2 hash computed once and reused: hashing a million passwords
at 7 MiB t=5 would take hours and measures nothing. Building rows (AES-GCM, HMAC) runs in a process pool;
PostgreSQL receives them by COPY, SQLite by executemany.
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from idp.crypto import BlindIndex, Sealer
from idp.db import Database
from idp.models import Client, Consent, Identity, PasswordCredential
from idp.oauth.claims import requested_claim_names

PASSWORD = "Bench-Mật-khẩu-2026"
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thị Em")
CONSENTED_SCOPES = ["offline_access", "profile"]
IDENTITY_COLUMNS = (
    "id",
    "personal_id_index",
    "personal_id_enc",
    "full_name_enc",
    "birth_date_enc",
    "sex_enc",
    "email_verified",
    "phone_verified",
    "loa",
    "locale",
    "locked",
    "created_at",
    "updated_at",
)


def personal_id(n: int) -> str:
    """The n-th synthetic ID number: province 001, male born 1900s, year 40..99, serial."""
    return f"0010{40 + n // 1_000_000:02d}{n % 1_000_000:06d}"


def identity_id(n: int) -> str:
    return str(uuid.UUID(int=n + 1))  # stable ids so a later step finds the same people


def _row(n: int, sealer: Sealer, index: BlindIndex, now: datetime) -> dict[str, Any]:
    iid = identity_id(n)
    pid = personal_id(n)

    def seal(field: str, value: str) -> bytes:
        return sealer.seal(value.encode(), f"identity:{iid}:{field}".encode())

    return {
        "id": iid,
        "personal_id_index": index("personal_id", pid),
        "personal_id_enc": seal("personal_id", pid),
        "full_name_enc": seal("full_name", NAMES[n % len(NAMES)]),
        "birth_date_enc": seal("birth_date", f"19{40 + n // 1_000_000:02d}-01-01"),
        "sex_enc": seal("sex", "M"),
        "email_verified": False,
        "phone_verified": False,
        "loa": 2,
        "locale": "vi",
        "locked": False,
        "created_at": now,
        "updated_at": now,
    }


_worker: tuple[Sealer, BlindIndex] | None = None


def _init(kek: list[bytes], blind: bytes) -> None:
    global _worker
    _worker = (Sealer(kek), BlindIndex(blind))


def _chunk(bounds: tuple[int, int]) -> list[dict[str, Any]]:
    assert _worker is not None
    now = datetime.now(UTC)
    return [_row(n, *_worker, now) for n in range(*bounds)]


def rows(
    start: int, stop: int, kek: list[bytes], blind: bytes, chunk: int = 5000
) -> Iterator[list[dict[str, Any]]]:
    bounds = [(a, min(a + chunk, stop)) for a in range(start, stop, chunk)]
    if len(bounds) <= 2:
        _init(kek, blind)
        yield from map(_chunk, bounds)
        return
    with multiprocessing.get_context("fork").Pool(2, _init, (kek, blind)) as pool:
        yield from pool.imap(_chunk, bounds)


def load(db: Database, start: int, stop: int, *, kek: list[bytes], blind: bytes, password_hash: str) -> None:
    """Insert citizens ``start``..``stop``-1 with the same precomputed password hash."""
    for batch in rows(start, stop, kek, blind):
        creds = [{"identity_id": r["id"], "password_hash": password_hash} for r in batch]
        if db.is_postgres:
            _copy(db, batch, creds)
        else:
            with db.session() as s:
                s.execute(insert(Identity), batch)
                s.execute(insert(PasswordCredential), creds)


def _copy(db: Database, batch: list[dict[str, Any]], creds: list[dict[str, Any]]) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY identities ({', '.join(IDENTITY_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for r in batch:
                copy.write_row([r[c] for c in IDENTITY_COLUMNS])
        now = datetime.now(UTC)
        with cur.copy(
            "COPY password_credentials (identity_id, password_hash, updated_at) FROM STDIN"
        ) as copy:  # type: ignore[attr-defined]
            for c in creds:
                copy.write_row([c["identity_id"], c["password_hash"], now])
        raw.commit()
    finally:
        raw.close()


def consent_all(db: Database, client_id: str, first: int, count: int) -> None:
    """Pre-approved consent for ``count`` citizens, so a login goes straight to the code (as for a portal
    the person already uses)."""
    consent_for(db, client_id, range(first, first + count))


def consent_for(db: Database, client_id: str, people: Iterable[int]) -> None:
    claims = requested_claim_names(["openid", *CONSENTED_SCOPES], {})
    now = datetime.now(UTC)
    people = list(people)
    if not people:
        return  # an empty executemany would insert one row of defaults
    with db.session() as s:
        assert s.get(Client, client_id) is not None
        s.execute(
            insert(Consent),
            [
                {
                    "identity_id": identity_id(n),
                    "client_id": client_id,
                    "scopes": CONSENTED_SCOPES,
                    "claims": claims,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in people
            ],
        )


def count(db: Database) -> int:
    from sqlalchemy import func

    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(Identity)) or 0)
