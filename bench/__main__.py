"""``python -m bench [--quick] [--json]``: measure NIXA and node oidc-provider side by side.

Run from the repository root with the project's virtual environment. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import argon, nixa_target, peer_target, procs, report, scale
from bench.load import FlowResult
from bench.run import Plan, measure_sync

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="short runs, SQLite only: within two minutes")
    p.add_argument("--json", action="store_true", help="print one JSON object keyed by flow")
    p.add_argument(
        "--postgres",
        default=os.environ.get("NIXA_BENCH_POSTGRES", DEFAULT_PG),
        help="PostgreSQL URL for the PostgreSQL runs ('' to skip them)",
    )
    p.add_argument(
        "--redis",
        default=os.environ.get("NIXA_BENCH_REDIS"),
        help="Redis URL for the multi-process run (default: a redis-server started for the run)",
    )
    p.add_argument("--workers", type=int, default=2, help="worker processes in the multi-process run")
    p.add_argument("--no-peer", action="store_true", help="skip node oidc-provider")
    p.add_argument(
        "--peer-store",
        choices=("sqlite", "memory", "both"),
        default=None,
        help="where the peer keeps its state: SQLite like NIXA (the ratios), in memory (a reference), or "
        "both (default: both, sqlite with --quick)",
    )
    p.add_argument(
        "--scale",
        type=int,
        default=None,
        help="identities in PostgreSQL compared with 10,000 (default 1,000,000; 0 skips; not with --quick)",
    )
    p.add_argument("--duration", type=float, default=None, help="seconds measured per flow")
    return p.parse_args()


def main() -> None:
    args = _parse()
    pinning = procs.pin_loadgen()
    # --quick must finish within two minutes even on a busy machine: shorter runs, fewer portals.
    plan = (
        Plan(duration=args.duration or 2.5, warmup=1.0, api_users=16)
        if args.quick
        else Plan(duration=args.duration or 10.0, warmup=2.0)
    )
    people = 200 if args.quick else 2000

    def log(*a):
        return print(*a, file=sys.stderr, flush=True)

    runs: dict[str, dict[str, FlowResult]] = {}
    memory: dict[str, Any] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nixa-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        if not args.quick and args.postgres and not args.redis:
            args.redis = stack.enter_context(procs.redis_server(work / "redis"))
        configs: list[tuple[str, str, int, str | None]] = [
            ("NIXA sqlite", f"sqlite:///{work / 'sqlite' / 'nixa.db'}", 1, None)
        ]
        if args.postgres and not args.quick:
            configs.append(
                ("NIXA postgres", nixa_target.pg_schema_url(args.postgres, "bench_single"), 1, None)
            )
            configs.append(
                (
                    f"NIXA postgres x{args.workers}+redis",
                    nixa_target.pg_schema_url(args.postgres, "bench_multi"),
                    args.workers,
                    args.redis or None,
                )
            )
        for label, url, workers, redis_url in configs:
            d = work / label.replace(" ", "_")
            (d / "sqlite").mkdir(parents=True, exist_ok=True)
            if url.startswith("sqlite"):
                url = f"sqlite:///{d / 'sqlite' / 'nixa.db'}"
            log(f"[bench] {label}: seeding {people} citizens and starting ({workers} worker(s))")
            mem: dict[str, Any] = {}
            with nixa_target.run(
                d, database_url=url, people=people, workers=workers, redis_url=redis_url, label=label
            ) as target:
                runs[label] = measure_sync(target, plan, mem)
            memory[label] = mem
        peer = None
        stores = args.peer_store or ("sqlite" if args.quick else "both")
        for store in () if args.no_peer else ("sqlite", "memory") if stores == "both" else (stores,):
            log(f"[bench] node oidc-provider ({store}): starting")
            with peer_target.run(work / f"peer-{store}", people=people, store=store) as target:
                runs[target.name] = measure_sync(target, plan, memory.setdefault(target.name, {}))
                # The ratios are against the peer that stores what NIXA stores, where it does.
                peer = peer or target.name
        log("[bench] argon2id alone")
        ceiling = argon.measure(1.0 if args.quick else 3.0)
        people_at_scale = (
            0 if args.quick or not args.postgres else 1_000_000 if args.scale is None else args.scale
        )
        if people_at_scale:
            log(f"[bench] scale: {people_at_scale:,} identities in PostgreSQL against 10,000")
        scaled = scale.compare(work / "scale", args.postgres, people_at_scale) if people_at_scale else None
    extra: dict[str, Any] = {
        "argon2": ceiling,
        "memory": memory,
        "scale": scaled,
        "machine": {"cpus": os.cpu_count(), "pinning": pinning, "load_generator": "aiohttp (asyncio)"},
        "commit": _commit(),
        "seconds": round(time.monotonic() - started, 1),
    }
    primary = next(iter(runs))
    data = report.as_json(runs, primary, peer, extra)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(
        f"NIXA benchmark, commit {extra['commit']}, {pinning}; load generator: aiohttp (asyncio, keep-alive)"
    )
    print(
        f"{plan.duration:g} s per flow after {plan.warmup:g} s warm-up; {plan.login_users} browsers for "
        f"logins, {plan.api_users} portals for the API flows; argon2id at 7 MiB t=5 in the login flows\n"
    )
    print(report.table(runs, peer))
    print("argon2id alone, one core:")
    for name, a in ceiling.items():
        print(
            f"  {name:<20} {a['ms_per_hash']:>7.2f} ms/hash  {a['per_core']:>7.1f} hashes/s per core"
            f" ({a['implementation']}; argon2-cffi {a['argon2_cffi_per_core']:.1f})"
        )
    login = data.get("password_login", {}).get("nixa_per_core") or 0
    keycloak = ceiling["keycloak_7MiB_t5"]["per_core"]
    print(f"  NIXA logins per core / argon2 ceiling: {login / keycloak:.0%}")
    print("memory (RSS MiB per worker):", json.dumps(memory, ensure_ascii=False))
    if scaled:
        print("scale:", json.dumps(scaled, ensure_ascii=False, indent=2))
    print(f"\ntook {extra['seconds']} s")


if __name__ == "__main__":
    main()
