"""The limiter measured where it matters: at a server, over real HTTP (uvicorn on loopback).

Eight "flows" (tasks), each with its own httpx client, share one connection's limiter through the registry.
The fake vendor records every arrival time and how many requests it is handling at once, and — like
NetSuite or Pigment — answers 429 when a limit is broken. We keep it at its limits, never over them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from ledgerbridge.engine.limits import LimiterRegistry, LimitSettings
from ledgerbridge.engine.transport import LimitedTransport
from tests.support.servers import serve


@dataclass
class VendorLog:
    """What the fake vendor saw. Only touched from the server's event loop thread."""

    concurrency_limit: int
    requests_per_window: int
    window: float
    latency: float
    throttle_request_number: int | None = None
    retry_after: int = 1
    arrivals: list[float] = field(default_factory=list)
    in_flight_at_arrival: list[int] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    rejected_over_limit: int = 0
    throttled_at: float | None = None
    _recent: deque[float] = field(default_factory=deque)

    def max_in_any_window(self) -> int:
        ordered = sorted(self.arrivals)
        best, start = 0, 0
        for end, moment in enumerate(ordered):
            while ordered[start] <= moment - self.window:
                start += 1
            best = max(best, end - start + 1)
        return best


def vendor_app(log: VendorLog) -> FastAPI:
    app = FastAPI()

    @app.get("/work/{flow}/{n}")
    async def work(flow: int, n: int) -> Response:
        now = time.monotonic()
        log.arrivals.append(now)
        log.in_flight += 1
        log.in_flight_at_arrival.append(log.in_flight)
        log.peak = max(log.peak, log.in_flight)
        log._recent.append(now)
        while log._recent and log._recent[0] <= now - log.window:
            log._recent.popleft()
        try:
            if log.in_flight > log.concurrency_limit or len(log._recent) > log.requests_per_window:
                log.rejected_over_limit += 1
                return JSONResponse(
                    {"title": "Too Many Requests"}, status_code=429, headers={"Retry-After": "5"}
                )
            if log.throttle_request_number is not None and len(log.arrivals) == log.throttle_request_number:
                # a throttle the client could not foresee (another integration used the account's budget)
                log.throttled_at = now
                return JSONResponse(
                    {"title": "Too Many Requests"},
                    status_code=429,
                    headers={"Retry-After": str(log.retry_after)},
                )
            await asyncio.sleep(log.latency)
            return JSONResponse({"flow": flow, "n": n})
        finally:
            log.in_flight -= 1

    return app


async def run_flows(
    base_url: str, registry: LimiterRegistry, settings: LimitSettings, *, flows: int, requests_each: int
) -> list[int]:
    """``flows`` concurrent tasks, each with its own client, two requests at a time; all status codes."""
    statuses: list[int] = []
    limiters = []

    async def one_flow(flow: int) -> None:
        limiter = registry.limiter_for("netsuite", settings)
        limiters.append(limiter)
        async with httpx.AsyncClient(
            base_url=base_url, transport=LimitedTransport(limiter), timeout=30
        ) as client:
            for pair in range(0, requests_each, 2):
                responses = await asyncio.gather(
                    *(client.get(f"/work/{flow}/{n}") for n in range(pair, min(pair + 2, requests_each)))
                )
                statuses.extend(response.status_code for response in responses)

    await asyncio.gather(*(one_flow(flow) for flow in range(flows)))
    assert all(limiter is limiters[0] for limiter in limiters)  # one limiter per connection, process-wide
    return statuses


@pytest.mark.slow
async def test_eight_flows_never_exceed_concurrency_or_rate_at_the_server() -> None:
    settings = LimitSettings(concurrency=3, requests_per_window=120, window_seconds=60.0)
    log = VendorLog(concurrency_limit=3, requests_per_window=120, window=60.0, latency=0.02)
    registry = LimiterRegistry()
    with serve(vendor_app(log)) as base_url:
        statuses = await run_flows(base_url, registry, settings, flows=8, requests_each=20)

    limiter = registry.limiter_for("netsuite")
    assert len(statuses) == 160 and set(statuses) == {200}  # zero 429s
    assert log.rejected_over_limit == 0
    assert len(log.arrivals) == 160
    # crossed the window: the last 40 had to wait for the first minute's budget to free up
    assert max(log.arrivals) - min(log.arrivals) >= 60.0
    # never over either limit, and actually AT both (the limiter does not leave budget unused)
    assert log.peak == 3
    assert log.max_in_any_window() == 120
    assert limiter.requests_total == 160
    assert limiter.throttled_total == 0
    assert limiter.in_flight == 0


async def test_429_retry_after_is_honoured_and_concurrency_shrinks_then_recovers() -> None:
    settings = LimitSettings(concurrency=3, requests_per_window=120, window_seconds=60.0)
    log = VendorLog(
        concurrency_limit=3,
        requests_per_window=120,
        window=60.0,
        latency=0.02,
        throttle_request_number=20,
        retry_after=1,
    )
    registry = LimiterRegistry()
    with serve(vendor_app(log)) as base_url:
        statuses = await run_flows(base_url, registry, settings, flows=8, requests_each=10)

    limiter = registry.limiter_for("netsuite")
    assert statuses.count(429) == 1
    assert log.rejected_over_limit == 0
    assert limiter.throttled_total == 1
    assert log.throttled_at is not None
    pause_ends = log.throttled_at + log.retry_after
    # requests already on the wire when the 429 left the server arrive at once; nothing else until it passes
    during = [t for t in log.arrivals if log.throttled_at < t < pause_ends]
    assert all(t < log.throttled_at + 0.25 for t in during), during
    assert len(during) <= settings.concurrency
    after = [index for index, t in enumerate(log.arrivals) if t >= pause_ends]
    assert len(after) >= 50  # the work went on after the pause
    # shrunk: concurrency 3 -> 1, so the first requests after the pause were alone at the server
    assert [log.in_flight_at_arrival[index] for index in after[:2]] == [1, 1]
    # ... and recovered additively to the ceiling
    assert max(log.in_flight_at_arrival[index] for index in after) == 3
    assert limiter.effective_concurrency == 3
