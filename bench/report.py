"""The table people read and the JSON machines read."""

from __future__ import annotations

from typing import Any

from bench.load import FlowResult

FLOWS = ("password_login", "client_credentials", "refresh", "userinfo", "introspection", "jwks")
# Issue 8's targets per core (requests per second per core).
TARGETS = {
    "password_login": 40,
    "client_credentials": 600,
    "refresh": 500,
    "userinfo": 2000,
    "introspection": 2000,
}


def ratio(nixa: float, peer: float) -> float | None:
    return round(nixa / peer, 2) if peer > 0 else None


def table(runs: dict[str, dict[str, FlowResult]], peer: str | None) -> str:
    lines = []
    head = f"{'flow':<20}{'target':<26}{'req/s':>9}{'per core':>10}{'p50 ms':>9}{'p99 ms':>9}"
    head += f"{'srv cpu':>9}{'gen cpu':>9}{'errors':>8}"
    lines.append(head)
    lines.append("-" * len(head))
    for flow in FLOWS:
        for name, results in runs.items():
            r = results.get(flow)
            if r is None:
                continue
            s = r.summary()
            lines.append(
                f"{flow:<20}{name:<26}{s['rate']:>9.1f}{s['per_core']:>10.1f}{s['p50_ms']:>9.2f}"
                f"{s['p99_ms']:>9.2f}{s['server_cpu']:>9.2f}{s['loadgen_cpu']:>9.2f}{s['errors']:>8}"
            )
        if peer and peer in runs:
            for name, results in runs.items():
                if name.startswith("NIXA") and flow in results and flow in runs[peer]:
                    q = ratio(results[flow].per_core, runs[peer][flow].per_core)
                    lines.append(f"{'':<20}{'ratio ' + name + ' / peer':<46}{q if q is not None else '-':>9}")
        lines.append("")
    return "\n".join(lines)


def as_json(
    runs: dict[str, dict[str, FlowResult]], primary: str, peer: str | None, extra: dict[str, Any]
) -> dict[str, Any]:
    """One object keyed by flow: NIXA's and the peer's rate per core and their ratio; the rest under "run"."""
    out: dict[str, Any] = {}
    for flow in FLOWS:
        mine = runs.get(primary, {}).get(flow)
        theirs = runs.get(peer, {}).get(flow) if peer else None
        if mine is None:
            continue
        entry: dict[str, Any] = {
            "nixa_per_core": round(mine.per_core, 1),
            "peer_per_core": round(theirs.per_core, 1) if theirs else None,
            "ratio": ratio(mine.per_core, theirs.per_core) if theirs else None,
            "target_per_core": TARGETS.get(flow),
            "runs": {name: results[flow].summary() for name, results in runs.items() if flow in results},
        }
        out[flow] = entry
    out["run"] = extra  # what was measured where: argon2 ceiling, memory, scale, machine, commit
    return out
