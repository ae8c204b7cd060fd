"""Which Nue streams a billing-to-erp run reads, from the change feed and its hub checkpoint."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from ledgerbridge.connectors.nue import NueClient
from ledgerbridge.connectors.nue.errors import CursorExpired
from ledgerbridge.connectors.nue.records import Event
from ledgerbridge.connectors.nue.writes import FeedPage
from ledgerbridge.flows.billing_to_erp.feed import (
    ALL_STREAMS,
    FEED_STREAM,
    INVOICES,
    changed_streams,
    save_cursor,
)
from ledgerbridge.hub import HubStore

FLOW = "billing-to-erp"


class FakeFeed:
    """The change feed as a list of (sequence, object type); pages of two events."""

    def __init__(self, events: list[tuple[int, str]], *, oldest: int = 1) -> None:
        self.events = events
        self.oldest = oldest
        self.calls: list[tuple[int, list[str]]] = []

    async def events_page(
        self, after_sequence: int = 0, *, limit: int | None = None, types: Iterable[str] | None = None
    ) -> FeedPage:
        wanted = list(types or ())
        self.calls.append((after_sequence, wanted))
        if after_sequence < self.oldest - 1:
            raise CursorExpired("events after that cursor are gone")
        head = max([after_sequence, *(seq for seq, _ in self.events)])
        found = [
            _event(seq, kind)
            for seq, kind in self.events
            if seq > after_sequence and (not wanted or kind in wanted)
        ]
        if len(found) > 2:
            return FeedPage(found[:2], True, found[1].sequence)
        return FeedPage(found, False, head)


def _event(sequence: int, kind: str) -> Event:
    data: dict[str, Any] = {
        "id": f"e{sequence}",
        "sequence": sequence,
        "type": f"{kind}.updated",
        "createdDate": datetime(2026, 11, 23, tzinfo=UTC).isoformat(),
        "objectType": kind,
        "objectId": f"x{sequence}",
    }
    return Event.model_validate(data)


def _client(feed: FakeFeed) -> NueClient:
    return cast(NueClient, feed)


async def test_first_run_reads_every_stream_and_starts_the_feed_at_its_head(hub: HubStore) -> None:
    feed = FakeFeed([(1, "order"), (2, "payment")])

    changes = await changed_streams(_client(feed), hub, FLOW)

    assert changes.streams == frozenset(ALL_STREAMS) and changes.through == 2
    assert len(feed.calls) == 1  # the head in one request, not a walk through history
    save_cursor(hub, FLOW, changes)
    assert hub.get_checkpoint(FLOW, FEED_STREAM) == "2"


async def test_only_the_streams_with_events_are_read_and_the_cursor_moves_past_all(hub: HubStore) -> None:
    hub.stage(FLOW, [], checkpoint=(FEED_STREAM, "2"))
    feed = FakeFeed([(1, "customer"), (2, "customer"), (3, "payment"), (4, "invoice"), (5, "product")])

    changes = await changed_streams(_client(feed), hub, FLOW)

    assert changes.streams == frozenset({INVOICES}) and changes.through == 5
    assert [after for after, _ in feed.calls] == [2, 4]  # paged until the feed had no more


async def test_nothing_new_costs_one_request_and_reads_no_stream(hub: HubStore) -> None:
    hub.stage(FLOW, [], checkpoint=(FEED_STREAM, "7"))
    feed = FakeFeed([(7, "order")])

    changes = await changed_streams(_client(feed), hub, FLOW)

    assert changes.streams == frozenset() and changes.through == 7 and len(feed.calls) == 1


async def test_an_expired_cursor_reads_every_stream_and_keeps_the_cursor(hub: HubStore) -> None:
    hub.stage(FLOW, [], checkpoint=(FEED_STREAM, "3"))
    feed = FakeFeed([(10, "order")], oldest=10)

    changes = await changed_streams(_client(feed), hub, FLOW)

    assert changes.streams == frozenset(ALL_STREAMS) and changes.through is None
    assert changes.note is not None and "change feed" in changes.note
    save_cursor(hub, FLOW, changes)
    assert hub.get_checkpoint(FLOW, FEED_STREAM) == "3"
