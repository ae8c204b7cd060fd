"""Claims take due records oldest first under a lease; leases expire; recovery settles them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from ledgerbridge.errors import Retriable
from ledgerbridge.hub import HubStore, IllegalTransition, LeaseLost, Outcome, State
from tests.support.databases import FakeClock

from .helpers import FLOW, batch, staged


def test_claims_are_oldest_first_limited_and_leased(hub: HubStore, hub_clock: FakeClock) -> None:
    ids = hub.stage(FLOW, batch(5)).ids
    claimed = hub.claim(FLOW, owner="w1", limit=3, lease_seconds=90)
    assert [record.id for record in claimed] == list(ids[:3])
    first = claimed[0]
    assert first.attempts == 1 and first.lease_owner == "w1"
    assert first.lease_until == hub_clock() + timedelta(seconds=90)
    assert first.payload["amount"] == "100.00" and first.external_id == "lb-nue-inv-INV-000000"
    view = hub.require(first.id)
    assert (view.state, view.lease_owner, view.attempts) == (State.IN_FLIGHT, "w1", 1)
    rest = hub.claim(FLOW, owner="w2", limit=10, lease_seconds=90)
    assert [record.id for record in rest] == list(ids[3:])
    assert hub.claim(FLOW, owner="w3", limit=10, lease_seconds=90) == []
    assert hub.claim(FLOW, owner="w3", limit=0, lease_seconds=90) == []


def test_claims_stay_within_their_flow_and_target_type(hub: HubStore) -> None:
    hub.stage(FLOW, [staged("A", target_type="invoice"), staged("B", target_type="creditmemo")])
    hub.stage("period-close", [staged("C")])
    claimed = hub.claim(FLOW, owner="w", limit=10, lease_seconds=60, target_type="creditmemo")
    assert [record.source_id for record in claimed] == ["B"]
    assert [r.source_id for r in hub.claim(FLOW, owner="w", limit=10, lease_seconds=60)] == ["A"]


def test_concurrent_claimers_never_share_a_record(hub: HubStore, hub_url: str) -> None:
    hub.stage(FLOW, batch(300))
    stores = [HubStore.open(hub_url) for _ in range(4)]
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def worker(name: str, store: HubStore) -> None:
        mine: list[int] = []
        try:
            while batch_ := store.claim(FLOW, owner=name, limit=7, lease_seconds=60):
                mine.extend(record.id for record in batch_)
        except BaseException as exc:
            errors.append(exc)
        claimed[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}", s)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == []
    every = [record_id for ids in claimed.values() for record_id in ids]
    assert len(every) == 300 and len(set(every)) == 300


def test_due_automatic_retries_are_promoted_by_claim(hub: HubStore, hub_clock: FakeClock) -> None:
    (record_id,) = hub.stage(FLOW, [staged("R")]).ids
    hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    retry_at = hub_clock() + timedelta(seconds=30)
    hub.record_outcomes("w", [Outcome(record_id, error=Retriable("503 from NetSuite"), retry_at=retry_at)])
    view = hub.require(record_id)
    assert view.state is State.FAILED and view.next_attempt_at == retry_at
    assert hub.claim(FLOW, owner="w", limit=1, lease_seconds=60) == []
    assert hub.preview_due(FLOW) == []
    hub_clock.advance(30)
    assert [r.id for r in hub.preview_due(FLOW)] == [record_id]
    (again,) = hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    assert again.id == record_id and again.attempts == 2
    actions = [(e.action, e.to_state) for e in hub.audit(record_id)]
    assert actions[-2:] == [("auto_retry", State.PENDING), ("claim", State.IN_FLIGHT)]


def test_release_gives_back_unsent_records_and_their_attempt(hub: HubStore) -> None:
    hub.stage(FLOW, batch(3))
    claimed = hub.claim(FLOW, owner="w", limit=3, lease_seconds=60)
    ids = [record.id for record in claimed]
    assert hub.release(ids[:2], owner="someone-else") == 0
    assert hub.release(ids[:2], owner="w") == 2
    view = hub.require(ids[0])
    assert (view.state, view.attempts, view.lease_owner, view.lease_until) == (State.PENDING, 0, None, None)
    assert hub.require(ids[2]).state is State.IN_FLIGHT
    assert hub.audit(ids[0])[-1].action == "release"


def test_expired_leases_are_listed_and_recovered_from_the_lookup(hub: HubStore, hub_clock: FakeClock) -> None:
    ids = hub.stage(FLOW, batch(3)).ids
    hub.claim(FLOW, owner="crashed", limit=3, lease_seconds=60)
    assert hub.expired_in_flight(FLOW) == []
    hub_clock.advance(61)
    expired = hub.expired_in_flight(FLOW)
    assert [r.id for r in expired] == list(ids) and {r.lease_owner for r in expired} == {"crashed"}

    assert hub.resolve_recovery(ids[0], "NS-1", expected_lease_owner="crashed") is True
    assert hub.resolve_recovery(ids[1], None, expected_lease_owner="crashed") is True
    found, missing = hub.require(ids[0]), hub.require(ids[1])
    assert (found.state, found.target_id, found.lease_owner) == (State.TRANSFERRED, "NS-1", None)
    assert (missing.state, missing.attempts, missing.lease_owner) == (State.PENDING, 1, None)
    assert hub.audit(ids[0])[-1].action == "recovery"
    # a second recoverer that raced us is told it lost
    assert hub.resolve_recovery(ids[0], "NS-1", expected_lease_owner="crashed") is False
    assert hub.resolve_recovery(ids[2], None, expected_lease_owner="another") is False


def test_recovery_refuses_a_lease_that_has_not_expired(hub: HubStore) -> None:
    (record_id,) = hub.stage(FLOW, [staged("X")]).ids
    hub.claim(FLOW, owner="alive", limit=1, lease_seconds=60)
    assert hub.resolve_recovery(record_id, None, expected_lease_owner="alive") is False
    assert hub.require(record_id).state is State.IN_FLIGHT


def test_a_previously_linked_record_found_by_lookup_is_sent_again(
    hub: HubStore, hub_clock: FakeClock
) -> None:
    (record_id,) = hub.stage(FLOW, [staged("L")]).ids
    hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    hub.record_outcomes("w", [Outcome(record_id, target_id="NS-9")])
    hub.stage(FLOW, [staged("L", amount="1.00")])
    hub.claim(FLOW, owner="crashed", limit=1, lease_seconds=60)
    hub_clock.advance(61)
    assert hub.resolve_recovery(record_id, "NS-9", expected_lease_owner="crashed") is True
    view = hub.require(record_id)
    assert view.state is State.PENDING and view.target_id == "NS-9"


def test_outcomes_after_losing_the_lease_are_not_stored(hub: HubStore, hub_clock: FakeClock) -> None:
    ids = hub.stage(FLOW, batch(2)).ids
    hub.claim(FLOW, owner="slow", limit=2, lease_seconds=60)
    hub_clock.advance(61)
    assert hub.resolve_recovery(ids[0], None, expected_lease_owner="slow")
    hub.claim(FLOW, owner="fast", limit=1, lease_seconds=60)
    with pytest.raises(LeaseLost) as caught:
        hub.record_outcomes("slow", [Outcome(ids[0], target_id="NS-A"), Outcome(ids[1], target_id="NS-B")])
    assert caught.value.record_ids == (ids[0],)
    # the record still held by the late owner (expired, but nobody took it) keeps its outcome
    assert hub.require(ids[1]).state is State.TRANSFERRED
    taken = hub.require(ids[0])
    assert (taken.state, taken.lease_owner, taken.target_id) == (State.IN_FLIGHT, "fast", None)


def test_an_outcome_for_a_record_that_is_not_in_flight_is_lease_lost(hub: HubStore) -> None:
    (record_id,) = hub.stage(FLOW, [staged("P")]).ids
    with pytest.raises(LeaseLost):
        hub.record_outcomes("w", [Outcome(record_id, target_id="NS-1")])
    assert hub.require(record_id).state is State.PENDING


def test_illegal_transitions_raise_before_anything_is_written(hub: HubStore) -> None:
    ids = hub.stage(FLOW, batch(2)).ids
    with pytest.raises(IllegalTransition, match="pending → pending"):
        hub.retry(list(ids), actor="ana")
    with pytest.raises(IllegalTransition):
        hub.resolve(ids[0], actor="ana", reason="not needed")
    assert [len(hub.audit(i)) for i in ids] == [1, 1]
