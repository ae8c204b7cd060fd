"""The change feed's push side: webhook subscriptions and their delivery.

Nue configures webhooks in its settings and POSTs events to a subscriber URL (reference notes §1.6); the
payload shape, signing and retries are not public (GAP). The emulator sends ``{id, type, sequence,
createdDate, objectType, objectId, data}`` (``data``: the record as it was after the change), signs the body
with the subscription's secret as ``X-Nue-Signature: sha256=<hex HMAC-SHA256>`` (the header name is a
setting), and retries a failed delivery ``webhook_max_attempts`` times before recording it failed and moving
on. Deliveries to one subscriber go in sequence order, one at a time. In the sandbox a subscriber must listen
on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import threading
from collections import deque
from typing import Any

import httpx

from .._kit.jsonbody import dumps
from . import coerce
from .clock import iso_timestamp
from .errors import NueError
from .settings import NueEmulatorSettings
from .store import NueStore, Record

logger = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
_BATCH = 100


def register_webhook(store: NueStore, payload: Any) -> Record:
    """``POST /webhooks {url, eventTypes?: ["order.activated", ...] | ["*"], secret?}``."""
    body = coerce.obj(payload, "body")
    url = coerce.required_text(body, "url", "body")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise NueError.invalid(f"url '{url}' is not a URL.", field="url") from None
    if parsed.scheme not in ("http", "https") or parsed.host != LOOPBACK:
        raise NueError.invalid(
            f"Sandbox webhooks may only target http://{LOOPBACK}:<port>/...; got '{url}'.", field="url"
        )
    types = [str(t) for t in coerce.items(body.get("eventTypes"), "eventTypes", required=False)] or ["*"]
    secret = coerce.text(body, "secret", "body", required=False)
    with store.lock:
        record: Record = {
            "id": store.new_id("webhook"),
            "url": url,
            "eventTypes": types,
            "active": True,
            "signed": secret is not None,
            # only events after the registration are delivered
            "lastDeliveredSequence": store.sequence,
        }
        if secret is not None:
            store.webhook_secrets[record["id"]] = secret
        return store.insert("webhooks", record, event=None)


def delete_webhook(store: NueStore, webhook_id: str) -> Record:
    with store.lock:
        record = store.require("webhooks", webhook_id, "Webhook")
        del store.tables["webhooks"][webhook_id]
        store.webhook_secrets.pop(webhook_id, None)
        return record


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDispatcher:
    """Delivers new events to every active subscription, from a task on the app's event loop."""

    def __init__(self, store: NueStore, settings: NueEmulatorSettings) -> None:
        self._store = store
        self._settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()
        self._deliveries: deque[Record] = deque(maxlen=1000)

    async def start(self) -> None:
        if not self._settings.webhooks_enabled or self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=self._settings.webhook_timeout_seconds, trust_env=False)
        self._store.add_listener(self._notify)
        self._task = asyncio.create_task(self._run(), name="nue-webhooks")
        self._wake.set()  # subscriptions registered before the start may already have events waiting

    async def stop(self) -> None:
        task, self._task = self._task, None
        self._store.remove_listener(self._notify)
        self._loop = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def deliveries(self) -> list[Record]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()

    def poke(self) -> None:
        """Look for undelivered events now (thread-safe; a no-op until started)."""
        self._notify()

    def _notify(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing: nothing left to deliver to
            loop.call_soon_threadsafe(wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._store.lock:
                subscriptions = [dict(s) for s in self._store.rows("webhooks") if s["active"]]
            outcomes = await asyncio.gather(*(self._drain(s) for s in subscriptions), return_exceptions=True)
            for outcome in outcomes:
                # a bug in one subscriber's delivery must not stop the dispatcher for the others
                if isinstance(outcome, Exception):
                    logger.error("webhook delivery failed unexpectedly", exc_info=outcome)

    async def _drain(self, subscription: Record) -> None:
        wanted = None if "*" in subscription["eventTypes"] else subscription["eventTypes"]
        cursor = subscription["lastDeliveredSequence"]
        while True:
            try:
                page = self._store.events_after(cursor, _BATCH, wanted)
            except NueError:
                # the subscriber fell behind the retention window: skip to now and say so
                self._record(subscription, None, "expired", 0, None, "events expired before delivery")
                self._advance(subscription["id"], self._store.sequence)
                return
            for event in page.events:
                await self._deliver(subscription, event)
                if not self._advance(subscription["id"], event["sequence"]):
                    return
            cursor = page.through
            if not self._advance(subscription["id"], cursor) or not page.more:
                return

    def _advance(self, subscription_id: str, cursor: int) -> bool:
        with self._store.lock:
            live = self._store.get("webhooks", subscription_id)
            if live is None:  # deleted (or the sandbox was reset) meanwhile
                return False
            live["lastDeliveredSequence"] = max(live["lastDeliveredSequence"], cursor)
            return True

    async def _deliver(self, subscription: Record, event: Record) -> None:
        assert self._client is not None
        payload = {
            key: event[key]
            for key in ("id", "type", "sequence", "createdDate", "objectType", "objectId", "data")
        }
        body = dumps(payload)
        headers = {
            "Content-Type": "application/json",
            "X-Nue-Event-Type": event["type"],
            "X-Nue-Event-Id": event["id"],
        }
        secret = self._store.webhook_secrets.get(subscription["id"])
        if secret is not None:
            headers[self._settings.webhook_signature_header] = signature(secret, body)
        error: str | None = None
        status: int | None = None
        attempts = self._settings.webhook_max_attempts
        for attempt in range(1, attempts + 1):
            headers["X-Nue-Delivery-Attempt"] = str(attempt)
            try:
                response = await self._client.post(subscription["url"], content=body, headers=headers)
                status = response.status_code
                if response.is_success:
                    self._record(subscription, event, "delivered", attempt, status, None)
                    return
                error = f"HTTP {status}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            if attempt < attempts:
                await asyncio.sleep(self._settings.webhook_retry_seconds * attempt)
        self._record(subscription, event, "failed", attempts, status, error)

    def _record(
        self,
        subscription: Record,
        event: Record | None,
        outcome: str,
        attempts: int,
        status: int | None,
        error: str | None,
    ) -> None:
        with self._lock:
            self._deliveries.append(
                {
                    "webhookId": subscription["id"],
                    "url": subscription["url"],
                    "eventId": event["id"] if event else None,
                    "sequence": event["sequence"] if event else None,
                    "type": event["type"] if event else None,
                    "outcome": outcome,
                    "attempts": attempts,
                    "responseStatus": status,
                    "error": error,
                    "at": iso_timestamp(self._store.clock.now()),
                }
            )
