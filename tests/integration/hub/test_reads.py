"""Reads behind `hub list/show/stats`: filters, free text, stats with every state, links."""

from __future__ import annotations

from ledgerbridge.errors import RecordRejected
from ledgerbridge.hub import HubStore, Outcome, State
from tests.support.databases import FakeClock

from .helpers import FLOW, batch, staged


def test_get_find_and_find_by_external_id(hub: HubStore) -> None:
    (record_id,) = hub.stage(FLOW, [staged("INV-42")]).ids
    view = hub.find(FLOW, "nue", "invoice", "INV-42")
    assert view is not None and view.id == record_id and hub.get(record_id) == view
    assert hub.find_by_external_id("lb-nue-inv-INV-42") == view
    assert hub.find(FLOW, "nue", "invoice", "nope") is None
    assert hub.find_by_external_id("nope") is None and hub.get(999) is None


def test_list_filters_by_flow_state_text_and_time(hub: HubStore, hub_clock: FakeClock) -> None:
    hub.stage(FLOW, batch(3))
    hub.stage("period-close", [staged("JE-1")])
    (first, *_rest) = hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    later = hub_clock.advance(10)
    hub.record_outcomes("w", [Outcome(first.id, error=RecordRejected("Invalid Subsidiary_Ref 100%"))])
    assert len(hub.list()) == 4
    assert len(hub.list(flow=FLOW)) == 3
    assert [v.id for v in hub.list(state="failed")] == [first.id]
    assert [v.id for v in hub.list(text="subsidiary_ref 100%")] == [first.id]
    assert [v.source_id for v in hub.list(text="je-")] == ["JE-1"]
    assert hub.list(text="subsidiaryXref") == []
    assert [v.id for v in hub.list(since=later)] == [first.id]
    assert hub.list()[0].id == first.id  # most recently updated first
    assert len(hub.list(limit=2)) == 2 and len(hub.list(limit=2, offset=3)) == 1


def test_stats_count_every_state_per_flow(hub: HubStore) -> None:
    assert hub.stats() == {}
    hub.stage(FLOW, batch(3))
    hub.stage("period-close", batch(1))
    hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    stats = hub.stats()
    assert stats[FLOW] == {s.value: 0 for s in State} | {"pending": 2, "in_flight": 1}
    assert hub.stats("period-close") == {"period-close": {s.value: 0 for s in State} | {"pending": 1}}


def test_links_are_idempotent_and_found_from_both_ends(hub: HubStore) -> None:
    order, line_a, line_b = hub.stage(FLOW, [staged("SO-1"), staged("SO-1-L1"), staged("SO-1-L2")]).ids
    hub.link(order, line_a, "order_line")
    hub.link(order, line_a, "order_line")
    hub.link(order, line_b, "order_line")
    assert [(lk.parent_id, lk.child_id) for lk in hub.links(order)] == [(order, line_a), (order, line_b)]
    (link,) = hub.links(line_b)
    assert (link.parent_id, link.relation) == (order, "order_line")
