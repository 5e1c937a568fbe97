"""Scale step: login and lookup latency with 10,000 and with a million identities in PostgreSQL, and
what 100,000 active sessions cost.

Not a test: it takes minutes. The extra identities are bulk-loaded (``bench.citizens``: rows built in a
process pool, COPY, one argon2 hash reused), then the same measurements run again against the same
server. Latencies are taken one request at a time, so they show the database's cost and not queueing.
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


async def _latencies(t: nixa_target.Target, chosen: list[int], logins: int, lookups: int) -> dict[str, Any]:
    async with load.session(1) as http:
        ep = await Endpoints.discover(http, t.issuer)
        picks = [citizens.personal_id(n) for n in chosen]
        browser = Browser(t, ep, itertools.cycle(picks))
        login_ms, tokens = [], {}
        for _ in range(logins):
            started = time.perf_counter()
            tokens = await flows.password_login(http, browser)
            login_ms.append(1000 * (time.perf_counter() - started))
        holder = Holder(t, ep, tokens["access_token"], tokens["refresh_token"])
        userinfo_ms = []
        for _ in range(lookups):
            started = time.perf_counter()
            await flows.userinfo(http, holder)
            userinfo_ms.append(1000 * (time.perf_counter() - started))
    return {"login": _ms(login_ms), "userinfo": _ms(userinfo_ms)}


def _lookup_latency(platform: Platform, people: int, n: int) -> dict[str, float]:
    """The identity lookup by personal ID number alone (blind index), in this process."""
    samples = []
    store = nixa_target.IdentityStore(platform.sealer, platform.blind_index, platform.passwords)
    with platform.db.read_session() as s:
        for _ in range(n):
            pid = citizens.personal_id(random.randrange(people))
            started = time.perf_counter()
            found = store.find_by_username(s, pid)
            samples.append(1000 * (time.perf_counter() - started))
            assert found is not None
            s.expunge_all()
    return _ms(samples)


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


def _round(target: nixa_target.Target, platform: Platform, chosen: list[int], people: int) -> dict[str, Any]:
    return {
        **asyncio.run(_latencies(target, chosen, 20, 100)),
        "lookup": _lookup_latency(platform, people, 500),
    }


def _merge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over rounds of each figure: a burst of load from elsewhere on the machine hits one round."""
    return {
        kind: {
            stat: round(statistics.median(r[kind][stat] for r in rounds), 2) for stat in ("p50_ms", "p99_ms")
        }
        for kind in rounds[0]
    }


def compare(workdir: Path, postgres: str, people: int, rounds: int = 5) -> dict[str, Any]:
    """Two servers, one over 10,000 identities and one over ``people``, measured in turn, ``rounds`` times."""
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
                with big_db.db.engine.begin() as conn:
                    conn.execute(text("ANALYZE identities"))
                    conn.execute(text("ANALYZE password_credentials"))
                # Citizens picked across the whole table, so the index is walked, not one cached page.
                chosen_big = random.sample(range(people), 20 * rounds)
                citizens.consent_for(big_db.db, big.client_id, chosen_big)
                chosen_small = random.sample(range(BASE_PEOPLE), 20 * rounds)
                asyncio.run(_latencies(small, chosen_small[:5], 5, 20))  # warm both servers up
                asyncio.run(_latencies(big, chosen_big[:5], 5, 20))
                measured: dict[str, list[dict[str, Any]]] = {"small": [], "big": []}
                for i in range(rounds):
                    part = slice(20 * i, 20 * (i + 1))
                    measured["small"].append(_round(small, small_db, chosen_small[part], BASE_PEOPLE))
                    measured["big"].append(_round(big, big_db, chosen_big[part], people))
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
