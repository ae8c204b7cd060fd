"""SIGKILL mid-run: `ledgerbridge run gl-actuals-to-planning` is killed while it loads months into Pigment
(NetSuite slowed and Pigment imports held InProgress, so the kills land inside loads); after a run allowed
to finish, Pigment's Actuals equal the trial balance exactly — nothing lost, nothing counted twice."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, update

from ledgerbridge.hub import State
from ledgerbridge.hub.store import DEFAULT_STALE_RUN
from ledgerbridge.hub.tables import run, sync_record
from tests.e2e.planning.gl_actuals_support import FLOW, actuals, configuration_id, diff, trial_balance
from tests.e2e.planning.support import PlanningWorld, planning_world

CLI = Path(sys.executable).with_name("ledgerbridge")
SEED = 20261123
TRIALS = 3


@pytest.fixture()
def w(tmp_path: Path) -> Iterator[PlanningWorld]:
    with planning_world(tmp_path, systems=("netsuite", "pigment")) as world:
        world.set_params(FLOW, import_configuration=configuration_id(world), concurrency=2)
        yield world


def _spawn(w: PlanningWorld, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(CLI), "--config", str(w.config), "run", FLOW, "--json"],
        cwd=w.root,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _age_the_dead_run(w: PlanningWorld) -> int:
    """Move the killed run's heartbeat and its leases into the past, as waiting would (see
    tests/e2e/billing_to_erp/test_kill.py): the next process then closes the run as abandoned and recovers
    the in-flight periods through the product's own path. Returns how many periods were in flight."""
    path = w.root / ".ledgerbridge" / "hub.db"
    if not path.exists():
        return 0
    past = datetime.now(UTC) - DEFAULT_STALE_RUN - timedelta(minutes=1)
    engine = create_engine(f"sqlite:///{path}")
    try:
        if not inspect(engine).has_table(run.name):
            return 0
        with engine.begin() as connection:
            connection.execute(
                update(run).where(run.c.status == "running").values(started_at=past, heartbeat_at=past)
            )
            leased = connection.execute(
                update(sync_record)
                .where(sync_record.c.state == State.IN_FLIGHT.value)
                .values(lease_until=past)
            )
    finally:
        engine.dispose()
    return int(leased.rowcount)


def _wait_for_in_flight(w: PlanningWorld, child: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if (w.root / ".ledgerbridge" / "hub.db").exists():
            store = w.hub()
            try:
                if store.stats(FLOW).get(FLOW, {}).get(State.IN_FLIGHT.value, 0):
                    return
            finally:
                store.close()
        time.sleep(0.1)


def _transferred(w: PlanningWorld) -> int:
    if not (w.root / ".ledgerbridge" / "hub.db").exists():
        return 0
    store = w.hub()
    try:
        return store.stats(FLOW).get(FLOW, {}).get(State.TRANSFERRED.value, 0)
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_leaves_pigment_equal_to_the_clean_result(
    w: PlanningWorld, tmp_path: Path
) -> None:
    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        assert http.post("/_sandbox/faults", json={"latency_ms": 100}).status_code == 200
    # each import stays InProgress for a while, so a batch of months is in flight for seconds
    w.pigment("POST", "/_sandbox/pigment/imports/delay", {"seconds": 1.5})
    rng = random.Random(SEED)
    log = tmp_path / "children.log"
    killed, progress, in_flight = 0, [], []
    for _ in range(TRIALS):
        child = _spawn(w, log)
        # start-up time varies a lot on a busy box: wait until the child has months in flight, then kill
        # it a random moment later (inside that batch's loads, or the next one's)
        _wait_for_in_flight(w, child)
        time.sleep(rng.uniform(0.0, 2.0))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        assert child.wait(timeout=30) in (-signal.SIGKILL, 0), log.read_text()[-3000:]
        in_flight.append(_age_the_dead_run(w))
        progress.append(_transferred(w))
    assert killed >= 1, f"only {killed} of {TRIALS} runs were still working when killed"
    assert any(in_flight), (in_flight, progress)  # at least one kill landed inside a load

    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        assert http.post("/_sandbox/faults", json={"latency_ms": 0}).status_code == 200
    w.pigment("POST", "/_sandbox/pigment/imports/delay", {"seconds": 0})
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    store = w.hub()
    try:
        counts = store.stats(FLOW)[FLOW]
    finally:
        store.close()
    assert counts[State.TRANSFERRED.value] == sum(counts.values()) > 20, counts

    expected = trial_balance(w)
    assert diff(expected, actuals(w)) == {}
    # and a clean rerun changes nothing
    again = w.run(FLOW)
    assert again["exit_code_cli"] == 0 and again["counters"]["transferred"] == 0, again
    assert diff(expected, actuals(w)) == {}
    print(f"kill test: {killed}/{TRIALS} killed; transferred {progress}, in flight {in_flight} at the kills")
