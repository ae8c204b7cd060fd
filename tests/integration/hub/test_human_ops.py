"""Retry and resolve from the CLI/console: only from the states that allow it, always audited."""

from __future__ import annotations

import itertools

import pytest

from ledgerbridge.errors import ActionNeeded, RecordRejected, Retriable
from ledgerbridge.hub import HubStore, IllegalTransition, NotFound, Outcome, State

from .helpers import FLOW, batch


@pytest.fixture
def settled(hub: HubStore) -> dict[str, int]:
    """One record in each terminal state: transferred, failed, action_needed, skipped."""
    hub.stage(FLOW, batch(4))
    a, b, c, d = (record.id for record in hub.claim(FLOW, owner="w", limit=4, lease_seconds=60))
    hub.record_outcomes(
        "w",
        [
            Outcome(a, target_id="NS-1"),
            Outcome(b, error=RecordRejected("bad subsidiary")),
            Outcome(c, error=ActionNeeded("period closed")),
            Outcome(d, skipped_reason="duplicate"),
        ],
    )
    return {"transferred": a, "failed": b, "action_needed": c, "skipped": d}


def test_retry_sends_failed_and_action_needed_back_with_a_fresh_budget(
    hub: HubStore, settled: dict[str, int]
) -> None:
    ids = [settled["failed"], settled["action_needed"]]
    assert hub.retry(ids, actor="ana@example.com", reason="mapping fixed") == 2
    for record_id in ids:
        view = hub.require(record_id)
        assert (view.state, view.attempts) == (State.PENDING, 0)
        event = hub.audit(record_id)[-1]
        assert (event.actor, event.action, event.reason) == (
            "ana@example.com",
            "manual_retry",
            "mapping fixed",
        )
    claimed = hub.claim(FLOW, owner="w", limit=10, lease_seconds=60)
    assert sorted(record.id for record in claimed) == sorted(ids)
    assert all(record.attempts == 1 for record in claimed)


@pytest.mark.parametrize("state", ["transferred", "skipped"])
def test_retrying_a_record_that_is_done_is_illegal_and_changes_nothing(
    hub: HubStore, settled: dict[str, int], state: str
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        hub.retry([settled["failed"], settled[state]], actor="ana")
    assert caught.value.from_state is State(state) and caught.value.to_state is State.PENDING
    assert hub.require(settled["failed"]).state is State.FAILED


def test_retry_of_an_unknown_record_is_not_found(hub: HubStore) -> None:
    with pytest.raises(NotFound):
        hub.retry([999], actor="ana")


def test_retry_matching_by_state_and_flow(hub: HubStore, settled: dict[str, int]) -> None:
    hub.stage("period-close", batch(1))
    (other,) = hub.claim("period-close", owner="w", limit=1, lease_seconds=60)
    hub.record_outcomes("w", [Outcome(other.id, error=Retriable("503"))])
    assert hub.retry_matching(state="failed", flow=FLOW, actor="ana") == 1
    assert hub.require(other.id).state is State.FAILED
    assert hub.retry_matching(state=State.FAILED, actor="ana") == 1
    assert hub.retry_matching(state="action_needed", actor="ana") == 1
    assert hub.retry_matching(state="failed", actor="ana") == 0
    with pytest.raises(IllegalTransition):
        hub.retry_matching(state="transferred", actor="ana")


def test_resolve_closes_with_a_reason(hub: HubStore, settled: dict[str, int]) -> None:
    hub.resolve(settled["action_needed"], actor="bo", reason="booked by hand in NetSuite")
    view = hub.require(settled["action_needed"])
    assert view.state is State.SKIPPED
    event = hub.audit(view.id)[-1]
    assert (event.actor, event.action, event.from_state, event.reason) == (
        "bo",
        "resolve",
        State.ACTION_NEEDED,
        "booked by hand in NetSuite",
    )
    with pytest.raises(ValueError, match="reason"):
        hub.resolve(settled["failed"], actor="bo", reason="  ")
    with pytest.raises(IllegalTransition):
        hub.resolve(settled["transferred"], actor="bo", reason="why not")


def test_the_audit_trail_is_a_complete_chain(hub: HubStore, settled: dict[str, int]) -> None:
    hub.retry([settled["failed"]], actor="ana")
    (again,) = hub.claim(FLOW, owner="w2", limit=1, lease_seconds=60)
    hub.record_outcomes("w2", [Outcome(again.id, target_id="NS-2")])
    events = hub.audit(settled["failed"])
    assert [e.action for e in events] == ["staged", "claim", "outcome", "manual_retry", "claim", "outcome"]
    assert [e.actor for e in events] == ["engine", "engine", "engine", "ana", "engine", "engine"]
    for before, after in itertools.pairwise(events):
        assert after.from_state == before.to_state
    assert events[-1].to_state is hub.require(settled["failed"]).state
