"""The executor: recovery before any send, batches under a lease, outcomes by error class, dry runs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from ledgerbridge.engine.executor import Executor, ExecutorReport, TargetWriter, WriteResult
from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable
from ledgerbridge.hub import ClaimedRecord, HubStore, State
from tests.integration.hub.fake_target import FakeTarget, FakeWriter
from tests.integration.hub.helpers import FLOW, batch
from tests.support.databases import FakeClock


def run(executor: Executor) -> ExecutorReport:
    return asyncio.run(executor.run_once())


async def test_moves_every_due_record_in_batches(hub: HubStore) -> None:
    hub.stage(FLOW, batch(250))
    target = FakeTarget()
    writer = FakeWriter(target)
    assert isinstance(writer, TargetWriter)
    seen: list[int] = []
    executor = Executor(hub, FLOW, writer, batch_size=100, on_batch=lambda r: seen.append(r.transferred))
    report = await executor.run_once()
    assert (report.transferred, report.batches, report.failed) == (250, 3, 0)
    assert [len(b) for b in writer.batches] == [100, 100, 50]
    assert seen == [100, 200, 250]
    assert hub.stats()[FLOW]["transferred"] == 250
    assert set(target.creates.values()) == {1} and len(target.creates) == 250
    view = hub.find(FLOW, "nue", "invoice", "INV-000000")
    assert view is not None and view.target_id == target.lookup("lb-nue-inv-INV-000000")
    assert (await executor.run_once()).batches == 0


async def test_recovery_looks_up_before_any_resend(hub: HubStore, hub_clock: FakeClock) -> None:
    ids = hub.stage(FLOW, batch(4)).ids
    crashed = hub.claim(FLOW, owner="crashed-worker", limit=4, lease_seconds=30)
    target = FakeTarget()
    for record in crashed[:2]:  # these two landed before the crash
        target.upsert(record.external_id, record.payload)
    hub_clock.advance(31)
    writer = FakeWriter(target)
    report = await Executor(hub, FLOW, writer, lease_seconds=30).run_once()
    assert (report.recovered, report.recovered_found, report.transferred) == (4, 2, 2)
    assert len(writer.lookups) == 4 and writer.batches == [list(ids[2:])]
    assert all(count == 1 for count in target.writes.values())
    assert all(hub.require(i).state is State.TRANSFERRED for i in ids)


async def test_live_leases_are_left_alone(hub: HubStore) -> None:
    hub.stage(FLOW, batch(2))
    hub.claim(FLOW, owner="alive", limit=1, lease_seconds=300)
    writer = FakeWriter(FakeTarget())
    report = await Executor(hub, FLOW, writer).run_once()
    assert (report.recovered, report.transferred) == (0, 1) and writer.lookups == []
    assert hub.stats()[FLOW]["in_flight"] == 1


async def test_a_failed_lookup_defers_recovery_without_sending(hub: HubStore, hub_clock: FakeClock) -> None:
    (record_id,) = hub.stage(FLOW, batch(1)).ids
    hub.claim(FLOW, owner="crashed", limit=1, lease_seconds=30)
    hub_clock.advance(31)

    class FlakyLookup(FakeWriter):
        async def lookup(self, record: ClaimedRecord) -> str | None:
            raise Retriable("lookup timed out")

    writer = FlakyLookup(FakeTarget())
    report = await Executor(hub, FLOW, writer).run_once()
    assert (report.recovery_deferred, report.recovered, writer.batches) == (1, 0, [])
    assert hub.require(record_id).state is State.IN_FLIGHT


async def test_retriable_errors_back_off_then_stop_at_max_attempts(
    hub: HubStore, hub_clock: FakeClock
) -> None:
    (record_id,) = hub.stage(FLOW, batch(1)).ids
    writer = FakeWriter(FakeTarget(), fail=lambda record: Retriable("429 Too Many Requests", retry_after=20))
    executor = Executor(hub, FLOW, writer, max_attempts=2, backoff_cap=1.0)
    first = await executor.run_once()
    assert (first.failed, first.retries_scheduled) == (1, 1)
    view = hub.require(record_id)
    assert view.state is State.FAILED and view.next_attempt_at is not None
    assert view.next_attempt_at >= hub_clock() + timedelta(seconds=20)  # Retry-After is a floor
    assert (await executor.run_once()).batches == 0  # not due yet
    hub_clock.advance(21)
    second = await executor.run_once()
    assert (second.failed, second.retries_scheduled) == (1, 0)
    view = hub.require(record_id)
    assert (view.state, view.attempts, view.next_attempt_at) == (State.FAILED, 2, None)


async def test_errors_are_classified_per_record_and_the_rest_continue(hub: HubStore) -> None:
    hub.stage(FLOW, batch(4))
    errors: dict[str, BaseException] = {
        "lb-nue-inv-INV-000000": RecordRejected("Invalid account"),
        "lb-nue-inv-INV-000001": ActionNeeded("Period closed"),
    }

    class Mixed(FakeWriter):
        async def write(self, batch_: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
            results = list(await super().write(batch_))
            results[2] = WriteResult.skipped("nothing to post")
            return results

    writer = Mixed(FakeTarget(), fail=lambda record: errors.get(record.external_id))
    report = await Executor(hub, FLOW, writer).run_once()
    assert (report.failed, report.action_needed, report.skipped, report.transferred) == (1, 1, 1, 1)
    assert report.retries_scheduled == 0
    assert hub.stats()[FLOW] == {
        "pending": 0,
        "in_flight": 0,
        "transferred": 1,
        "failed": 1,
        "action_needed": 1,
        "skipped": 1,
    }


async def test_a_fatal_batch_is_released_and_the_run_stops(hub: HubStore) -> None:
    hub.stage(FLOW, batch(5))

    class Unauthorized(FakeWriter):
        async def write(self, batch_: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
            raise Fatal("401 Unauthorized: token revoked")

    with pytest.raises(Fatal, match="401"):
        await Executor(hub, FLOW, Unauthorized(FakeTarget()), batch_size=2).run_once()
    assert hub.stats()[FLOW]["pending"] == 5
    assert all(view.attempts == 0 for view in hub.list(flow=FLOW))


async def test_fatal_results_release_only_the_refused_records(hub: HubStore) -> None:
    ids = hub.stage(FLOW, batch(3)).ids
    writer = FakeWriter(
        FakeTarget(), fail=lambda record: Fatal("role lacks permission") if record.id != ids[0] else None
    )
    executor = Executor(hub, FLOW, writer, batch_size=10)
    with pytest.raises(Fatal):
        await executor.run_once()
    assert hub.require(ids[0]).state is State.TRANSFERRED
    assert [hub.require(i).state for i in ids[1:]] == [State.PENDING, State.PENDING]


async def test_a_writer_crash_or_a_wrong_result_count_fails_the_batch(hub: HubStore) -> None:
    hub.stage(FLOW, batch(3))

    class Broken(FakeWriter):
        calls = 0

        async def write(self, batch_: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
            self.calls += 1
            if self.calls == 1:
                raise ConnectionResetError("peer went away")
            return [WriteResult.ok("x")] * (len(batch_) + 1)

    report = await Executor(hub, FLOW, Broken(FakeTarget()), batch_size=2).run_once()
    assert report.failed == 3 and report.retries_scheduled == 0
    messages = {view.error_message for view in hub.list(flow=FLOW)}
    assert messages == {
        "ConnectionResetError: peer went away",
        "RuntimeError: writer fake returned 2 results for 1 records",
    }


async def test_a_dry_run_claims_and_writes_nothing(hub: HubStore, hub_clock: FakeClock) -> None:
    hub.stage(FLOW, batch(3))
    writer = FakeWriter(FakeTarget())
    report = await Executor(hub, FLOW, writer, dry_run=True, batch_size=2).run_once()
    assert [p["external_id"] for p in report.dry_run_payloads] == [
        f"lb-nue-inv-INV-{i:06d}" for i in range(3)
    ]
    assert report.dry_run_payloads[0]["payload"]["amount"] == "100.00"
    assert report.dry_run_payloads[0]["target_system"] == "netsuite"
    assert writer.batches == [] and writer.lookups == []
    assert hub.stats()[FLOW]["pending"] == 3
    assert all(len(hub.audit(view.id)) == 1 for view in hub.list(flow=FLOW))


async def test_outcomes_for_a_lost_lease_are_counted_not_stored(hub: HubStore, hub_clock: FakeClock) -> None:
    (record_id,) = hub.stage(FLOW, batch(1)).ids

    class Slow(FakeWriter):
        async def write(self, batch_: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
            # the write takes longer than the lease; another worker recovers the record meanwhile
            hub_clock.advance(61)
            (record,) = batch_
            assert hub.resolve_recovery(record.id, None, expected_lease_owner=record.lease_owner)
            hub.claim(FLOW, owner="other", limit=1, lease_seconds=60)
            return await super().write(batch_)

    report = await Executor(hub, FLOW, Slow(FakeTarget()), lease_seconds=60).run_once()
    assert (report.lease_lost, report.transferred) == (1, 0)
    assert hub.require(record_id).lease_owner == "other"


def test_executor_settings_are_validated(hub: HubStore) -> None:
    with pytest.raises(ValueError):
        Executor(hub, FLOW, FakeWriter(FakeTarget()), batch_size=0)
    executor = Executor(hub, FLOW, FakeWriter(FakeTarget()))
    assert executor.owner.count(":") == 2
    assert run(Executor(hub, FLOW, FakeWriter(FakeTarget()))).counters()["transferred"] == 0
