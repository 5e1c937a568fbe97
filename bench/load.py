"""The load generator: asyncio with aiohttp (HTTP/1.1 keep-alive), pinned to its own core.

Each virtual user repeats one operation (a flow: one request, or the several requests of a login) as fast
as the server answers. We count operations and their latencies, and read the CPU time the server and
the load generator used, so a run says itself whether the server was the bottleneck.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.procs import Server

Operation = Callable[[aiohttp.ClientSession, Any], Awaitable[Any]]


class FlowError(RuntimeError):
    """The server answered something a correct run never gets."""


@dataclass
class FlowResult:
    flow: str
    target: str
    operations: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    errors: int
    server_cpu: float  # cores busy on the server side during the run (1.0 = one core saturated)
    loadgen_cpu: float  # cores busy in the load generator
    first_error: str | None = None

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0

    @property
    def per_core(self) -> float:
        """Operations per second per fully used server core."""
        return self.rate / self.server_cpu if self.server_cpu > 0.05 else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        return {
            "rate": round(self.rate, 1),
            "per_core": round(self.per_core, 1),
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "operations": self.operations,
            "errors": self.errors,
            "first_error": self.first_error,
            "server_cpu": round(self.server_cpu, 2),
            "loadgen_cpu": round(self.loadgen_cpu, 2),
        }


def session(concurrency: int) -> aiohttp.ClientSession:
    # Cookies are carried per virtual browser by the flows themselves, not in a shared jar.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency * 2, force_close=False),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def drive(
    flow: str,
    server: Server,
    op: Operation,
    states: list[Any],
    *,
    duration: float,
    warmup: float,
) -> FlowResult:
    """Run ``op`` from len(states) virtual users for warmup + duration seconds; measure the second part."""
    latencies: list[float] = []
    counters = {"ops": 0, "errors": 0}
    first_error: list[str] = []
    measuring = False
    stop_at = time.monotonic() + warmup + duration

    async def user(http: aiohttp.ClientSession, state: Any) -> None:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                await op(http, state)
            except (TimeoutError, FlowError, aiohttp.ClientError) as exc:
                if measuring:
                    counters["errors"] += 1
                    first_error[:] = first_error or [f"{type(exc).__name__}: {str(exc)[:300]}"]
                continue
            if measuring:
                latencies.append((time.perf_counter() - started) * 1000)
                counters["ops"] += 1

    async with session(len(states)) as http:
        tasks = [asyncio.create_task(user(http, st)) for st in states]
        await asyncio.sleep(warmup)
        measuring = True
        cpu0, own0, t0 = server.cpu_seconds(), time.process_time(), time.monotonic()
        await asyncio.sleep(duration)
        cpu1, own1, t1 = server.cpu_seconds(), time.process_time(), time.monotonic()
        measuring = False
        await asyncio.gather(*tasks)
    wall = t1 - t0
    return FlowResult(
        flow,
        server.name,
        counters["ops"],
        wall,
        latencies,
        counters["errors"],
        (cpu1 - cpu0) / wall,
        (own1 - own0) / wall,
        first_error[0] if first_error else None,
    )
