"""One limiter per connection, shared by every flow in the process (DESIGN §4.3).

A :class:`ConnectionLimiter` admits a request only when BOTH hold:

* fewer than ``effective_concurrency`` requests are in flight, and
* fewer than ``requests_per_window`` requests can possibly be inside any window of ``window_seconds``
  as the *server* measures it.

The server counts arrival times, which we cannot see. We know only that a request arrives after we send it
and before we get its answer. So a finished request stays in our sliding-window log with its *completion*
time (an upper bound of its arrival) and an unfinished one counts as "arriving now". Admitting request ``j``
only when fewer than the limit of those upper bounds lie in the last window proves the server never sees
more than the limit in any window, whatever the latency or reordering (see docs/engine.md). A small safety
margin on the window absorbs clock granularity.

Adaptive behaviour (on by default): a 429 halves the effective concurrency (floor 1) and pauses new
requests until its ``Retry-After`` has passed; every run of ``effective`` successes adds one back, up to
the ceiling. The pause is honoured even when ``adaptive`` is off, because the server asked for it.

Per-run accounting: :func:`track_usage` installs a :class:`UsageMeter` in a context variable; every slot
taken or 429 reported inside that context (and the tasks it spawns) is counted against that run and
connection, so concurrent flows sharing a limiter still get exact per-run figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from ledgerbridge.log import get_logger

_log = get_logger("ledgerbridge.engine.limits")

#: when a 429 carries no Retry-After we still stop sending for this long (the server is telling us something)
DEFAULT_THROTTLE_PAUSE = 1.0


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """The limits of one connection. ``requests_per_window=None`` means no rate limit, only concurrency."""

    concurrency: int
    requests_per_window: int | None = None
    window_seconds: float = 60.0
    adaptive: bool = True

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.requests_per_window is not None and self.requests_per_window < 1:
            raise ValueError(f"requests_per_window must be at least 1, got {self.requests_per_window}")
        if not self.window_seconds > 0:
            raise ValueError(f"window_seconds must be positive, got {self.window_seconds}")

    @property
    def safety_margin(self) -> float:
        """Seconds added to the window: 0.5 % of it, at least 50 ms."""
        return max(0.05, self.window_seconds * 0.005)


def ceiling_from_governance(account_limit: int, headroom: float) -> int:
    """The concurrency to use given an account's governance limit and the share left for others.

    NetSuite's limit is shared by every integration on the account, so ``headroom`` (0..0.9) of it stays
    free for them.
    """
    if not 0 <= headroom < 1:
        raise ValueError(f"headroom must be in [0, 1), got {headroom}")
    return max(1, math.floor(account_limit * (1 - headroom)))


@dataclass(frozen=True, slots=True)
class LimiterStats:
    """A snapshot of one limiter's counters."""

    name: str
    requests_total: int
    throttled_total: int
    in_flight: int
    effective_concurrency: int
    ceiling: int
    waited_seconds: float
    paused_for: float


class UsageMeter:
    """Requests and 429s per connection for one run (see :func:`track_usage`)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self._on_throttled: list[Callable[[str], None]] = []

    def on_throttled(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(connection)`` on every 429 counted here (e.g. to show it on a progress bar)."""
        self._on_throttled.append(listener)

    def count_request(self, connection: str) -> None:
        self.requests[connection] += 1

    def count_throttled(self, connection: str) -> None:
        self.throttled[connection] += 1
        for listener in self._on_throttled:
            listener(connection)


_current_usage: ContextVar[UsageMeter | None] = ContextVar("ledgerbridge_usage", default=None)


@contextlib.contextmanager
def track_usage(meter: UsageMeter | None = None) -> Iterator[UsageMeter]:
    """Count every limiter slot and 429 in this context (and tasks created in it) into ``meter``."""
    meter = meter or UsageMeter()
    token = _current_usage.set(meter)
    try:
        yield meter
    finally:
        _current_usage.reset(token)


