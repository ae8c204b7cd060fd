"""Backoff bounds and the in-call retry helper: only Retriable is retried, attempts and time are capped."""

from __future__ import annotations

import logging
import random
import statistics
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerbridge.engine.retry import RetryPolicy, backoff_delay, retry_call, retrying
from ledgerbridge.errors import ActionNeeded, ConfigError, Fatal, RecordRejected, Retriable
from ledgerbridge.log import forget_secrets, register_secret


class FakeSleep:
    """Records requested sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Flaky:
    """Raises the given errors in turn, then returns ``result``."""

    def __init__(self, *errors: BaseException, result: str = "ok") -> None:
        self.errors = list(errors)
        self.calls = 0
        self.result = result

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


# -- backoff_delay ---------------------------------------------------------------------------------


@given(
    attempt=st.integers(min_value=1, max_value=5000),
    base=st.floats(min_value=0.001, max_value=10),
    cap=st.floats(min_value=0.01, max_value=1000),
)
def test_backoff_stays_within_full_jitter_bounds(attempt: int, base: float, cap: float) -> None:
    delay = backoff_delay(attempt, base=base, cap=cap)
    assert 0.0 <= delay <= min(cap, base * 2.0 ** min(attempt - 1, 1000))


@given(
    attempt=st.integers(min_value=1, max_value=60),
    retry_after=st.floats(min_value=0, max_value=10_000),
)
def test_backoff_never_below_retry_after(attempt: int, retry_after: float) -> None:
    assert backoff_delay(attempt, retry_after=retry_after) >= retry_after


def test_backoff_ceiling_doubles_then_caps() -> None:
    rng_state = random.getstate()
    random.seed(1234)
    try:
        for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (20, 300.0)]:
            samples = [backoff_delay(attempt) for _ in range(4000)]
            assert max(samples) <= ceiling
            # full jitter: spread over the whole range, mean near the middle
            assert max(samples) > 0.95 * ceiling
            assert min(samples) < 0.05 * ceiling
            assert statistics.mean(samples) == pytest.approx(ceiling / 2, rel=0.06)
    finally:
        random.setstate(rng_state)


def test_backoff_treats_attempt_zero_as_first() -> None:
    assert all(backoff_delay(0, base=2.0) <= 2.0 for _ in range(200))


# -- retrying --------------------------------------------------------------------------------------


async def test_retries_retriable_until_success() -> None:
    sleep = FakeSleep()
    call = Flaky(Retriable("503"), Retriable("timeout"))
    result = await retry_call(call, RetryPolicy(max_attempts=5, base=0.5, cap=10), sleep=sleep)
    assert result == "ok"
    assert call.calls == 3
    assert len(sleep.calls) == 2
    assert 0 <= sleep.calls[0] <= 0.5 and 0 <= sleep.calls[1] <= 1.0


async def test_honours_retry_after() -> None:
    sleep = FakeSleep()
    call = Flaky(Retriable("429", retry_after=7.5))
    await retry_call(call, RetryPolicy(max_attempts=3, base=0.01, max_total_seconds=60), sleep=sleep)
    assert sleep.calls == [7.5]  # the jitter (<= 0.01 s) is below the floor


async def test_caps_attempts_and_reraises_the_last_retriable() -> None:
    sleep = FakeSleep()
    last = Retriable("still down", vendor_code="503")
    call = Flaky(*[Retriable(f"down {i}") for i in range(3)], last, Retriable("never reached"))
    with pytest.raises(Retriable) as caught:
        await retry_call(call, RetryPolicy(max_attempts=4, base=0.01), sleep=sleep)
    assert caught.value is last  # the error itself, not tenacity's RetryError
    assert call.calls == 4
    assert len(sleep.calls) == 3


async def test_caps_total_time_with_planned_sleeps() -> None:
    sleep = FakeSleep()
    call = Flaky(*[Retriable("429", retry_after=3.0) for _ in range(100)])
    with pytest.raises(Retriable):
        await retry_call(
            call, RetryPolicy(max_attempts=100, max_total_seconds=10, base=0.01, cap=1), sleep=sleep
        )
    # sleeps of >= 3 s within a 10 s budget: at most 3 of them, and the budget is never overrun
    assert sum(sleep.calls) < 10
    assert call.calls == len(sleep.calls) + 1
    assert 1 <= len(sleep.calls) <= 3


async def test_gives_up_at_once_when_retry_after_exceeds_the_budget() -> None:
    sleep = FakeSleep()
    call = Flaky(Retriable("429", retry_after=30.0), result="late")
    with pytest.raises(Retriable):
        await retry_call(call, RetryPolicy(max_attempts=5, max_total_seconds=10), sleep=sleep)
    assert call.calls == 1
    assert sleep.calls == []


async def test_caps_total_wall_time() -> None:
    call = Flaky(*[Retriable("slow") for _ in range(1000)])
    started = time.monotonic()
    with pytest.raises(Retriable):
        await retry_call(call, RetryPolicy(max_attempts=1000, max_total_seconds=0.3, base=0.02, cap=0.05))
    assert time.monotonic() - started < 0.3 + 0.1
    assert call.calls > 1


@pytest.mark.parametrize(
    "error",
    [
        Fatal("bad credentials"),
        ConfigError("bad file", location="ledgerbridge.yaml:3"),
        RecordRejected("invalid field"),
        ActionNeeded("period closed"),
        ValueError("a bug"),
    ],
    ids=lambda error: type(error).__name__,
)
async def test_never_retries_non_retriable_errors(error: BaseException) -> None:
    sleep = FakeSleep()
    call = Flaky(error)
    with pytest.raises(type(error)):
        await retry_call(call, RetryPolicy(max_attempts=5), sleep=sleep)
    assert call.calls == 1
    assert sleep.calls == []


async def test_retrying_as_an_async_for_loop() -> None:
    sleep = FakeSleep()
    call = Flaky(Retriable("once"), result="page")
    pages: list[str] = []
    async for attempt in retrying(RetryPolicy(max_attempts=3, base=0.01), operation="suiteql", sleep=sleep):
        with attempt:
            pages.append(await call())
    assert pages == ["page"]
    assert call.calls == 2


async def test_each_retry_is_logged_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    secret = "tok-9f8e7d6c5b4a"
    register_secret(secret)
    try:
        call = Flaky(Retriable(f"timeout calling with {secret}"), Retriable("503 again"))
        with caplog.at_level(logging.WARNING, logger="ledgerbridge.engine.retry"):
            await retry_call(call, RetryPolicy(base=0.01), operation="nue invoices", sleep=FakeSleep())
    finally:
        forget_secrets()
    retries = [record for record in caplog.records if record.name == "ledgerbridge.engine.retry"]
    assert len(retries) == 2
    assert all("nue invoices" in record.getMessage() for record in retries)
    assert "attempt 1/5" in retries[0].getMessage()
    assert secret not in caplog.text
    assert "***" in retries[0].getMessage()


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(max_total_seconds=0)
