"""The cost of one argon2id verification alone: the ceiling for password logins on one core."""

from __future__ import annotations

import os
import time
from typing import Any

from argon2 import PasswordHasher, Type

from bench.procs import SERVER_CORE

PARAMETERS = {
    "keycloak_7MiB_t5": (7 * 1024, 5),  # Keycloak's sizing guide
    "owasp_19MiB_t2": (19 * 1024, 2),  # OWASP Password Storage Cheat Sheet, NIXA's default
}


def measure(seconds: float) -> dict[str, dict[str, Any]]:
    """Verifications per second on the server core (taken while no server runs)."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {SERVER_CORE} if SERVER_CORE in before or len(before) > 1 else before)
    try:
        out: dict[str, dict[str, Any]] = {}
        for name, (memory, t) in PARAMETERS.items():
            hasher = PasswordHasher(time_cost=t, memory_cost=memory, parallelism=1, type=Type.ID)
            stored = hasher.hash("Bench-Mật-khẩu-2026")
            hasher.verify(stored, "Bench-Mật-khẩu-2026")  # warm the allocator
            n, started = 0, time.perf_counter()
            cpu0 = time.process_time()
            while time.perf_counter() - started < seconds:
                hasher.verify(stored, "Bench-Mật-khẩu-2026")
                n += 1
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
            out[name] = {
                "memory_kib": memory,
                "time_cost": t,
                "ms_per_hash": round(1000 * wall / n, 2),
                "per_core": round(n / cpu, 1),
            }
        return out
    finally:
        os.sched_setaffinity(0, before)
