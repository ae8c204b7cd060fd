"""Backoff and in-call retry for transient (``Retriable``) failures (DESIGN §4.4).

Two layers retry in ledgerbridge, and they must not be confused:

* **in-call** (this module's :func:`retrying`): a request that hit a 429/5xx/timeout is tried again a few
  times within seconds, so one hiccup does not fail a record;
* **across runs** (the executor): a record whose attempts are spent here goes ``failed`` with
  ``next_attempt_at = now + backoff_delay(attempts)`` and is claimed again later.

Only :class:`~ledgerbridge.errors.Retriable` is retried. ``Fatal``, ``RecordRejected`` and
``ActionNeeded`` propagate at once: trying again cannot fix a credential, a bad payload or a closed period.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from ledgerbridge.errors import Retriable
from ledgerbridge.log import get_logger, redact

_log = get_logger("ledgerbridge.engine.retry")

T = TypeVar("T")


def backoff_delay(
    attempt: int,
    *,
    base: float = 1.0,
    cap: float = 300.0,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based), using full jitter.

    Full jitter (uniform between 0 and the exponential ceiling) spreads competing clients apart,
    which matters because every flow shares one vendor limit. A server's ``retry_after`` is a
    floor: waiting less would only earn another 429.
    """
    exponent = max(attempt, 1) - 1
    # 2.0**exponent overflows a float past ~1024; by then the cap has long applied
    ceiling = min(cap, base * 2.0**exponent) if exponent < 1024 else cap
    delay = random.uniform(0.0, max(ceiling, 0.0))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to retry one call: at most ``max_attempts`` tries within ``max_total_seconds``."""

    max_attempts: int = 5
    max_total_seconds: float = 120.0
    base: float = 1.0
    cap: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.max_total_seconds <= 0:
            raise ValueError(f"max_total_seconds must be positive, got {self.max_total_seconds}")


class _wait_full_jitter(wait_base):
    """tenacity wait: :func:`backoff_delay` for this attempt, floored by the error's ``retry_after``."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = error.retry_after if isinstance(error, Retriable) else None
        return backoff_delay(
            retry_state.attempt_number, base=self._policy.base, cap=self._policy.cap, retry_after=retry_after
        )


class _stop_total_time(stop_base):
    """Stop when the next sleep would end past the time budget.

    Elapsed time is the larger of wall time and the sleeps planned so far, so the cap holds with an
    injected (fake) ``sleep`` too.
    """

    def __init__(self, max_total_seconds: float) -> None:
        self._max = max_total_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = max(retry_state.seconds_since_start or 0.0, retry_state.idle_for)
        return elapsed + retry_state.upcoming_sleep >= self._max


def _log_retry(operation: str, policy: RetryPolicy) -> Callable[[RetryCallState], None]:
    def before_sleep(retry_state: RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        # str(error) is already a vendor's documented message; redact anyway in case a secret slipped in
        _log.warning(
            "retrying %s after attempt %d/%d in %.2fs: %s",
            operation,
            retry_state.attempt_number,
            policy.max_attempts,
            retry_state.upcoming_sleep,
            redact(f"{type(error).__name__}: {error}") if error else "no error",
            extra={"operation": operation, "attempt": retry_state.attempt_number},
        )

    return before_sleep


def retrying(
    policy: RetryPolicy | None = None,
    *,
    operation: str = "call",
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncRetrying:
    """A tenacity ``AsyncRetrying`` for in-call retries of :class:`Retriable` errors only.

    Use it as ``async for attempt in retrying(policy, operation="suiteql page"): with attempt: ...``.
    When attempts or time run out, the last ``Retriable`` itself is raised (not a tenacity ``RetryError``),
    so callers classify it like any other error.
    """
    policy = policy or RetryPolicy()
    return AsyncRetrying(
        retry=retry_if_exception_type(Retriable),
        wait=_wait_full_jitter(policy),
        stop=_stop_total_time(policy.max_total_seconds) | stop_after_attempt(policy.max_attempts),
        before_sleep=_log_retry(operation, policy),
        sleep=sleep,
        reraise=True,
    )


async def retry_call(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None = None,
    *,
    operation: str = "call",
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Await ``fn()`` with :func:`retrying`; return its result or raise its last error."""
    result: T
    async for attempt in retrying(policy, operation=operation, sleep=sleep):
        with attempt:
            result = await fn()
    return result
