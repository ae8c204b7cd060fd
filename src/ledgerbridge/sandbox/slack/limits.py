"""Slack's per-channel posting limit: a token bucket per channel, refilled at ``messages_per_second``.

Refusing (not queueing) is what Slack does: the message over the limit gets HTTP 429 with ``Retry-After``
(whole seconds) and ``{"ok": false, "error": "ratelimited"}``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class ChannelRateLimiter:
    """Token buckets keyed by channel id. Thread-safe; the clock is injectable for tests."""

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_second = per_second
        self._burst = float(burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def try_acquire(self, channel: str) -> int | None:
        """Take a slot for ``channel`` (None) or return the Retry-After in whole seconds (at least 1)."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(channel)
            if bucket is None:
                bucket = self._buckets[channel] = _Bucket(tokens=self._burst, updated=now)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._per_second)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            wait = (1.0 - bucket.tokens) / self._per_second
            return max(1, math.ceil(wait))

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
