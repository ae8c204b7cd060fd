"""The connection limiter on its own: concurrency, sliding window, adaptive 429 handling, registry, usage."""

from __future__ import annotations

import asyncio
import time

import pytest

from ledgerbridge.engine import limits
from ledgerbridge.engine.limits import (
    ConnectionLimiter,
    LimiterRegistry,
    LimitSettings,
    UsageMeter,
    ceiling_from_governance,
    limiter_for,
    track_usage,
)


def max_in_window(times: list[float], window: float) -> int:
    """The most timestamps inside any half-open window of ``window`` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


class Probe:
    """Counts concurrent holders of a slot."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0
        self.granted: list[float] = []
        self.finished: list[float] = []

    async def hold(self, limiter: ConnectionLimiter, seconds: float) -> None:
        async with limiter.slot():
            self.granted.append(time.monotonic())
            self.current += 1
            self.peak = max(self.peak, self.current)
            await asyncio.sleep(seconds)
            self.current -= 1
            self.finished.append(time.monotonic())


# -- settings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"concurrency": 0},
        {"concurrency": 1, "requests_per_window": 0},
        {"concurrency": 1, "requests_per_window": 5, "window_seconds": 0},
    ],
)
def test_settings_refuse_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        LimitSettings(**kwargs)  # type: ignore[arg-type]


def test_safety_margin_is_small_but_present() -> None:
    assert LimitSettings(3, 120, 60).safety_margin == pytest.approx(0.3)
    assert LimitSettings(3, 10, 1).safety_margin == pytest.approx(0.05)


def test_ceiling_from_governance_keeps_headroom() -> None:
    assert ceiling_from_governance(15, 0.2) == 12
    assert ceiling_from_governance(5, 0.0) == 5
    assert ceiling_from_governance(1, 0.5) == 1  # never below one
    with pytest.raises(ValueError):
        ceiling_from_governance(10, 1.0)


# -- concurrency and rate --------------------------------------------------------------------------


async def test_concurrency_is_never_exceeded_and_is_used() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=3))
    probe = Probe()
    await asyncio.gather(*(probe.hold(limiter, 0.02) for _ in range(12)))
    assert probe.peak == 3
    assert limiter.in_flight == 0
    assert limiter.requests_total == 12


async def test_sliding_window_is_never_exceeded() -> None:
    window = 0.3
    limiter = ConnectionLimiter(
        "pigment", LimitSettings(concurrency=10, requests_per_window=5, window_seconds=window)
    )
    probe = Probe()
    started = time.monotonic()
    await asyncio.gather(*(probe.hold(limiter, 0.0) for _ in range(12)))
    elapsed = time.monotonic() - started
    assert max_in_window(probe.granted, window) == 5  # at the limit, never over it
    # 12 requests at 5 per window need two full windows of waiting
    assert elapsed >= 2 * window
    assert limiter.waited_seconds > 0


async def test_in_flight_requests_count_in_the_window_until_they_finish() -> None:
    # A slow request may reach the server at any moment before its answer: it must keep its place in the
    # window until it completes, and the window then runs from its completion.
    window = 0.2
    limiter = ConnectionLimiter(
        "ns", LimitSettings(concurrency=5, requests_per_window=2, window_seconds=window)
    )
    probe = Probe()
    slow = [asyncio.create_task(probe.hold(limiter, 0.4)) for _ in range(2)]
    await asyncio.sleep(0.01)
    third_asked = time.monotonic()
    async with limiter.slot():
        third_granted = time.monotonic()
    await asyncio.gather(*slow)
    assert third_granted - third_asked >= 0.4 + window
    assert third_granted >= min(probe.finished) + window


async def test_a_cancelled_waiter_leaves_no_trace() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=1))
    held = await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    held.release()
    held.release()  # idempotent
    async with limiter.slot():
        assert limiter.in_flight == 1
    assert limiter.in_flight == 0
    assert limiter.requests_total == 2


async def test_admission_is_first_come_first_served() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=1))
    order: list[int] = []

    async def take(index: int) -> None:
        async with limiter.slot():
            order.append(index)
            await asyncio.sleep(0.005)

    tasks = []
    for index in range(6):
        tasks.append(asyncio.create_task(take(index)))
        await asyncio.sleep(0)  # enqueue in this order
    await asyncio.gather(*tasks)
    assert order == list(range(6))


# -- adaptive behaviour ----------------------------------------------------------------------------


async def test_429_halves_concurrency_to_a_floor_of_one_and_success_grows_it_back() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=8))
    limiter.on_throttled(0)
    assert limiter.effective_concurrency == 4
    limiter.on_throttled(0)
    limiter.on_throttled(0)
    limiter.on_throttled(0)
    assert limiter.effective_concurrency == 1
    assert limiter.throttled_total == 4
    # additive increase: one more after `effective` successes
    steps = []
    for _ in range(40):
        limiter.on_success()
        steps.append(limiter.effective_concurrency)
    assert steps[:6] == [2, 2, 3, 3, 3, 4]
    assert limiter.effective_concurrency == 8  # back at the ceiling, and not beyond
    assert max(steps) == 8


