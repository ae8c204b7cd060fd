"""Per-channel pacing: at most one message per ``min_interval`` seconds to each channel (DESIGN §4.3).

The interval is measured from the moment the previous message's answer arrived, not from when it was sent:
the server saw that message before we saw its answer, so the next one reaches the server at least
``min_interval`` after it — whatever the network jitter. That keeps the client at Slack's limit without ever
crossing it (zero 429s), at the cost of one round trip per message.

A 429 that still gets through (another process posting with the same token) pushes the channel's next slot
out by ``Retry-After``. Share one :class:`ChannelPacer` between every client of a workspace so all flows in
the process respect the same per-channel clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass(slots=True)
class PaceSlot:
    """Handed to the sender inside :meth:`ChannelPacer.slot`; set ``retry_after`` after a 429."""

    channel: str
    retry_after: float | None = None


class ChannelPacer:
    """Serialises sends per channel and spaces them ``min_interval`` apart. Clock and sleep injectable."""

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_at: dict[str, float] = {}
        self._aliases: dict[str, str] = {}

    def alias(self, ref: str, channel_id: str) -> None:
        """Remember that ``ref`` (``#finance``) is ``channel_id``, so both share one clock."""
        if ref != channel_id:
            self._aliases[ref] = channel_id

    def key(self, ref: str) -> str:
        return self._aliases.get(ref, ref)

    def wait_time(self, ref: str) -> float:
        """Seconds until ``ref`` may take its next message (0 when it may now)."""
        return max(0.0, self._next_at.get(self.key(ref), 0.0) - self._clock())

    @asynccontextmanager
    async def slot(self, ref: str) -> AsyncIterator[PaceSlot]:
        """Wait for the channel's turn, let the caller send, then book the next turn."""
        key = self.key(ref)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            delay = self.wait_time(key)
            if delay > 0:
                await self._sleep(delay)
            slot = PaceSlot(channel=key)
            try:
                yield slot
            finally:
                done = self._clock()
                wait = max(self.min_interval, slot.retry_after or 0.0)
                # the send may have taught us the channel's id (alias): book the turn under both names
                for name in {key, self.key(ref)}:
                    self._next_at[name] = done + wait
