"""A circuit breaker for calls to a remote service.

Closed: calls go through and consecutive failures are counted. Open (after ``failures`` in a row): calls
are refused at once, so a dead registry costs no timeouts and gets no load. Half-open (``reset`` seconds
after opening): one probe call is let through; its success closes the breaker, its failure re-opens it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, failures: int, reset: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(1, failures)
        self.reset = reset
        self.clock = clock
        self._lock = threading.Lock()  # the web app calls the registry from several threads
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probing or self.clock() - self._opened_at >= self.reset:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call be made now? In half-open state only the first caller gets to probe."""
        with self._lock:
            state = self.state
            if state is BreakerState.CLOSED:
                return True
            if state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._probing = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._probing or self._failures >= self.threshold:
                self._opened_at, self._probing = self.clock(), False
