"""State shared between worker processes through Redis (``NIXA_REDIS_URL``), never as the only copy.

The database stays the authority for everything that must survive or be exact (sessions, codes,
throttles, the ``client_assertion_jtis`` replay table): Redis only answers sooner. Every call gives
``None`` ("don't know") when Redis is not configured or not answering, and callers then ask the
database, so losing Redis slows NIXA down but loses nothing and lets nothing through. After a failure
Redis is left alone for ``retry_after`` seconds so a dead server does not add a timeout to every request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("nixa.shared_state")
T = TypeVar("T")
PREFIX = "nixa:"


class SharedState:
    def __init__(self, url: str | None, *, timeout: float = 0.2, retry_after: float = 5.0) -> None:
        self.url = url
        self._timeout = timeout
        self._retry_after = retry_after
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._client: Any = None

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(
                self.url or "",
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                health_check_interval=30,
            )
        return self._client

    def _call(self, operation: Callable[[Any], T]) -> T | None:
        if not self.url or time.monotonic() < self._down_until:
            return None
        import redis

        try:
            return operation(self._redis())
        except (redis.RedisError, OSError) as exc:
            with self._lock:
                first = self._down_until == 0.0 or time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + self._retry_after
            if first:
                log.warning("Redis unavailable (%s); using the database only", type(exc).__name__)
            return None

    @property
    def available(self) -> bool:
        return bool(self._call(lambda r: r.ping()))

    def claim_once(self, key: str, ttl_seconds: int) -> bool | None:
        """True the first time ``key`` is claimed within ``ttl_seconds``, False after; None: unknown."""
        ttl = max(1, int(ttl_seconds))
        # SET NX answers None when the key exists: turn that into False inside, so None means "unknown".
        return self._call(lambda r: bool(r.set(PREFIX + key, b"1", nx=True, ex=ttl)))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
