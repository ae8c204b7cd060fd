"""Staging is idempotent, notices changed payloads, and commits its checkpoint atomically with its rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgerbridge.hub import HubStore, Outcome, State
from ledgerbridge.hub import staging as staging_module
from ledgerbridge.hub.payloads import canonical_json, payload_hash
from tests.support.databases import FakeClock

from .helpers import FLOW, batch, staged


def test_new_records_arrive_pending_and_restaging_changes_nothing(
    hub: HubStore, hub_clock: FakeClock
) -> None:
    first = hub.stage(FLOW, batch(5))
    assert (first.new, first.changed, first.unchanged) == (5, 0, 0)
    before = [hub.require(i) for i in first.ids]
    hub_clock.advance(60)
    again = hub.stage(FLOW, batch(5))
    assert (again.new, again.changed, again.unchanged) == (0, 0, 5)
    assert again.ids == first.ids
    assert [hub.require(i) for i in first.ids] == before  # untouched, not even updated_at
    assert all(view.state is State.PENDING and view.attempts == 0 for view in before)
    assert [event.action for event in hub.audit(first.ids[0])] == ["staged"]


def test_payload_is_canonical_json_with_decimals_as_strings(hub: HubStore) -> None:
    record = staged("INV-1", amount="1234.50")
    result = hub.stage(FLOW, [record])
    view = hub.require(result.ids[0])
    assert view.payload == {"externalId": "lb-nue-inv-INV-1", "amount": "1234.50", "currency": "USD"}
    assert view.payload_hash == payload_hash(canonical_json(record.payload))
    reordered = staged(
        "INV-1", payload={"currency": "USD", "amount": Decimal("1234.50"), "externalId": "lb-nue-inv-INV-1"}
    )
    assert hub.stage(FLOW, [reordered]).unchanged == 1


def test_a_changed_payload_is_updated_in_place_while_pending(hub: HubStore) -> None:
    ids = hub.stage(FLOW, batch(2)).ids
    result = hub.stage(FLOW, batch(2, amount="120.00"))
    assert (result.new, result.changed, result.unchanged) == (0, 2, 0)
    view = hub.require(ids[0])
    assert view.state is State.PENDING
    assert view.payload["amount"] == "120.00"
    assert [e.action for e in hub.audit(ids[0])] == ["staged", "payload_changed"]


@pytest.mark.parametrize("outcome", ["transferred", "skipped"])
def test_a_changed_source_reopens_a_transferred_or_skipped_record(hub: HubStore, outcome: str) -> None:
    (record_id,) = hub.stage(FLOW, [staged("INV-7")]).ids
    hub.claim(FLOW, owner="w", limit=10, lease_seconds=60)
    result = (
        Outcome(record_id, target_id="T-7")
        if outcome == "transferred"
        else Outcome(record_id, skipped_reason="zero")
    )
    hub.record_outcomes("w", [result])
    assert hub.stage(FLOW, [staged("INV-7")]).unchanged == 1
    assert hub.require(record_id).state is State(outcome)

    assert hub.stage(FLOW, [staged("INV-7", amount="99.00")]).changed == 1
    view = hub.require(record_id)
    assert view.state is State.PENDING
    last = hub.audit(record_id)[-1]
    assert (last.action, last.from_state, last.to_state) == ("source_changed", State(outcome), State.PENDING)


def test_a_payload_changed_in_flight_is_sent_again_after_the_old_one_lands(hub: HubStore) -> None:
    (record_id,) = hub.stage(FLOW, [staged("INV-8")]).ids
    (claimed,) = hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    hub.stage(FLOW, [staged("INV-8", amount="5.00")])
    assert hub.require(record_id).state is State.IN_FLIGHT
    hub.record_outcomes("w", [Outcome(record_id, target_id="T-8")])
    view = hub.require(record_id)
    assert view.state is State.PENDING and view.target_id == "T-8"
    (again,) = hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    assert again.payload["amount"] == "5.00" and again.payload_hash != claimed.payload_hash
    assert again.target_id == "T-8"


def test_duplicate_keys_in_one_call_keep_the_last_version(hub: HubStore) -> None:
    result = hub.stage(
        FLOW, [staged("INV-1", amount="1.00"), staged("INV-2"), staged("INV-1", amount="2.00")]
    )
    assert (result.new, result.changed, result.unchanged) == (2, 0, 0)
    assert result.ids[0] == result.ids[2]
    assert hub.require(result.ids[0]).payload["amount"] == "2.00"


def test_the_same_source_id_in_two_flows_is_two_records(hub: HubStore) -> None:
    a = hub.stage(FLOW, [staged("INV-1")]).ids
    b = hub.stage("period-close", [staged("INV-1")]).ids
    assert a != b
    assert set(hub.stats()) == {FLOW, "period-close"}


def test_large_stages_cross_the_lookup_chunk(hub: HubStore) -> None:
    count = staging_module.LOOKUP_CHUNK * 2 + 7
    assert hub.stage(FLOW, batch(count)).new == count
    result = hub.stage(FLOW, batch(count))
    assert result.unchanged == count and len(set(result.ids)) == count


def test_checkpoint_is_written_with_the_rows(hub: HubStore) -> None:
    assert hub.get_checkpoint(FLOW, "nue.invoices") is None
    hub.stage(FLOW, batch(3), checkpoint=("nue.invoices", "c-1"))
    assert hub.get_checkpoint(FLOW, "nue.invoices") == "c-1"
    hub.stage(FLOW, batch(3, start=3), checkpoint=("nue.invoices", "c-2"))
    assert hub.get_checkpoint(FLOW, "nue.invoices") == "c-2"
    assert hub.get_checkpoint("period-close", "nue.invoices") is None


def test_a_failure_mid_transaction_writes_neither_rows_nor_checkpoint(
    hub: HubStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.stage(FLOW, batch(2), checkpoint=("nue.invoices", "c-1"))

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire after the rows were written")

    monkeypatch.setattr(staging_module, "write_checkpoint", crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        hub.stage(FLOW, [*batch(2, amount="7.00"), *batch(3, start=2)], checkpoint=("nue.invoices", "c-2"))
    monkeypatch.undo()
    assert hub.get_checkpoint(FLOW, "nue.invoices") == "c-1"
    assert hub.stats()[FLOW]["pending"] == 2
    assert all(view.payload["amount"] == "100.00" for view in hub.list(flow=FLOW))
    assert sum(len(hub.audit(view.id)) for view in hub.list(flow=FLOW)) == 2


def test_a_payload_json_cannot_hold_is_refused_before_anything_is_written(hub: HubStore) -> None:
    with pytest.raises(TypeError, match="cannot store"):
        hub.stage(FLOW, [staged("INV-1"), staged("INV-2", payload={"x": object()})], checkpoint=("s", "c"))
    assert hub.stats() == {} and hub.get_checkpoint(FLOW, "s") is None
