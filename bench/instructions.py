"""``python -m bench.instructions FLOW [FLOW ...]``: CPU instructions per call of NIXA's provider, counted
by valgrind's callgrind.

Rates and CPU seconds on a shared two-core machine move by a third from one minute to the next
(bench/RESULTS.md); an instruction count does not: it is the same for the same code and data whatever
the neighbours do, so a change worth 2 % shows as 2 %. It counts what the process executes in user space
(SQLite's and OpenSSL's C included), not the kernel's share (the commit's fsync) nor waits.

Each flow is called in-process, without HTTP (the provider method a request ends in: ``op.token``,
``op.userinfo_response``, ``op.introspect``), on a copy of one prepared SQLite database whose citizens
logged in over HTTP first. The process runs twice under callgrind, with ``--calls`` calls and with
``--calls`` more; the difference divided by the extra calls is the figure, start-up and warm-up
cancelled out. About a minute and a half per flow.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FLOWS = ("client_credentials", "refresh", "userinfo", "introspection")


def prepare(folder: Path, holders: int = 40) -> None:
    """A database with ``holders`` citizens logged in at the bench portal; their tokens in state.json."""
    from bench import load, nixa_target, run
    from bench.flows import Endpoints, Holder

    async def logins(t: nixa_target.Target) -> list[Holder]:
        async with load.session(1) as http:
            ep = await Endpoints.discover(http, t.issuer)
        return await run.holders(t, ep, holders)

    url = f"sqlite:///{folder / 'nixa.db'}"
    with nixa_target.run(folder, database_url=url, people=holders) as t:
        tokens = [
            {"access_token": h.access_token, "refresh_token": h.refresh_token} for h in asyncio.run(logins(t))
        ]
        env = nixa_target.settings_env(folder, int(t.issuer.rsplit(":", 1)[1]), url, None)
    state = {"env": env, "client_id": t.client_id, "secret": t.client_secret, "tokens": tokens}
    (folder / "state.json").write_text(json.dumps(state))


def calls(prepared: Path, flow: str, n: int) -> None:
    """The measured process: ``n`` calls of ``flow`` on a copy of the prepared database."""
    from bench.nixa_target import settings_from
    from idp.platform import Platform
    from idp.provider import OpenIDProvider

    with tempfile.TemporaryDirectory(prefix="nixa-ir-") as tmp:
        copy = Path(tmp) / "db"
        shutil.copytree(prepared, copy)
        state = json.loads((copy / "state.json").read_text())
        env = {k: v.replace(str(prepared), str(copy)) for k, v in state["env"].items()}
        op = OpenIDProvider(Platform(settings_from(env)))
        basic = "Basic " + base64.b64encode(f"{state['client_id']}:{state['secret']}".encode()).decode()
        refresh = [x["refresh_token"] for x in state["tokens"]]
        access = [x["access_token"] for x in state["tokens"]]

        def do_refresh(i: int) -> None:
            j = i % len(refresh)
            form = {"grant_type": "refresh_token", "refresh_token": refresh[j]}
            refresh[j] = op.token(basic, form, "127.0.0.1")["refresh_token"]

        run: dict[str, Callable[[int], object]] = {
            "client_credentials": lambda i: op.token(
                basic, {"grant_type": "client_credentials"}, "127.0.0.1"
            ),
            "refresh": do_refresh,
            "userinfo": lambda i: op.userinfo_response(access[i % len(access)]),
            "introspection": lambda i: op.introspect(basic, {"token": access[i % len(access)]}),
        }
        fn = run[flow]
        for i in range(len(access)):  # warm: caches filled, each token used once
            fn(i)
        for i in range(n):
            fn(i)


def count(prepared: Path, flow: str, n: int) -> int:
    """Instructions callgrind counted in a process making ``n`` calls."""
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--inner",
        str(prepared),
        flow,
        str(n),
    ]
    # A fixed hash seed: with Python's per-process random one, dict and set layouts (and so the count)
    # differed by a few per cent between runs of the same code.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError("callgrind printed no instruction count")
    return int(found.group(1))


def main() -> None:
    if sys.argv[1:2] == ["--inner"]:
        calls(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
        return
    p = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    p.add_argument("flows", nargs="*", metavar="FLOW", help=f"{', '.join(FLOWS)} (default: all four)")
    p.add_argument("--calls", type=int, default=200, help="calls in the second run beyond the first's")
    args = p.parse_args()
    if unknown := [f for f in args.flows if f not in FLOWS]:
        p.error(f"unknown flow {unknown[0]!r}: choose from {', '.join(FLOWS)}")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="nixa-ir-") as tmp:
        prepared = Path(tmp) / "prepared"
        prepared.mkdir()
        print("[instructions] preparing a database with 40 logged-in citizens", file=sys.stderr, flush=True)
        prepare(prepared)
        for flow in args.flows or FLOWS:
            started = time.monotonic()
            base = count(prepared, flow, 20)
            more = count(prepared, flow, 20 + args.calls)
            per_call, took = (more - base) / args.calls, time.monotonic() - started
            print(f"{flow:<20} {per_call / 1e6:8.3f} M instructions per call ({took:.0f} s)")


if __name__ == "__main__":
    main()
