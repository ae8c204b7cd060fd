"""The error class alone decides where a record goes; messages are redacted; vendor codes are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable
from ledgerbridge.hub import HubStore, Outcome, State
from ledgerbridge.log import forget_secrets, register_secret
from tests.support.databases import FakeClock

from .helpers import FLOW, batch


@pytest.fixture
def claimed_ids(hub: HubStore) -> list[int]:
    hub.stage(FLOW, batch(6))
    return [record.id for record in hub.claim(FLOW, owner="w", limit=6, lease_seconds=60)]


def test_each_outcome_lands_in_its_state(hub: HubStore, hub_clock: FakeClock, claimed_ids: list[int]) -> None:
    retry_at = hub_clock() + timedelta(seconds=12)
    a, b, c, d, e, f = claimed_ids
    hub.record_outcomes(
        "w",
        [
            Outcome(a, target_id="NS-100"),
            Outcome(b, error=Retriable("HTTP 503", retry_after=10), retry_at=retry_at),
            Outcome(c, error=RecordRejected("Invalid customer reference", vendor_code="INVALID_KEY_OR_REF")),
            Outcome(d, error=ActionNeeded("Period Mar 2026 is closed", vendor_code="PERIOD_CLOSED")),
            Outcome(e, skipped_reason="zero-amount invoice"),
            Outcome(f, error=KeyError("unexpected bug")),
        ],
    )
    views = {i: hub.require(i) for i in claimed_ids}
    assert (views[a].state, views[a].target_id, views[a].error_class) == (State.TRANSFERRED, "NS-100", None)
    assert (views[b].state, views[b].error_class, views[b].next_attempt_at) == (
        State.FAILED,
        "retriable",
        retry_at,
    )
    assert (views[c].state, views[c].error_class) == (State.FAILED, "rejected")
    assert (views[c].error_message, views[c].error_vendor_code) == (
        "Invalid customer reference",
        "INVALID_KEY_OR_REF",
    )
    assert views[c].next_attempt_at is None
    assert (views[d].state, views[d].error_class, views[d].error_vendor_code) == (
        State.ACTION_NEEDED,
        "action_needed",
        "PERIOD_CLOSED",
    )
    assert views[e].state is State.SKIPPED and hub.audit(e)[-1].reason == "zero-amount invoice"
    assert (views[f].state, views[f].error_class, views[f].next_attempt_at) == (
        State.FAILED,
        "unexpected",
        None,
    )
    assert views[f].error_message == "KeyError: 'unexpected bug'"
    assert all(view.lease_owner is None and view.lease_until is None for view in views.values())
    failure = hub.audit(c)[-1]
    assert failure.detail["vendor_code"] == "INVALID_KEY_OR_REF" and failure.to_state is State.FAILED


def test_a_retriable_error_without_retry_at_waits_for_a_human(hub: HubStore, claimed_ids: list[int]) -> None:
    hub.record_outcomes("w", [Outcome(claimed_ids[0], error=Retriable("429"), retry_at=None)])
    view = hub.require(claimed_ids[0])
    assert view.state is State.FAILED and view.next_attempt_at is None


def test_retry_at_is_ignored_for_errors_that_are_never_auto_retried(
    hub: HubStore, hub_clock: FakeClock, claimed_ids: list[int]
) -> None:
    soon = hub_clock() + timedelta(seconds=1)
    hub.record_outcomes(
        "w",
        [
            Outcome(claimed_ids[0], error=Fatal("bad token"), retry_at=soon),
            Outcome(claimed_ids[1], error=RecordRejected("bad"), retry_at=soon),
            Outcome(claimed_ids[2], error=ActionNeeded("closed"), retry_at=soon),
        ],
    )
    hub_clock.advance(5)
    assert hub.claim(FLOW, owner="w", limit=10, lease_seconds=60) == []


def test_secrets_never_reach_the_error_columns(hub: HubStore, claimed_ids: list[int]) -> None:
    secret = "tba-token-secret-0f9e8d7c"
    register_secret(secret)
    try:
        hub.record_outcomes(
            "w",
            [
                Outcome(
                    claimed_ids[0], error=RecordRejected(f"rejected, auth header was {secret}", hint=secret)
                )
            ],
        )
        view = hub.require(claimed_ids[0])
        assert view.error_message is not None and secret not in view.error_message
        assert "***" in view.error_message
        assert all(secret not in str(event.detail) for event in hub.audit(claimed_ids[0]))
    finally:
        forget_secrets()


def test_huge_vendor_messages_are_truncated(hub: HubStore, claimed_ids: list[int]) -> None:
    hub.record_outcomes("w", [Outcome(claimed_ids[0], error=RecordRejected("x" * 50_000))])
    message = hub.require(claimed_ids[0]).error_message
    assert message is not None and len(message) <= 2000


def test_a_success_clears_the_previous_error(
    hub: HubStore, hub_clock: FakeClock, claimed_ids: list[int]
) -> None:
    record_id = claimed_ids[0]
    hub.record_outcomes("w", [Outcome(record_id, error=Retriable("503"), retry_at=hub_clock())])
    (again,) = hub.claim(FLOW, owner="w", limit=1, lease_seconds=60)
    hub.record_outcomes("w", [Outcome(again.id, target_id="NS-5")])
    view = hub.require(record_id)
    assert (view.state, view.error_class, view.error_message, view.attempts) == (
        State.TRANSFERRED,
        None,
        None,
        2,
    )


def test_one_outcome_per_record(hub: HubStore, claimed_ids: list[int]) -> None:
    with pytest.raises(ValueError, match="twice"):
        hub.record_outcomes("w", [Outcome(claimed_ids[0], "a"), Outcome(claimed_ids[0], "b")])
