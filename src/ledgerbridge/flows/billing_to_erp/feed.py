"""Which Nue streams changed since the last run, from Nue's change feed (``GET /events``).

A run triggered every few seconds must not list three record streams to learn that nothing happened: one
feed request answers that. The feed only says *what* changed; the records themselves are still read from
their incremental streams (their checkpoints, lookback and page-by-page commits stay the single way records
enter the hub), so the feed can never stage a record in a shape the streams would not.

The feed cursor is a hub checkpoint like any other (stream ``nue.events``). It is saved only after the
streams it pointed at were read and committed: a crash in between re-reads them, never skips them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ledgerbridge.connectors.nue import NueClient
from ledgerbridge.connectors.nue.errors import CursorExpired
from ledgerbridge.hub import HubStore

FEED_STREAM = "nue.events"
CUSTOMERS = "nue.customers"
ORDERS = "nue.orders"
INVOICES = "nue.invoices"
CREDIT_MEMOS = "nue.credit_memos"
#: every stream the reader knows, in the order it reads them (an invoice needs its order in the hub, a
#: credit memo of a negative change needs that change's return authorization)
ALL_STREAMS: tuple[str, ...] = (CUSTOMERS, ORDERS, INVOICES, CREDIT_MEMOS)
#: Nue event object type → the stream holding those records (change orders are orders in Nue)
STREAM_OF: dict[str, str] = {
    "customer": CUSTOMERS,
    "order": ORDERS,
    "invoice": INVOICES,
    "credit_memo": CREDIT_MEMOS,
}
#: an event type no event has: a filtered read answers with no events and the feed's head as its cursor
_HEAD_PROBE = "ledgerbridge.head"


@dataclass(frozen=True, slots=True)
class FeedChanges:
    """What a run should read, and the feed cursor to save once it has."""

    streams: frozenset[str]
    #: the sequence to resume from next run (None: keep the saved one)
    through: int | None
    note: str | None = None


async def changed_streams(nue: NueClient, hub: HubStore, flow: str) -> FeedChanges:
    """The streams with events after the saved feed cursor; every stream on the first run or when the
    feed no longer holds the events after the cursor."""
    saved = await asyncio.to_thread(hub.get_checkpoint, flow, FEED_STREAM)
    try:
        if saved is None:
            # the head is taken BEFORE the streams are read: a change made during the read is then both
            # read now and announced next run (staging it twice is a no-op), never missed
            head = (await nue.events_page(0, limit=1, types=[_HEAD_PROBE])).last_sequence
            return FeedChanges(frozenset(ALL_STREAMS), head)
        return await _follow(nue, int(saved))
    except CursorExpired:
        return FeedChanges(
            frozenset(ALL_STREAMS),
            None,
            "Nue's change feed no longer holds the events after the saved cursor; every stream was read "
            "from its own checkpoint (nothing is lost, each run costs a full incremental read)",
        )


async def _follow(nue: NueClient, cursor: int) -> FeedChanges:
    streams: set[str] = set()
    while True:
        page = await nue.events_page(cursor)
        for event in page.events:
            kind = event.object_type or event.type.split(".", 1)[0]
            if kind in STREAM_OF:
                streams.add(STREAM_OF[kind])
        cursor = page.last_sequence
        if not page.has_more:
            return FeedChanges(frozenset(streams), cursor)


def save_cursor(hub: HubStore, flow: str, changes: FeedChanges) -> None:
    """Remember the feed position after the streams it announced are committed."""
    if changes.through is None:
        return
    value = str(changes.through)
    if hub.get_checkpoint(flow, FEED_STREAM) != value:
        hub.stage(flow, [], checkpoint=(FEED_STREAM, value))
