"""The two governance limits vendors enforce: requests in flight at once, and requests per minute."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class ConcurrencyGate:
    """Counts requests in flight; :meth:`try_enter` refuses once ``limit`` are already being served.

    Refusing (rather than queueing) is what NetSuite does: the request over the limit gets a 429 at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def try_enter(self, limit: int | None) -> bool:
        with self._lock:
            if limit is not None and self._in_flight >= limit:
                return False
            self._in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


class RateWindow:
    """A rolling 60-second window of accepted requests."""

    WINDOW_SECONDS = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._accepted: deque[float] = deque()

    def try_acquire(self, per_minute: int | None) -> float | None:
        """Accept the request (None) or return the seconds until a slot frees up (the Retry-After)."""
        if per_minute is None:
            return None
        with self._lock:
            now = self._clock()
            while self._accepted and now - self._accepted[0] >= self.WINDOW_SECONDS:
                self._accepted.popleft()
            if len(self._accepted) >= per_minute:
                # The oldest accepted request leaves the window first; a client waiting this long succeeds.
                wait = self.WINDOW_SECONDS - (now - self._accepted[0])
                return max(1.0, float(math.ceil(wait)))
            self._accepted.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._accepted.clear()
