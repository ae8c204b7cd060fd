"""The emulated tenant's state: tables of records in Nue's wire shape, numbering, stamps and the change feed.

Records are plain dicts exactly as they go on the wire (camelCase keys, ``Decimal`` amounts, ISO date and
timestamp strings), so a list filter compares what a client sees. Every insert and update goes through
:meth:`NueStore.insert` / :meth:`NueStore.touch`, which stamp ``createdDate``/``lastModifiedDate`` from the
tenant clock and append an event to the change feed; nothing else writes a table. One re-entrant lock guards
everything: domain functions take it for a whole operation so a request is applied atomically.
"""

from __future__ import annotations

import copy
import itertools
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .clock import TenantClock, iso_timestamp
from .errors import NueError
from .settings import NueEmulatorSettings

Record = dict[str, Any]

#: the tables, by wire name; the event object type of each is in EVENT_OBJECT
TABLES: tuple[str, ...] = (
    "customers",
    "products",
    "priceBookEntries",
    "orders",
    "subscriptions",
    "assets",
    "entitlements",
    "invoices",
    "creditMemos",
    "payments",
    "paymentApplications",
    "creditApplications",
    "webhooks",
)
EVENT_OBJECT: dict[str, str] = {
    "customers": "customer",
    "products": "product",
    "priceBookEntries": "price_book_entry",
    "orders": "order",
    "subscriptions": "subscription",
    "assets": "asset",
    "entitlements": "entitlement",
    "invoices": "invoice",
    "creditMemos": "credit_memo",
    "payments": "payment",
    "paymentApplications": "payment_application",
    "creditApplications": "credit_application",
}
#: nested rows that are part of their parent's document and share its stamps
CHILD_LISTS: tuple[str, ...] = ("orderProducts", "invoiceItems", "invoiceItemDetails", "creditMemoItems")
# ids are UUIDs derived from (kind, counter): a reset + reseed reproduces the same ids, so tests and the demo
# can name records without looking them up.
_ID_NAMESPACE = uuid.UUID("6a3f9a52-4b1e-4d0c-9a57-2f0f5f1e9e11")


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One read of the change feed."""

    events: list[Record]
    more: bool
    through: int


@dataclass(frozen=True, slots=True)
class IdempotentResult:
    """What an idempotency key did the first time: a fingerprint of the request entry and its result."""

    kind: str
    fingerprint: tuple[Any, ...]
    result: Record


class NueStore:
    """All records of one tenant, plus the feed of changes to them."""

    def __init__(self, settings: NueEmulatorSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.clock = TenantClock(settings.timezone, unique=settings.unique_timestamps)
        self._listeners: list[Callable[[], None]] = []
        self._clear()

    def _clear(self) -> None:
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in TABLES}
        self._counters: Counter[str] = Counter()
        self.idempotency: dict[str, IdempotentResult] = {}
        #: webhook signing secrets by subscription id (kept out of the records, which are served)
        self.webhook_secrets: dict[str, str] = {}
        self.events: deque[Record] = deque(maxlen=self.settings.event_retention)
        self.sequence = 0

    def reset(self) -> None:
        """Empty every table and the feed; the clock runs again (listeners stay registered)."""
        with self.lock:
            self._clear()
            self.clock.reset()

    # --- identity -------------------------------------------------------------------------------------
    def new_id(self, kind: str) -> str:
        with self.lock:
            self._counters[f"id:{kind}"] += 1
            return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}:{self._counters[f'id:{kind}']}"))

    def next_number(self, prefix: str, width: int = 8) -> str:
        """The next human number of a series: ``SUB-00000001``, ``INV-00000042``."""
        with self.lock:
            self._counters[f"no:{prefix}"] += 1
            return f"{prefix}-{self._counters[f'no:{prefix}']:0{width}d}"

    # --- reads --------------------------------------------------------------------------------------
    def get(self, table: str, key: str) -> Record | None:
        return self.tables[table].get(key)

    def require(self, table: str, key: str, kind: str) -> Record:
        record = self.tables[table].get(key)
        if record is None:
            raise NueError.not_found(kind, key)
        return record

    def find(self, table: str, field: str, value: Any) -> Record | None:
        return next((r for r in self.tables[table].values() if r.get(field) == value), None)

    def rows(self, table: str) -> list[Record]:
        return list(self.tables[table].values())

    def snapshot(self, record: Any) -> Any:
        """A deep copy to render outside the lock (a concurrent write must not change a body mid-render)."""
        with self.lock:
            return copy.deepcopy(record)

    # --- writes -------------------------------------------------------------------------------------
    def insert(self, table: str, record: Record, *, event: str | None = "created") -> Record:
        """Store a new record, stamping ``createdDate``/``lastModifiedDate``; emit ``<object>.<event>``."""
        with self.lock:
            stamp = iso_timestamp(self.clock.stamp())
            record.setdefault("createdDate", stamp)
            record["lastModifiedDate"] = stamp
            _stamp_children(record, stamp)
            self.tables[table][record["id"]] = record
            if event is not None and table in EVENT_OBJECT:
                self.emit(f"{EVENT_OBJECT[table]}.{event}", table, record)
            return record

    def touch(self, table: str, record: Record, *, event: str | None = "updated") -> Record:
        """Mark an updated record: a new ``lastModifiedDate`` and an event."""
        with self.lock:
            stamp = iso_timestamp(self.clock.stamp())
            record["lastModifiedDate"] = stamp
            _stamp_children(record, stamp)
            if event is not None and table in EVENT_OBJECT:
                self.emit(f"{EVENT_OBJECT[table]}.{event}", table, record)
            return record

    # --- change feed --------------------------------------------------------------------------------
    def emit(self, event_type: str, table: str, record: Record) -> Record:
        with self.lock:
            self.sequence += 1
            event = {
                "id": str(uuid.uuid5(_ID_NAMESPACE, f"event:{self.sequence}")),
                "sequence": self.sequence,
                "type": event_type,
                "objectType": EVENT_OBJECT.get(table, table),
                "objectId": record.get("id"),
                "createdDate": record.get("lastModifiedDate") or iso_timestamp(self.clock.stamp()),
                "data": copy.deepcopy(record),
            }
            self.events.append(event)
        for listener in list(self._listeners):
            listener()
        return event

    def events_after(self, sequence: int, limit: int, types: Iterable[str] | None = None) -> FeedPage:
        """Events with a sequence above ``sequence`` (at most ``limit``, of ``types`` if given).

        ``through`` is the cursor to resume from: the last event returned when more follow, else the feed's
        head at the time of reading (so events of other types are not scanned again). A cursor older than the
        oldest retained event answers 410: events in between are gone, and a reader must re-read the records
        themselves before following the feed again.
        """
        wanted = set(types) if types else None
        with self.lock:
            if self.events and sequence < self.events[0]["sequence"] - 1:
                raise NueError(
                    410,
                    "CURSOR_EXPIRED",
                    f"Events after sequence {sequence} are no longer retained; the oldest kept event is "
                    f"{self.events[0]['sequence']}. Re-read the records, then follow the feed from its head.",
                )
            # sequences are consecutive, so the first event after the cursor is found by position; events
            # never change once written, so they are handed out without copying
            start = max(0, sequence - self.events[0]["sequence"] + 1) if self.events else 0
            found: list[Record] = []
            for event in itertools.islice(self.events, start, None):
                if wanted is not None and event["type"] not in wanted:
                    continue
                if len(found) == limit:
                    return FeedPage(found, True, found[-1]["sequence"])
                found.append(event)
            return FeedPage(found, False, max(self.sequence, sequence))

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the writing thread) after every new event — the webhook dispatcher."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # --- sandbox stats --------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self.lock:
            counts = {name: len(rows) for name, rows in self.tables.items()}
            counts["events"] = self.sequence
            return counts


def _stamp_children(record: Record, stamp: str) -> None:
    for key in CHILD_LISTS:
        for child in record.get(key) or ():
            child.setdefault("createdDate", stamp)
            child["lastModifiedDate"] = stamp
            _stamp_children(child, stamp)
