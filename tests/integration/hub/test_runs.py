"""Run records: duplicate run keys are no-ops, one running run per flow, stale runs stop blocking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledgerbridge.hub import HubStore, NotFound
from ledgerbridge.hub.store import DEFAULT_STALE_RUN
from ledgerbridge.log import forget_secrets, register_secret
from tests.support.databases import FakeClock

FLOW = "billing-to-erp"


def test_a_duplicate_run_key_is_a_no_op(hub: HubStore) -> None:
    key = f"{FLOW}:schedule:2026-01-15T12:00:00+00:00"
    run_id = hub.start_run(FLOW, trigger="schedule", run_key=key)
    assert run_id is not None
    hub.finish_run(run_id, status="succeeded", counters={"transferred": 3}, requests={}, throttled={})
    assert hub.start_run(FLOW, trigger="schedule", run_key=key) is None
    assert [run.id for run in hub.runs(FLOW)] == [run_id]


def test_only_one_run_of_a_flow_at_a_time(hub: HubStore) -> None:
    first = hub.start_run(FLOW, trigger="manual", run_key="m-1")
    assert first is not None
    assert hub.start_run(FLOW, trigger="manual", run_key="m-2") is None
    assert hub.start_run("period-close", trigger="manual", run_key="m-3") is not None
    hub.finish_run(first, status="failed", counters={}, requests={}, throttled={}, error="boom")
    assert hub.start_run(FLOW, trigger="manual", run_key="m-2") is not None


def test_a_stale_running_run_is_abandoned_instead_of_blocking(hub: HubStore, hub_clock: FakeClock) -> None:
    crashed = hub.start_run(FLOW, trigger="manual", run_key="m-1")
    hub_clock.advance(timedelta(hours=2).total_seconds())
    assert hub.start_run(FLOW, trigger="manual", run_key="m-2", stale_after=timedelta(hours=3)) is None
    fresh = hub.start_run(FLOW, trigger="manual", run_key="m-2", stale_after=timedelta(hours=1))
    assert fresh is not None
    old = hub.get_run(crashed or 0)
    assert old is not None and old.status == "abandoned" and old.finished_at == hub_clock()


def test_finish_run_keeps_counters_requests_and_throttles(hub: HubStore, hub_clock: FakeClock) -> None:
    run_id = hub.start_run(FLOW, trigger="event", run_key="e-1")
    assert run_id is not None
    started = hub_clock()
    hub_clock.advance(42)
    secret = "nue-api-key-123456789"
    register_secret(secret)
    try:
        hub.finish_run(
            run_id,
            status="partial",
            counters={"transferred": 10, "failed": 2},
            requests={"netsuite": 14, "nue": 3},
            throttled={"netsuite": 1},
            error=f"2 records failed (key {secret})",
        )
    finally:
        forget_secrets()
    (run,) = hub.runs()
    assert (run.id, run.flow, run.trigger, run.run_key, run.status) == (
        run_id,
        FLOW,
        "event",
        "e-1",
        "partial",
    )
    assert (run.started_at, run.finished_at) == (started, hub_clock())
    assert run.counters == {"transferred": 10, "failed": 2}
    assert run.requests == {"netsuite": 14, "nue": 3} and run.throttled == {"netsuite": 1}
    assert run.error is not None and secret not in run.error


def test_runs_are_listed_newest_first_and_filtered(hub: HubStore) -> None:
    for i, flow in enumerate([FLOW, "period-close", FLOW]):
        run_id = hub.start_run(flow, trigger="manual", run_key=f"k-{i}")
        assert run_id is not None
        hub.finish_run(run_id, status="succeeded", counters={}, requests={}, throttled={})
    assert [run.run_key for run in hub.runs()] == ["k-2", "k-1", "k-0"]
    assert [run.run_key for run in hub.runs(FLOW, limit=1)] == ["k-2"]


def test_finishing_an_unknown_run_or_with_no_status_fails(hub: HubStore) -> None:
    with pytest.raises(NotFound):
        hub.finish_run(404, status="succeeded", counters={}, requests={}, throttled={})
    run_id = hub.start_run(FLOW, trigger="manual", run_key="k")
    with pytest.raises(ValueError):
        hub.finish_run(run_id or 0, status="running", counters={}, requests={}, throttled={})


def test_a_run_that_stops_beating_is_abandoned_within_the_stale_timeout(
    hub: HubStore, hub_clock: FakeClock
) -> None:
    first = hub.start_run(FLOW, trigger="manual", run_key="beat-1")
    assert first is not None
    hub_clock.advance(timedelta(minutes=90).total_seconds())
    assert hub.heartbeat_run(first) is True  # alive: a long run that keeps beating is never taken over
    hub_clock.advance(60)
    assert hub.start_run(FLOW, trigger="manual", run_key="beat-2") is None
    hub_clock.advance(DEFAULT_STALE_RUN.total_seconds())  # the process died: no beat for the stale timeout
    second = hub.start_run(FLOW, trigger="manual", run_key="beat-3")
    assert second is not None
    abandoned = hub.get_run(first)
    assert (
        abandoned is not None
        and abandoned.status == "abandoned"
        and "no heartbeat" in (abandoned.error or "")
    )
    assert hub.heartbeat_run(first) is False  # a late beat from the dead run changes nothing