class Slot:
    """One admitted request. Release it exactly once (idempotent) when the request is over."""

    __slots__ = ("_limiter", "_released", "started_at")

    def __init__(self, limiter: ConnectionLimiter, started_at: float) -> None:
        self._limiter = limiter
        self._released = False
        #: monotonic time the slot was granted; lets the limiter ignore 429s that predate its last shrink
        self.started_at = started_at

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._limiter._release()


class ConnectionLimiter:
    """Concurrency + sliding-window rate limit for one connection, adaptive on 429."""

    def __init__(
        self, name: str, settings: LimitSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.settings = settings
        self._clock = clock
        self._ceiling = settings.concurrency
        self._effective = settings.concurrency
        self._in_flight = 0
        # completion times of finished requests, ascending (appended at completion, so already sorted)
        self._completed: deque[float] = deque()
        self._paused_until = 0.0
        self._last_decrease = -math.inf
        self._successes_since_change = 0
        # set by a 429, cleared once additive increase is back at the ceiling
        self._recovering = False
        # FIFO admission: one waiter at a time decides; the others queue on the lock (asyncio.Lock is fair)
        self._gate = asyncio.Lock()
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.requests_total = 0
        self.throttled_total = 0
        self.waited_seconds = 0.0

    # -- public state -------------------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def effective_concurrency(self) -> int:
        return self._effective

    @property
    def ceiling(self) -> int:
        return self._ceiling

    def stats(self) -> LimiterStats:
        return LimiterStats(
            name=self.name,
            requests_total=self.requests_total,
            throttled_total=self.throttled_total,
            in_flight=self._in_flight,
            effective_concurrency=self._effective,
            ceiling=self._ceiling,
            waited_seconds=self.waited_seconds,
            paused_for=max(0.0, self._paused_until - self._clock()),
        )

    # -- admission ----------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        """``async with limiter.slot():`` — wait for a concurrency slot and rate budget, release on exit."""
        granted = await self.acquire()
        try:
            yield granted
        finally:
            granted.release()

    async def acquire(self) -> Slot:
        """Wait until a request may be sent; the caller must ``release()`` the returned slot."""
        asked = self._clock()
        self._bind_loop()
        async with self._gate:
            while True:
                now = self._clock()
                delay = self._time_until_allowed(now)
                if self._in_flight >= self._effective or delay == math.inf:
                    # only a release (or a ceiling change) can help; a finite delay may also expire first
                    self._changed.clear()
                    timeout = None if delay in (0.0, math.inf) else delay
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), timeout)
                    continue
                if delay > 0:
                    await asyncio.sleep(delay)
                    continue
                break
            granted_at = self._clock()
            self._in_flight += 1
            self.requests_total += 1
            self.waited_seconds += granted_at - asked
        meter = _current_usage.get()
        if meter is not None:
            meter.count_request(self.name)
        return Slot(self, granted_at)

    def _bind_loop(self) -> None:
        # The limiter is process-global but a CLI or test may run several event loops one after another;
        # asyncio primitives belong to one loop, so fresh ones are made when the loop changes (the old
        # loop is gone, so nobody can be waiting on the old ones).
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._gate = asyncio.Lock()
            self._changed = asyncio.Event()

    def _time_until_allowed(self, now: float) -> float:
        """Seconds until the pause and the rate window allow a request: 0 now, inf = only after a release."""
        wait = max(0.0, self._paused_until - now)
        limit = self.settings.requests_per_window
        if limit is None:
            return wait
        span = self.settings.window_seconds + self.settings.safety_margin
        while self._completed and self._completed[0] <= now - span:
            self._completed.popleft()
        # in-flight requests may arrive at any moment: they count as inside every window until they finish
        excess = self._in_flight + len(self._completed) - limit + 1
        if excess <= 0:
            return wait
        if excess > len(self._completed):
            return math.inf
        return max(wait, self._completed[excess - 1] + span - now)

    def _release(self) -> None:
        self._in_flight -= 1
        if self.settings.requests_per_window is not None:
            self._completed.append(self._clock())
        self._changed.set()

    # -- feedback from the server --------------------------------------------------------------------------

    def on_throttled(self, retry_after: float | None = None, *, started_at: float | None = None) -> None:
        """A 429: pause new requests until ``retry_after`` has passed and (adaptive) halve the concurrency.

        ``started_at`` is the throttled request's :attr:`Slot.started_at`; a 429 for a request sent before our
        last decrease says nothing new about the current concurrency, so it does not shrink it again.
        """
        now = self._clock()
        self.throttled_total += 1
        meter = _current_usage.get()
        if meter is not None:
            meter.count_throttled(self.name)
        pause = DEFAULT_THROTTLE_PAUSE if retry_after is None else max(0.0, retry_after)
        self._paused_until = max(self._paused_until, now + pause)
        if self.settings.adaptive and (started_at is None or started_at >= self._last_decrease):
            before = self._effective
            self._effective = max(1, self._effective // 2)
            self._recovering = True
            self._last_decrease = now
            self._successes_since_change = 0
            _log.warning(
                "throttled by %s: concurrency %d -> %d, pausing %.2fs",
                self.name,
                before,
                self._effective,
                pause,
                extra={"connection": self.name, "retry_after": retry_after},
            )
        else:
            _log.warning("throttled by %s: pausing %.2fs", self.name, pause, extra={"connection": self.name})
        self._changed.set()

    def on_success(self, *, started_at: float | None = None) -> None:
        """A request succeeded: every ``effective`` successes allow one more in flight, up to the ceiling.

        That is one step per "round" of requests at the current concurrency — additive increase. Requests
        sent before the last decrease (``started_at``, see :meth:`on_throttled`) say nothing about the
        reduced concurrency and do not count.
        """
        if not self.settings.adaptive or not self._recovering:
            return
        if started_at is not None and started_at < self._last_decrease:
            return
        self._successes_since_change += 1
        if self._successes_since_change >= self._effective:
            self._effective = min(self._ceiling, self._effective + 1)
            self._successes_since_change = 0
            self._changed.set()
        if self._effective >= self._ceiling:
            self._recovering = False

    def set_ceiling(self, ceiling: int) -> None:
        """Change the concurrency ceiling (e.g. from NetSuite ``governanceLimits`` minus headroom)."""
        if ceiling < 1:
            raise ValueError(f"ceiling must be at least 1, got {ceiling}")
        self._ceiling = ceiling
        # recovering from a 429: keep growing additively toward the new ceiling; otherwise use it at once
        self._effective = min(self._effective, ceiling) if self._recovering else ceiling
        self._changed.set()


class LimiterRegistry:
    """Connection name → its one limiter. Same name, same object: the "global per connection" invariant."""

    def __init__(self) -> None:
        self._limiters: dict[str, ConnectionLimiter] = {}
        self._lock = threading.Lock()

    def limiter_for(self, name: str, settings: LimitSettings | None = None) -> ConnectionLimiter:
        """The limiter of ``name``, created with ``settings`` on first use.

        Asking again with *different* settings is an error: silently keeping either set would break a limit.
        """
        with self._lock:
            existing = self._limiters.get(name)
            if existing is not None:
                if settings is not None and settings != existing.settings:
                    raise ValueError(
                        f"connection {name!r} already has a limiter with {existing.settings}; got {settings}"
                    )
                return existing
            if settings is None:
                raise KeyError(f"no limiter for connection {name!r} yet and no settings to create one")
            limiter = ConnectionLimiter(name, settings)
            self._limiters[name] = limiter
            return limiter

    def get(self, name: str) -> ConnectionLimiter | None:
        return self._limiters.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._limiters)

    def snapshot(self) -> dict[str, LimiterStats]:
        return {name: limiter.stats() for name, limiter in self._limiters.items()}

    def clear(self) -> None:
        """Forget every limiter (tests, or a runtime that reloads its configuration)."""
        with self._lock:
            self._limiters.clear()


_default_registry = LimiterRegistry()


def default_registry() -> LimiterRegistry:
    """The process-global registry every flow shares."""
    return _default_registry


def limiter_for(name: str, settings: LimitSettings | None = None) -> ConnectionLimiter:
    """The process-global limiter of connection ``name`` (see :meth:`LimiterRegistry.limiter_for`)."""
    return _default_registry.limiter_for(name, settings)
