"""The cost of one argon2id verification alone: the ceiling for password logins on one core.

Measured with NIXA's own ``PasswordHashing`` (libsodium for one lane), the code a login runs, and with
argon2-cffi's portable build beside it, the library NIXA used before and the figure of earlier rounds.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher, Type

from bench.procs import SERVER_CORE
from idp.passwords import PasswordHashing

PARAMETERS = {
    "keycloak_7MiB_t5": (7 * 1024, 5),  # Keycloak's sizing guide
    "owasp_19MiB_t2": (19 * 1024, 2),  # OWASP Password Storage Cheat Sheet, NIXA's default
}
PASSWORD = "Bench-Mật-khẩu-2026"


def _rate(verify: Callable[[], object], seconds: float) -> tuple[float, float]:
    """(ms per hash by the wall clock, verifications per CPU second)."""
    verify()  # warm the allocator
    n, started = 0, time.perf_counter()
    cpu0 = time.process_time()
    while time.perf_counter() - started < seconds:
        verify()
        n += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    return 1000 * wall / n, n / cpu


def measure(seconds: float) -> dict[str, dict[str, Any]]:
    """Verifications per second on the server core (taken while no server runs)."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {SERVER_CORE} if SERVER_CORE in before or len(before) > 1 else before)
    try:
        out: dict[str, dict[str, Any]] = {}
        for name, (memory, t) in PARAMETERS.items():
            nixa = PasswordHashing(memory, t, parallelism=1)
            stored = nixa.hash(PASSWORD)
            if not nixa.verify(stored, PASSWORD):
                raise RuntimeError("NIXA's password hashing refused its own hash")
            ms, per_core = _rate(functools.partial(nixa.verify, stored, PASSWORD), seconds)
            cffi = PasswordHasher(time_cost=t, memory_cost=memory, parallelism=1, type=Type.ID)
            ref_stored = cffi.hash(PASSWORD)
            ref_ms, ref_per_core = _rate(functools.partial(cffi.verify, ref_stored, PASSWORD), seconds)
            out[name] = {
                "memory_kib": memory,
                "time_cost": t,
                "implementation": nixa.implementation,
                "ms_per_hash": round(ms, 2),
                "per_core": round(per_core, 1),
                "argon2_cffi_ms_per_hash": round(ref_ms, 2),
                "argon2_cffi_per_core": round(ref_per_core, 1),
            }
        return out
    finally:
        os.sched_setaffinity(0, before)
