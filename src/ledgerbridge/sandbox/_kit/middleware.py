"""The ASGI middleware that puts governance and faults in front of an emulator's vendor API.

Order of checks for each request (``/_sandbox/*`` bypasses all of them and is never counted):

1. count it (``requests_total``, ``requests_by_route``);
2. concurrency limit: more than ``concurrency_limit`` in flight → 429 at once (the slot is not taken);
3. requests-per-minute window → 429 with ``Retry-After`` = seconds until the window frees a slot;
4. ``throttle_rate`` → 429; ``error_rate`` → 500 or 503 (counted in ``faults_injected_total``);
5. ``latency_ms`` sleep, while holding the concurrency slot, so slow requests really overlap;
6. serve it; for writes (``is_write``), ``drop_response_after_commit_rate`` lets the write commit, then
   sends the start of a response and closes the connection, so the client sees a transport error and
   cannot know whether the write happened — the case idempotent upserts exist for.

How a refusal looks is the emulator's business (each vendor has its own error body), so the middleware
asks ``render_rejection`` for the response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import FaultInjector, FaultSettings
from .limits import ConcurrencyGate, RateWindow
from .stats import Stats

RejectionKind = Literal["concurrency", "rate", "throttle", "error"]
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ADMIN_PREFIX = "/_sandbox"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why the middleware refused a request, for the emulator to render in its vendor's shape."""

    kind: RejectionKind
    status: int
    retry_after: int | None = None


RenderRejection = Callable[[Rejection], Response]
RouteKey = Callable[[Scope], str]
IsWrite = Callable[[Scope], bool]


class SandboxKit:
    """The per-emulator shared state: fault knobs, counters and the two limits."""

    def __init__(self, defaults: FaultSettings | None = None) -> None:
        self.faults = FaultInjector(defaults)
        self.stats = Stats()
        self.gate = ConcurrencyGate()
        self.window = RateWindow()

    def reset(self) -> None:
        """Counters to zero, knobs back to the start values, an empty rate window."""
        self.faults.reset()
        self.stats.reset()
        self.window.reset()


def default_route_key(scope: Scope) -> str:
    return f"{scope.get('method', '')} {scope.get('path', '')}"


def default_is_write(scope: Scope) -> bool:
    return str(scope.get("method", "")).upper() in _WRITE_METHODS


class SandboxMiddleware:
    """Pure ASGI middleware (no response buffering except for the drop-after-commit fault)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        kit: SandboxKit,
        render_rejection: RenderRejection,
        route_key: RouteKey = default_route_key,
        is_write: IsWrite = default_is_write,
    ) -> None:
        self.app = app
        self.kit = kit
        self.render_rejection = render_rejection
        self.route_key = route_key
        self.is_write = is_write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        kit = self.kit
        settings = kit.faults.settings
        kit.stats.record_request(self.route_key(scope))

        if not kit.gate.try_enter(settings.concurrency_limit):
            kit.stats.record_throttled()
            await self._reject(Rejection("concurrency", 429, retry_after=1), scope, receive, send)
            return
        try:
            rejection = self._draw_rejection(settings)
            if rejection is not None:
                await self._reject(rejection, scope, receive, send)
                return
            if settings.latency_ms:
                await anyio.sleep(settings.latency_ms / 1000)
            if settings.drop_response_after_commit_rate > 0 and self.is_write(scope):
                await self._serve_maybe_dropping(settings, scope, receive, send)
            else:
                await self.app(scope, receive, send)
        finally:
            kit.gate.leave()

    def _draw_rejection(self, settings: FaultSettings) -> Rejection | None:
        kit = self.kit
        wait = kit.window.try_acquire(settings.requests_per_minute)
        if wait is not None:
            kit.stats.record_throttled()
            return Rejection("rate", 429, retry_after=int(wait))
        if kit.faults.roll(settings.throttle_rate):
            kit.stats.record_throttled()
            kit.stats.record_fault()
            return Rejection("throttle", 429, retry_after=1)
        if kit.faults.roll(settings.error_rate):
            kit.stats.record_fault()
            return Rejection("error", kit.faults.choose((500, 503)))
        return None

    async def _reject(self, rejection: Rejection, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.render_rejection(rejection)
        await response(scope, receive, send)

    async def _serve_maybe_dropping(
        self, settings: FaultSettings, scope: Scope, receive: Receive, send: Send
    ) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        status = next((int(m["status"]) for m in messages if m["type"] == "http.response.start"), 500)
        if status < 400 and self.kit.faults.roll(settings.drop_response_after_commit_rate):
            self.kit.stats.record_fault()
            # Promise a body, send a sliver of it, return: the server closes the connection mid-response.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"65536")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"', "more_body": True})
            return
        for message in messages:
            await send(message)
