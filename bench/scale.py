"""Scale step: login and lookup latency with 10,000 and with a million identities in PostgreSQL, and
what 100,000 active sessions cost.

Not a test: it takes minutes. The extra identities are bulk-loaded (``bench.citizens``: rows built in a
process pool, COPY, one argon2 hash reused), then the same measurements run again against the same
server. Latencies are taken one request at a time, so they show the database's cost and not queueing,
alternating between the two servers request by request, so that both see the same moments of a shared
machine.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import citizens, flows, load, nixa_target
from bench.flows import Browser, Endpoints, Holder
from idp.config import Settings
from idp.crypto import sha256_hex
from idp.platform import Platform

BASE_PEOPLE = 10_000


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "n": len(ordered),
    }


# One side of the comparison: its server, its database, the citizens picked and the population size.
Side = tuple[nixa_target.Target, Platform, list[int], int]


async def _paired_latencies(sides: tuple[Side, Side], logins: int, userinfos: int) -> list[dict[str, Any]]:
    """Login and userinfo latency of both servers, one request at a time, alternating between them
    request by request (and which goes first): both sides see the same moments of this shared machine."""
    async with load.session(1) as http:
        browsers = []
        for t, _db, chosen, _people in sides:
            ep = await Endpoints.discover(http, t.issuer)
            browsers.append(Browser(t, ep, itertools.cycle([citizens.personal_id(n) for n in chosen])))
        login_ms: list[list[float]] = [[], []]
        tokens: list[dict[str, Any]] = [{}, {}]
        for i in range(logins):
            for side in (0, 1) if i % 2 == 0 else (1, 0):
                started = time.perf_counter()
                tokens[side] = await flows.password_login(http, browsers[side])
                login_ms[side].append(1000 * (time.perf_counter() - started))
        holders = [
            Holder(sides[k][0], browsers[k].endpoints, tokens[k]["access_token"], tokens[k]["refresh_token"])
            for k in (0, 1)
        ]
        userinfo_ms: list[list[float]] = [[], []]
        for i in range(userinfos):
            for side in (0, 1) if i % 2 == 0 else (1, 0):
                started = time.perf_counter()
                await flows.userinfo(http, holders[side])
                userinfo_ms[side].append(1000 * (time.perf_counter() - started))
    return [{"login": _ms(login_ms[k]), "userinfo": _ms(userinfo_ms[k])} for k in (0, 1)]


def _paired_lookups(sides: tuple[Side, Side], n: int) -> list[dict[str, Any]]:
    """The identity lookup by personal ID number alone (blind index), in this process, alternating."""
    samples: list[list[float]] = [[], []]
    stores = [nixa_target.IdentityStore(db.sealer, db.blind_index, db.passwords) for _t, db, _c, _p in sides]
    with sides[0][1].db.read_session() as first, sides[1][1].db.read_session() as second:
        sessions = (first, second)
        for i in range(n):
            for side in (0, 1) if i % 2 == 0 else (1, 0):
                pid = citizens.personal_id(random.randrange(sides[side][3]))
                started = time.perf_counter()
                found = stores[side].find_by_username(sessions[side], pid)
                samples[side].append(1000 * (time.perf_counter() - started))
                assert found is not None
                sessions[side].expunge_all()
    return [_ms(samples[k]) for k in (0, 1)]


def _sessions_cost(platform: Platform, n: int = 100_000) -> dict[str, Any]:
    """Sessions live in the database: the size of n active session rows with their indexes."""

    def size() -> int:
        with platform.db.engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_total_relation_size('sso_sessions')")).scalar() or 0)

    before, now = size(), datetime.now(UTC)
    raw = platform.db.engine.raw_connection()
    try:
        cur = raw.cursor()
        columns = "sid, cookie_hash, identity_id, auth_time, acr, amr, created_at, expires_at, ip, user_agent"
        with cur.copy(f"COPY sso_sessions ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for i in range(n):
                copy.write_row(
                    [
                        secrets.token_urlsafe(16),
                        sha256_hex(secrets.token_urlsafe(32)),
                        citizens.identity_id(i % BASE_PEOPLE),
                        now,
                        "urn:nixa:loa:2",
                        '["pwd"]',
                        now,
                        now + timedelta(hours=12),
                        "203.113.0.1",
                        "Mozilla/5.0 (bench)",
                    ]
                )
        raw.commit()
    finally:
        raw.close()
    return {"sessions": n, "database_mib": round((size() - before) / 2**20, 1), "worker_memory": "none"}


def _platform(target: nixa_target.Target, url: str, workdir: Path) -> Platform:
    env = nixa_target.settings_env(workdir, 0, url, None)
    return Platform(Settings(**{k.removeprefix("NIXA_").lower(): v for k, v in env.items()}))  # type: ignore[arg-type]


def _round(sides: tuple[Side, Side], part: slice) -> list[dict[str, Any]]:
    (t0, db0, chosen0, n0), (t1, db1, chosen1, n1) = sides
    picked: tuple[Side, Side] = ((t0, db0, chosen0[part], n0), (t1, db1, chosen1[part], n1))
    timed = asyncio.run(_paired_latencies(picked, 20, 100))
    lookups = _paired_lookups(picked, 500)
    return [{**timed[k], "lookup": lookups[k]} for k in (0, 1)]


def _merge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over rounds of each figure: a burst of load from elsewhere on the machine hits one round."""
    return {
        kind: {
            stat: round(statistics.median(r[kind][stat] for r in rounds), 2) for stat in ("p50_ms", "p99_ms")
        }
        for kind in rounds[0]
    }