async def test_429s_from_requests_sent_before_the_last_shrink_do_not_shrink_again() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=8))
    old = [await limiter.acquire() for _ in range(3)]
    limiter.on_throttled(0, started_at=old[0].started_at)
    # the other two were in flight when the first 429 arrived: the same overload, already handled
    limiter.on_throttled(0, started_at=old[1].started_at)
    limiter.on_throttled(0, started_at=old[2].started_at)
    assert limiter.effective_concurrency == 4
    assert limiter.throttled_total == 3
    for slot in old:
        slot.release()
    fresh = await limiter.acquire()
    limiter.on_throttled(0, started_at=fresh.started_at)
    fresh.release()
    assert limiter.effective_concurrency == 2


async def test_retry_after_pauses_new_requests() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=3))
    # the pause runs from the moment of the 429, so measure from before it (not after: a busy machine
    # may spend milliseconds between the two lines)
    started = time.monotonic()
    limiter.on_throttled(0.3)
    assert limiter.stats().paused_for == pytest.approx(0.3, abs=0.05)
    async with limiter.slot():
        waited = time.monotonic() - started
    assert waited >= 0.3
    assert limiter.waited_seconds >= 0.29


async def test_a_429_without_retry_after_still_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "DEFAULT_THROTTLE_PAUSE", 0.15)
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=3))
    started = time.monotonic()
    limiter.on_throttled(None)
    async with limiter.slot():
        assert time.monotonic() - started >= 0.15


async def test_non_adaptive_limiter_pauses_but_keeps_its_concurrency() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=4, adaptive=False))
    limiter.on_throttled(0.05)
    assert limiter.effective_concurrency == 4
    assert limiter.stats().paused_for > 0


async def test_shrinking_wakes_nobody_early_and_growing_admits_waiters() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=2))
    limiter.on_throttled(0)
    assert limiter.effective_concurrency == 1
    first = await limiter.acquire()
    second = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.02)
    assert not second.done()  # effective concurrency 1 is enforced
    limiter.on_success()  # 1 success at effective 1 -> 2: the waiter may go
    granted = await asyncio.wait_for(second, 1)
    assert limiter.in_flight == 2
    first.release()
    granted.release()


def test_set_ceiling() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=5))
    limiter.set_ceiling(12)
    assert (limiter.ceiling, limiter.effective_concurrency) == (12, 12)
    limiter.on_throttled(0)
    assert limiter.effective_concurrency == 6
    limiter.set_ceiling(4)
    assert limiter.effective_concurrency == 4
    limiter.set_ceiling(10)  # backed off: keep recovering additively rather than jumping
    assert (limiter.ceiling, limiter.effective_concurrency) == (10, 4)
    with pytest.raises(ValueError):
        limiter.set_ceiling(0)


def test_limiter_survives_successive_event_loops() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=1, requests_per_window=100))

    async def burst() -> None:
        probe = Probe()
        await asyncio.gather(*(probe.hold(limiter, 0.001) for _ in range(3)))

    asyncio.run(burst())
    asyncio.run(burst())
    assert limiter.requests_total == 6


# -- registry and usage ----------------------------------------------------------------------------


def test_registry_gives_one_limiter_per_connection() -> None:
    registry = LimiterRegistry()
    settings = LimitSettings(concurrency=3, requests_per_window=120)
    first = registry.limiter_for("netsuite", settings)
    assert registry.limiter_for("netsuite", settings) is first
    assert registry.limiter_for("netsuite") is first
    assert registry.limiter_for("pigment", LimitSettings(concurrency=2)) is not first
    assert registry.names() == ("netsuite", "pigment")
    assert set(registry.snapshot()) == {"netsuite", "pigment"}
    with pytest.raises(ValueError, match="already has a limiter"):
        registry.limiter_for("netsuite", LimitSettings(concurrency=4))
    with pytest.raises(KeyError):
        registry.limiter_for("slack")
    registry.clear()
    assert registry.get("netsuite") is None


def test_process_global_registry() -> None:
    settings = LimitSettings(concurrency=1)
    name = "test-process-global-registry"
    try:
        assert limiter_for(name, settings) is limiter_for(name, settings)
        assert limits.default_registry().get(name) is limiter_for(name)
    finally:
        limits.default_registry()._limiters.pop(name, None)


async def test_usage_is_counted_per_run_and_connection_including_child_tasks() -> None:
    netsuite = ConnectionLimiter("netsuite", LimitSettings(concurrency=4))
    pigment = ConnectionLimiter("pigment", LimitSettings(concurrency=4))
    throttles: list[str] = []

    async def one(limiter: ConnectionLimiter) -> None:
        async with limiter.slot():
            pass

    meter = UsageMeter()
    meter.on_throttled(throttles.append)
    with track_usage(meter):
        await asyncio.gather(one(netsuite), one(netsuite), one(pigment))
        netsuite.on_throttled(0)
    await one(netsuite)  # outside the run: not counted
    assert dict(meter.requests) == {"netsuite": 2, "pigment": 1}
    assert dict(meter.throttled) == {"netsuite": 1}
    assert throttles == ["netsuite"]
    assert netsuite.requests_total == 3


async def test_successes_of_requests_sent_before_the_cut_do_not_grow_concurrency() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=4))
    before = [await limiter.acquire() for _ in range(3)]
    limiter.on_throttled(0, started_at=before[0].started_at)
    assert limiter.effective_concurrency == 2
    for slot in before[1:]:
        limiter.on_success(started_at=slot.started_at)  # from the old regime
    assert limiter.effective_concurrency == 2
    for slot in before:
        slot.release()
    fresh = [await limiter.acquire() for _ in range(2)]
    for slot in fresh:
        limiter.on_success(started_at=slot.started_at)
        slot.release()
    assert limiter.effective_concurrency == 3
