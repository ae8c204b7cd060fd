"""Property: any interleaving of stage / claim / write / report / crash / expiry / recovery / retry /
resolve keeps the hub consistent, and a final drain leaves every record that no human resolved
transferred exactly once, with the target holding the hub's latest payload.

Simulated workers write only while their lease is valid (a write is instantaneous on the fake clock),
but may *report* late, crash before reporting, or crash before writing.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from ledgerbridge.engine.executor import Executor
from ledgerbridge.errors import ActionNeeded, RecordRejected, Retriable
from ledgerbridge.hub import ClaimedRecord, HubStore, LeaseLost, Outcome, StagedRecord, State
from ledgerbridge.hub.tables import sync_record
from tests.support.databases import FakeClock

from .fake_target import FakeTarget, FakeWriter

FLOW = "billing-to-erp"
OWNERS = ("w1", "w2")
LEASE = 60


@dataclass
class Held:
    """A record a simulated worker holds: what it claimed, and whether the write already happened."""

    owner: str
    record: ClaimedRecord
    target_id: str | None = None


_template: Path | None = None


def _fresh_hub_file() -> Path:
    """A copy of a migrated, empty SQLite hub (migrating once per example would dominate the run)."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="hub-template-"))
        HubStore.open(f"sqlite:///{folder / 'hub.db'}").close()
        _template = folder / "hub.db"
    folder = Path(tempfile.mkdtemp(prefix="hub-machine-"))
    shutil.copy(_template, folder / "hub.db")
    return folder / "hub.db"


def staged(source: int, version: int) -> StagedRecord:
    sid = f"INV-{source}"
    payload = {"externalId": f"lb-{sid}", "amount": Decimal(f"{100 + version}.25"), "version": version}
    return StagedRecord("nue", "invoice", sid, f"lb-{sid}", "fake", "invoice", payload)


class HubMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.path = _fresh_hub_file()
        self.clock = FakeClock()
        self.store = HubStore.open(f"sqlite:///{self.path}", clock=self.clock)
        self.target = FakeTarget()
        self.versions: dict[int, int] = {}
        self.held: dict[int, Held] = {}
        self.resolved: set[int] = set()

    # ---- helpers --------------------------------------------------------------------------------

    def rows(self) -> list[dict[str, object]]:
        with self.store.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(select(sync_record))]

    def held_where(self, *, written: bool | None = None, valid: bool | None = None) -> list[int]:
        now = self.clock()
        return sorted(
            record_id
            for record_id, held in self.held.items()
            if (written is None or (held.target_id is not None) == written)
            and (valid is None or ((held.record.lease_until or now) > now) == valid)
        )

    def in_states(self, *states: State) -> list[int]:
        return sorted(int(str(row["id"])) for row in self.rows() if row["state"] in states)

    def report(self, record_id: int, outcome: Outcome) -> None:
        held = self.held.pop(record_id)
        row = self.store.require(record_id)
        still_mine = row.state is State.IN_FLIGHT and row.lease_owner == held.owner
        try:
            self.store.record_outcomes(held.owner, [outcome])
        except LeaseLost:
            assert not still_mine, "the hub refused an outcome from the lease holder"
        else:
            assert still_mine, "the hub accepted an outcome from a worker that lost its lease"

    # ---- rules ----------------------------------------------------------------------------------

    @initialize()
    def stage_first_records(self) -> None:
        self.stage(sources=[0, 1, 2], change=False)

    @rule(sources=st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True), change=st.booleans())
    def stage(self, sources: list[int], change: bool) -> None:
        for source in sources:
            if change or source not in self.versions:
                self.versions[source] = self.versions.get(source, 0) + 1
        self.store.stage(FLOW, [staged(s, self.versions[s]) for s in sources])

    @rule(owner=st.sampled_from(OWNERS), limit=st.integers(1, 4))
    def claim(self, owner: str, limit: int) -> None:
        for record in self.store.claim(FLOW, owner=owner, limit=limit, lease_seconds=LEASE):
            # a record re-claimed after recovery: whoever held it before has lost it
            self.held[record.id] = Held(owner, record)

    @precondition(lambda self: self.held_where(written=False, valid=True))
    @rule(data=st.data())
    def write(self, data: st.DataObject) -> None:
        record_id = data.draw(st.sampled_from(self.held_where(written=False, valid=True)))
        held = self.held[record_id]
        held.target_id = self.target.upsert(held.record.external_id, held.record.payload)

    @precondition(lambda self: self.held_where(written=False, valid=True))
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        """The common path in one step: write, then report success."""
        record_id = data.draw(st.sampled_from(self.held_where(written=False, valid=True)))
        held = self.held[record_id]
        held.target_id = self.target.upsert(held.record.external_id, held.record.payload)
        self.report(record_id, Outcome(record_id, target_id=held.target_id))

    @precondition(lambda self: self.held_where(written=True))
    @rule(data=st.data())
    def report_success(self, data: st.DataObject) -> None:
        record_id = data.draw(st.sampled_from(self.held_where(written=True)))
        self.report(record_id, Outcome(record_id, target_id=self.held[record_id].target_id))

    @precondition(lambda self: self.held_where(written=False))
    @rule(
        data=st.data(),
        kind=st.sampled_from(["retriable", "rejected", "action_needed"]),
        wait=st.integers(0, 90),
    )
    def report_failure(self, data: st.DataObject, kind: str, wait: int) -> None:
        record_id = data.draw(st.sampled_from(self.held_where(written=False)))
        error = {
            "retriable": Retriable("503"),
            "rejected": RecordRejected("bad"),
            "action_needed": ActionNeeded("closed"),
        }
        retry_at = self.clock() + timedelta(seconds=wait)
        self.report(record_id, Outcome(record_id, error=error[kind], retry_at=retry_at))

    @precondition(lambda self: self.held_where(written=False))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        record_id = data.draw(st.sampled_from(self.held_where(written=False)))
        held = self.held.pop(record_id)
        self.store.release([record_id], owner=held.owner)

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def crash(self, data: st.DataObject) -> None:
        del self.held[data.draw(st.sampled_from(sorted(self.held)))]

    @rule(seconds=st.integers(1, 2 * LEASE))
    def advance_clock(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule()
    def recover(self) -> None:
        for record in self.store.expired_in_flight(FLOW):
            # always look up, even for records linked before: the hub itself must not trust that answer
            found = self.target.lookup(record.external_id)
            assert self.store.resolve_recovery(record.id, found, expected_lease_owner=record.lease_owner)

    @precondition(lambda self: self.in_states(State.FAILED, State.ACTION_NEEDED))
    @rule(data=st.data())
    def human_retry(self, data: st.DataObject) -> None:
        record_id = data.draw(st.sampled_from(self.in_states(State.FAILED, State.ACTION_NEEDED)))
        assert self.store.retry([record_id], actor="ana") == 1

    @precondition(lambda self: self.in_states(State.FAILED, State.ACTION_NEEDED))
    @rule(data=st.data())
    def human_resolve(self, data: st.DataObject) -> None:
        record_id = data.draw(st.sampled_from(self.in_states(State.FAILED, State.ACTION_NEEDED)))
        self.store.resolve(record_id, actor="ana", reason="handled by hand")
        self.resolved.add(record_id)

    # ---- invariants -----------------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        rows = self.rows()
        assert len(rows) == len(self.versions)
        assert sum(sum(counts.values()) for counts in self.store.stats().values()) == len(rows)
        for row in rows:
            state = State(str(row["state"]))
            assert (row["lease_owner"] is not None) == (state is State.IN_FLIGHT)
            assert (row["lease_until"] is not None) == (state is State.IN_FLIGHT)
            assert int(str(row["attempts"])) >= 0
            if state is State.TRANSFERRED:
                external_id = str(row["external_id"])
                assert external_id in self.target.records
                target_id, payload = self.target.records[external_id]
                assert row["target_id"] == target_id
                # the target holds exactly what the hub says was transferred (no stale version)
                assert self.store.require(int(str(row["id"]))).payload == payload
            if row["next_attempt_at"] is not None:
                assert state is State.FAILED and row["error_class"] == "retriable"
            trail = self.store.audit(int(str(row["id"])))
            assert trail[0].action == "staged" and trail[-1].to_state is state
            for before, after in itertools.pairwise(trail):
                assert after.from_state == before.to_state

    def teardown(self) -> None:
        try:
            self.drain()
        finally:
            self.store.close()
            shutil.rmtree(self.path.parent, ignore_errors=True)

    def drain(self) -> None:
        """Every worker dies, leases run out, humans retry what waits for them; one executor run finishes."""
        self.held.clear()
        self.clock.advance(LEASE + 1)
        self.store.retry_matching(state=State.FAILED, actor="ana")
        self.store.retry_matching(state=State.ACTION_NEEDED, actor="ana")
        writer = FakeWriter(self.target)
        report = asyncio.run(Executor(self.store, FLOW, writer, batch_size=3, lease_seconds=LEASE).run_once())
        assert report.failed == report.action_needed == report.lease_lost == 0
        self.consistent()
        for row in self.rows():
            state = State(str(row["state"]))
            assert state in (State.TRANSFERRED, State.SKIPPED)
            if state is State.SKIPPED:
                assert int(str(row["id"])) in self.resolved
            else:
                assert self.target.creates[str(row["external_id"])] == 1
        assert all(count == 1 for count in self.target.creates.values())


HubMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestHubStateMachine = HubMachine.TestCase
