"""Pigment's two rate limits as rolling windows per bucket (notes §2.3, DESIGN §4.3).

* 500 requests per 5 minutes, per key (or per client IP) across every public endpoint;
* 300 accepted CSV pushes per import configuration per hour.

The sandbox kit's ``RateWindow`` is one fixed 60-second window for the whole emulator; these limits need
their own window length and one window per key or configuration, hence this local class.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most ``limit`` acquisitions per ``seconds`` in each bucket; refusals return the Retry-After."""

    def __init__(self, limit: int, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, deque[float]] = {}

    def try_acquire(self, bucket: str) -> int | None:
        """Count one use (None) or refuse it: the whole seconds until the oldest use leaves the window."""
        with self._lock:
            now = self._clock()
            accepted = self._buckets.setdefault(bucket, deque())
            while accepted and now - accepted[0] >= self.seconds:
                accepted.popleft()
            if len(accepted) >= self.limit:
                return max(1, math.ceil(self.seconds - (now - accepted[0])))
            accepted.append(now)
            return None

    def used(self, bucket: str) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for moment in self._buckets.get(bucket, ()) if now - moment < self.seconds)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
