"""The push gate: at most N pushes per import configuration per rolling window (Pigment: 300 per hour).

The runtime injects a gate backed by the engine's limiters, shared by every flow of the process
(DESIGN §4.3). :class:`SlidingWindowPushGate` is the small default for standalone use: same semantics —
a push takes its slot when it starts, the slot stays counted for the whole window, and a caller over the
limit waits until the oldest push of that configuration leaves the window (it never gets a 429 instead).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, runtime_checkable

from .config import PUSH_WINDOW_SECONDS, PUSHES_PER_CONFIGURATION


@runtime_checkable
class PushGate(Protocol):
    """Admits one push to an import configuration; the context is held while the push is sent."""

    def slot(self, configuration_id: str) -> AbstractAsyncContextManager[None]: ...


class SlidingWindowPushGate:
    """Per-configuration sliding window: ``limit`` pushes in any ``window`` seconds."""

    def __init__(
        self,
        limit: int = PUSHES_PER_CONFIGURATION,
        window: float = PUSH_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a push gate needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._starts: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def used(self, configuration_id: str) -> int:
        """Pushes of this configuration still inside the window."""
        starts = self._starts.get(configuration_id)
        if not starts:
            return 0
        self._expire(starts, self._clock())
        return len(starts)

    def _expire(self, starts: deque[float], now: float) -> None:
        while starts and starts[0] <= now - self.window:
            starts.popleft()

    async def _admit(self, configuration_id: str) -> None:
        # One waiter per configuration at a time keeps admission in arrival order and the count exact.
        lock = self._locks.setdefault(configuration_id, asyncio.Lock())
        starts = self._starts.setdefault(configuration_id, deque())
        async with lock:
            while True:
                now = self._clock()
                self._expire(starts, now)
                if len(starts) < self.limit:
                    starts.append(now)
                    return
                await self._sleep(starts[0] + self.window - now)

    def slot(self, configuration_id: str) -> AbstractAsyncContextManager[None]:
        @asynccontextmanager
        async def held() -> AsyncIterator[None]:
            await self._admit(configuration_id)
            yield

        return held()
