"""``python -m bench.profile FLOW``: sample NIXA with py-spy while one flow runs; print the hot spots.

py-spy samples the server process from outside (no instrumentation, so the figures are not distorted);
the collapsed stacks are summed per function, inclusive, and the top entries in NIXA's and its libraries'
code are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import nixa_target, procs
from bench.run import Plan, measure


def hot_spots(collapsed: Path, top: int) -> list[tuple[float, str]]:
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        seen = set()
        for frame in stack.split(";"):
            name = frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].split("/")[-1]
            if name not in seen:
                inclusive[name] += n
                seen.add(name)
    return [(100 * n / total, f) for f, n in inclusive.most_common(top)] if total else []


def by_package(collapsed: Path) -> list[tuple[float, str]]:
    """Self time per library: the frame that was running, attributed to the package it belongs to."""
    self_time: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.split(";")[-1]
        path = leaf.split(" (")[-1]
        parts = path.replace("\\", "/").split("/")
        package = next(
            (parts[i + 1] for i, x in enumerate(parts[:-1]) if x in ("site-packages", "wt-perf")),
            "python" if "python3" in path else parts[0],
        )
        if count.isdigit():
            self_time[package] += int(count)
            total += int(count)
    return [(100 * n / total, f) for f, n in self_time.most_common(15)] if total else []


def _py_spy() -> str:
    """The py-spy installed beside this interpreter (the bench extra), also when the venv is not activated."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.profile")
    p.add_argument("flow", help="password_login, client_credentials, refresh, userinfo, introspection, jwks")
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--top", type=int, default=45)
    p.add_argument("--database-url", default=None)
    args = p.parse_args()
    procs.pin_loadgen()
    with tempfile.TemporaryDirectory(prefix="nixa-profile-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'nixa.db'}"
        with nixa_target.run(work, database_url=url, people=50) as target:
            assert target.server is not None
            out = work / "stacks.txt"
            spy = subprocess.Popen(
                [
                    _py_spy(),
                    "record",
                    "--pid",
                    str(target.server.process.pid),
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "--gil",
                    "--duration",
                    str(int(args.seconds)),
                    "--output",
                    str(out),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            plan = Plan(duration=args.seconds, warmup=0.5)
            results = asyncio.run(_one(target, plan, args.flow))
            spy.wait(60)
            print(results)
            print("self time by package:")
            for share, package in by_package(out):
                print(f"{share:6.1f}%  {package}")
            print("inclusive time by function:")
            for share, frame in hot_spots(out, args.top):
                print(f"{share:6.1f}%  {frame}")


async def _one(target: nixa_target.Target, plan: Plan, flow: str) -> str:
    results = await measure(target, plan, flows_only=(flow,))
    r = results[flow]
    return f"{flow}: {r.rate:.1f}/s, server cpu {r.server_cpu:.2f}, p50 {r.percentile(0.5):.1f} ms"


if __name__ == "__main__":
    main()
