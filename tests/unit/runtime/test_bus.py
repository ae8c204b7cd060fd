"""The in-process event bus: routing by pattern, non-blocking publish, isolation of failing handlers."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ledgerbridge.flows.base import Event
from ledgerbridge.runtimes.local.bus import EventBus, Handler


async def test_publish_reaches_matching_subscribers_only() -> None:
    bus = EventBus()
    seen: dict[str, list[str]] = {"closed": [], "any_netsuite": [], "nue": []}

    def recorder(bucket: str) -> Handler:
        async def handle(event: Event) -> None:
            seen[bucket].append(event.key)

        return handle

    bus.subscribe("netsuite.period.closed", recorder("closed"))
    bus.subscribe("netsuite.*", recorder("any_netsuite"))
    bus.subscribe("nue.*", recorder("nue"))
    assert await bus.publish(Event("netsuite.period.closed", "2026-03")) == 2
    assert await bus.publish(Event("netsuite.period.opened", "2026-04")) == 1
    assert await bus.publish(Event("pigment.import.done", "x")) == 0
    await bus.drain()
    assert seen == {"closed": ["2026-03"], "any_netsuite": ["2026-03", "2026-04"], "nue": []}
    assert bus.published_total == 3


async def test_publish_does_not_wait_for_handlers() -> None:
    bus = EventBus()
    release = asyncio.Event()
    done: list[str] = []

    async def slow(event: Event) -> None:
        await release.wait()
        done.append(event.key)

    bus.subscribe("flow.*", slow)
    await asyncio.wait_for(bus.publish(Event("flow.go", "1")), 0.5)
    assert bus.pending == 1 and done == []
    release.set()
    await bus.drain()
    assert done == ["1"] and bus.pending == 0


async def test_a_failing_handler_is_logged_and_isolated(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    delivered: list[str] = []

    async def broken(event: Event) -> None:
        raise RuntimeError("handler bug")

    async def fine(event: Event) -> None:
        delivered.append(event.key)

    bus.subscribe("x", broken)
    bus.subscribe("x", fine)
    with caplog.at_level(logging.ERROR, logger="ledgerbridge.runtimes.local.bus"):
        await bus.publish(Event("x", "k"))
        await bus.drain()
    assert delivered == ["k"]
    assert "handler for x failed on event x (key k)" in caplog.text


async def test_cancelled_subscriptions_receive_nothing() -> None:
    bus = EventBus()
    seen: list[str] = []

    async def handle(event: Event) -> None:
        seen.append(event.key)

    subscription = bus.subscribe("x", handle)
    subscription.cancel()
    subscription.cancel()  # harmless twice
    assert await bus.publish(Event("x", "k")) == 0
    await bus.drain()
    assert seen == []


async def test_close_cancels_running_deliveries() -> None:
    bus = EventBus()
    started = asyncio.Event()

    async def forever(event: Event) -> None:
        started.set()
        await asyncio.Event().wait()

    bus.subscribe("x", forever)
    await bus.publish(Event("x", "k"))
    await started.wait()
    await asyncio.wait_for(bus.close(), 1)
    assert bus.pending == 0
    assert await bus.publish(Event("x", "k2")) == 0
