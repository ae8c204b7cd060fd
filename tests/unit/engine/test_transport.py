"""LimitedTransport in-process: slots per request, held until the body is closed; 429 feedback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from ledgerbridge.engine.limits import ConnectionLimiter, LimitSettings
from ledgerbridge.engine.transport import LimitedTransport, parse_retry_after

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("Tue, 31 Mar 2026 12:00:30 GMT", 30.0),
        ("Tue, 31 Mar 2026 11:59:00 GMT", 0.0),  # in the past: go now
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


class SlowBody(httpx.AsyncByteStream):
    """A streamed body (like a network response) that records whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"id,amount\n"
        yield b"1,10.00\n"

    async def aclose(self) -> None:
        self.closed = True


class StreamingInner(httpx.AsyncBaseTransport):
    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}
        self.bodies: list[SlowBody] = []
        self.seen_in_flight: list[int] = []
        self.limiter: ConnectionLimiter | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.limiter is not None
        self.seen_in_flight.append(self.limiter.in_flight)
        body = SlowBody()
        self.bodies.append(body)
        return httpx.Response(self.status, headers=self.headers, stream=body)


def make(inner: StreamingInner, **settings: int) -> tuple[ConnectionLimiter, httpx.AsyncClient]:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=settings.get("concurrency", 2)))
    inner.limiter = limiter
    client = httpx.AsyncClient(transport=LimitedTransport(limiter, inner), base_url="http://ns.test")
    return limiter, client


async def test_slot_is_held_until_a_streamed_body_is_closed() -> None:
    inner = StreamingInner()
    limiter, client = make(inner)
    async with client:
        async with client.stream("GET", "/export.csv") as response:
            assert inner.seen_in_flight == [1]
            assert limiter.in_flight == 1  # still streaming: still counts against concurrency
            body = await response.aread()
        assert body == b"id,amount\n1,10.00\n"
        assert inner.bodies[0].closed
        assert limiter.in_flight == 0
        response = await client.get("/again")  # a non-streamed call reads and closes at once
        assert limiter.in_flight == 0
        assert response.status_code == 200
    assert limiter.requests_total == 2


async def test_in_memory_responses_release_at_once() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=1))
    inner = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    async with httpx.AsyncClient(transport=LimitedTransport(limiter, inner)) as client:
        async with client.stream("GET", "http://x.test/a") as response:
            assert limiter.in_flight == 0
            assert (await response.aread()) == b'{"ok": true}'
        # concurrency 1 would dead-lock here if the first slot had leaked
        assert (await client.get("http://x.test/b")).status_code == 200
    assert limiter.requests_total == 2


async def test_429_feeds_the_limiter_and_is_returned_unchanged() -> None:
    inner = StreamingInner(status=429, headers={"Retry-After": "2"})
    limiter, client = make(inner, concurrency=4)
    async with client:
        response = await client.get("/record/v1/customer")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.content.startswith(b"id,amount")
    assert limiter.throttled_total == 1
    assert limiter.effective_concurrency == 2
    assert 1.5 < limiter.stats().paused_for <= 2.0


async def test_successes_grow_concurrency_back() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=4))
    limiter.on_throttled(0)
    assert limiter.effective_concurrency == 2
    inner = httpx.MockTransport(lambda request: httpx.Response(404))  # 4xx but not overload: capacity is fine
    async with httpx.AsyncClient(transport=LimitedTransport(limiter, inner)) as client:
        for _ in range(5):
            await client.get("http://x.test/missing")
    assert limiter.effective_concurrency == 4


async def test_server_errors_do_not_grow_concurrency() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=4))
    limiter.on_throttled(0)
    inner = httpx.MockTransport(lambda request: httpx.Response(503))
    async with httpx.AsyncClient(transport=LimitedTransport(limiter, inner)) as client:
        for _ in range(10):
            await client.get("http://x.test/down")
    assert limiter.effective_concurrency == 2


async def test_transport_errors_release_the_slot() -> None:
    limiter = ConnectionLimiter("ns", LimitSettings(concurrency=1))

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=LimitedTransport(limiter, httpx.MockTransport(refuse))) as client:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await client.get("http://x.test/")
    assert limiter.in_flight == 0
    assert limiter.requests_total == 3