def compare(workdir: Path, postgres: str, people: int, rounds: int = 5) -> dict[str, Any]:
    """Two servers, one over 10,000 identities and one over ``people``, measured side by side, ``rounds``
    times (each round its own citizens)."""
    out: dict[str, Any] = {}
    small_url = nixa_target.pg_schema_url(postgres, "bench_scale_small")
    big_url = nixa_target.pg_schema_url(postgres, "bench_scale_big")
    (workdir / "small").mkdir(parents=True)
    (workdir / "big").mkdir(parents=True)
    started = time.monotonic()
    with (
        nixa_target.run(
            workdir / "big", database_url=big_url, people=people, consented=0, label="NIXA 1M"
        ) as big,
    ):
        out["bulk_load"] = {
            "rows": people,
            "seconds": round(time.monotonic() - started, 1),
            "rows_per_second": round(people / (time.monotonic() - started)),
        }
        with nixa_target.run(
            workdir / "small", database_url=small_url, people=BASE_PEOPLE, label="NIXA 10k"
        ) as small:
            small_db, big_db = (
                _platform(small, small_url, workdir / "small"),
                _platform(big, big_url, workdir / "big"),
            )
            try:
                # As after any bulk import: VACUUM sets the visibility map and hint bits and ANALYZE the
                # statistics now, rather than autovacuum doing it (on these same two cores) mid-measurement.
                with big_db.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    for table in ("identities", "password_credentials"):
                        conn.execute(text(f"VACUUM (ANALYZE) {table}"))
                # Citizens picked across the whole table, so the index is walked, not one cached page.
                chosen_big = random.sample(range(people), 20 * rounds)
                citizens.consent_for(big_db.db, big.client_id, chosen_big)
                chosen_small = random.sample(range(BASE_PEOPLE), 20 * rounds)
                sides: tuple[Side, Side] = (
                    (small, small_db, chosen_small, BASE_PEOPLE),
                    (big, big_db, chosen_big, people),
                )
                _round(sides, slice(0, 5))  # warm both servers up
                measured: dict[str, list[dict[str, Any]]] = {"small": [], "big": []}
                for i in range(rounds):
                    small_round, big_round = _round(sides, slice(20 * i, 20 * (i + 1)))
                    measured["small"].append(small_round)
                    measured["big"].append(big_round)
                out[f"{BASE_PEOPLE}"] = _merge(measured["small"])
                out[f"{people}"] = _merge(measured["big"])
                assert big.server is not None
                rss_before = big.server.rss_per_worker()
                out["sessions_100k"] = _sessions_cost(big_db)
                out["sessions_100k"]["worker_rss_mib"] = {
                    "before": [round(r / 2**20, 1) for r in rss_before],
                    "after": [round(r / 2**20, 1) for r in big.server.rss_per_worker()],
                }
            finally:
                small_db.close()
                big_db.close()
    base, large = out[f"{BASE_PEOPLE}"], out[f"{people}"]
    out["change_p50"] = {
        k: f"{100 * (large[k]['p50_ms'] / base[k]['p50_ms'] - 1):+.1f}%"
        for k in ("login", "userinfo", "lookup")
    }
    return out
