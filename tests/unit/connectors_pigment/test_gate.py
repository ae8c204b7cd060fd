"""The default push gate: a sliding window per import configuration."""

from __future__ import annotations

import asyncio

import pytest

from ledgerbridge.connectors.pigment import PushGate, SlidingWindowPushGate


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_waits_for_the_oldest_push_to_leave_the_window() -> None:
    time = FakeTime()
    gate = SlidingWindowPushGate(2, 60.0, clock=time.clock, sleep=time.sleep)
    assert isinstance(gate, PushGate)
    async with gate.slot("cfg"):
        pass
    time.now += 10
    async with gate.slot("cfg"):
        pass
    assert time.sleeps == [] and gate.used("cfg") == 2
    async with gate.slot("cfg"):  # the third waits until the first (t=1000) is 60 s old
        pass
    assert time.sleeps == [50.0]
    assert time.now == 1060.0
    assert gate.used("cfg") == 2  # pushes at 1010 and 1060


async def test_configurations_are_counted_separately() -> None:
    time = FakeTime()
    gate = SlidingWindowPushGate(1, 3600.0, clock=time.clock, sleep=time.sleep)
    async with gate.slot("a"):
        pass
    async with gate.slot("b"):
        pass
    assert time.sleeps == []
    assert gate.used("a") == gate.used("b") == 1


async def test_concurrent_waiters_are_admitted_one_per_free_slot() -> None:
    time = FakeTime()
    gate = SlidingWindowPushGate(1, 10.0, clock=time.clock, sleep=time.sleep)
    admitted: list[float] = []

    async def push() -> None:
        async with gate.slot("cfg"):
            admitted.append(time.now)

    await asyncio.gather(*(push() for _ in range(3)))
    assert admitted == [1000.0, 1010.0, 1020.0]


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        SlidingWindowPushGate(0, 10.0)
