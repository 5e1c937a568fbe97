"""One benchmark run: each configuration of NIXA, then the peer, every flow, the argon2 ceiling."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from bench import flows, load
from bench.flows import Browser, Endpoints, Holder
from bench.load import FlowResult
from bench.nixa_target import Target


@dataclass(frozen=True)
class Plan:
    duration: float
    warmup: float
    login_users: int = 8
    api_users: int = 32


async def holders(t: Target, ep: Endpoints, n: int) -> list[Holder]:
    """Each virtual portal logs one citizen in to hold an access and a refresh token."""
    async with load.session(n) as http:
        out = []
        for i in range(n):
            b = Browser(t, ep, itertools.cycle([t.usernames[i % len(t.usernames)]]))
            tokens = await flows.password_login(http, b)
            out.append(Holder(t, ep, tokens["access_token"], tokens["refresh_token"]))
        return out


async def measure(
    t: Target, plan: Plan, memory: dict[str, Any] | None = None, flows_only: tuple[str, ...] = ()
) -> dict[str, FlowResult]:
    assert t.server is not None
    async with load.session(1) as http:
        ep = await Endpoints.discover(http, t.issuer)
    if memory is not None:
        memory["idle_rss_mib"] = [round(r / 2**20, 1) for r in t.server.rss_per_worker()]
    results: dict[str, FlowResult] = {}
    users = [t.usernames[i :: plan.login_users] or t.usernames for i in range(plan.login_users)]
    browsers = [Browser(t, ep, itertools.cycle(u)) for u in users]
    async with load.session(1) as http:
        # One login first: the first request of a process opens keys and fills caches, not a measure.
        await flows.password_login(http, Browser(t, ep, itertools.cycle(t.usernames)))
    if not flows_only or "password_login" in flows_only:
        results["password_login"] = await load.drive(
            "password_login",
            t.server,
            flows.password_login,
            browsers,
            duration=plan.duration,
            warmup=plan.warmup,
        )
    portals = await holders(t, ep, plan.api_users)
    for name, op in flows.API_FLOWS.items():
        if flows_only and name not in flows_only:
            continue
        results[name] = await load.drive(
            name, t.server, op, portals, duration=plan.duration, warmup=plan.warmup
        )
        if memory is not None:
            loaded = [round(r / 2**20, 1) for r in t.server.rss_per_worker()]
            memory["loaded_rss_mib"] = max(
                memory.get("loaded_rss_mib", []), loaded, key=lambda x: max(x, default=0)
            )
    return results


def measure_sync(t: Target, plan: Plan, memory: dict[str, Any] | None = None) -> dict[str, FlowResult]:
    return asyncio.run(measure(t, plan, memory))
