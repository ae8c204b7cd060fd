"""An in-process async event bus: flows with an event trigger listen to it.

``publish`` does not wait for handlers: a handler may start a flow run that takes minutes, and the publisher
(an API request, another flow) must not be held up by it. Each delivery is its own task; ``drain()`` waits for
all of them (shutdown, tests). A failing handler is logged and does not affect other handlers.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ledgerbridge.flows.base import Event
from ledgerbridge.log import get_logger

__all__ = ["Event", "EventBus", "Handler", "Subscription"]

_log = get_logger("ledgerbridge.runtimes.local.bus")

Handler = Callable[[Event], Awaitable[None]]


@dataclass(eq=False, slots=True)
class Subscription:
    """A handler listening to event names matching ``pattern``; ``cancel()`` stops delivery."""

    pattern: str
    handler: Handler
    bus: EventBus

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.pattern)

    def cancel(self) -> None:
        self.bus._unsubscribe(self)


class EventBus:
    """Publish/subscribe by event name (shell-style patterns such as ``netsuite.period.*``)."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.published_total = 0

    def subscribe(self, pattern: str, handler: Handler) -> Subscription:
        subscription = Subscription(pattern, handler, self)
        self._subscriptions.append(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    async def publish(self, event: Event) -> int:
        """Deliver ``event`` to every matching handler (each in its own task); return how many."""
        self.published_total += 1
        matching = [sub for sub in self._subscriptions if sub.matches(event.name)]
        for subscription in matching:
            task = asyncio.create_task(
                self._deliver(subscription, event), name=f"event:{event.name}:{subscription.pattern}"
            )
            # keep a strong reference: the loop only holds weak ones and could drop a running delivery
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if not matching:
            _log.debug("event %s (key %s) has no subscribers", event.name, event.key)
        return len(matching)

    async def _deliver(self, subscription: Subscription, event: Event) -> None:
        try:
            await subscription.handler(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            _log.exception(
                "handler for %s failed on event %s (key %s)", subscription.pattern, event.name, event.key
            )

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until every delivery so far (and any they cause) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel deliveries still running and forget every subscription."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._subscriptions.clear()
