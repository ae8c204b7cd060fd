"""An httpx transport that puts every request of a connector through its connection's limiter.

Connectors accept ``transport=`` (DESIGN §2), so the engine wraps them without the connectors importing the
engine. The slot is held until the response body is closed — the server counts a request as in flight until
it has sent the whole answer, and a streamed CSV export can take a while.

A 429 is reported to the limiter (pause + shrink) and returned unchanged: turning it into a ``Retriable``
with the right ``retry_after`` is the connector's job (its ``errors.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from ledgerbridge.connectors.http_errors import parse_retry_after
from ledgerbridge.engine.limits import ConnectionLimiter, Slot


class _SlotReleasingStream(httpx.AsyncByteStream):
    """Passes the body through and releases the limiter slot when the response is closed."""

    def __init__(self, inner: httpx.AsyncByteStream, slot: Slot) -> None:
        self._inner = inner
        self._slot = slot

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._slot.release()


class LimitedTransport(httpx.AsyncBaseTransport):
    """Wraps ``inner`` (default :class:`httpx.AsyncHTTPTransport`) so each request takes a limiter slot."""

    def __init__(self, limiter: ConnectionLimiter, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.limiter = limiter
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        slot = await self.limiter.acquire()
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            slot.release()
            raise
        if response.status_code == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            self.limiter.on_throttled(retry_after, started_at=slot.started_at)
        elif response.status_code < 500:
            # any answer but overload (a 400 for a bad record included) means the server had capacity
            self.limiter.on_success(started_at=slot.started_at)
        stream = response.stream
        if response.is_closed or not isinstance(stream, httpx.AsyncByteStream):
            # a response built in memory is already read and nobody will close it again: release now
            slot.release()
        else:
            response.stream = _SlotReleasingStream(stream, slot)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
