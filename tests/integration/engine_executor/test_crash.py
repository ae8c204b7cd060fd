"""Crash anywhere: a child process moving 2,000 records is SIGKILLed at random moments; after a final
run every record is transferred, the target holds each exactly once, and the cursor skipped none.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.hub import HubStore, State
from tests.support.servers import serve

from .crash_child import FLOW, STREAM
from .crash_world import RECORDS, World, create_app

ROOT = Path(__file__).resolve().parents[3]
TRIALS = 20


def spawn(hub_url: str, base_url: str, log: Path, *flags: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.engine_executor.crash_child", hub_url, base_url, *flags],
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_duplicates_nothing(hub_url: str, tmp_path: Path) -> None:
    world = World()
    rng = random.Random(20260301)
    log = tmp_path / "children.log"
    HubStore.open(hub_url).close()  # migrate once, so the first child's kill window is spent on real work
    with serve(create_app(world)) as base_url:
        # 1. deterministic: die after the first batch reached the target, before the hub heard of it
        world.visible = 100
        child = spawn(hub_url, base_url, log, "--die-after-write")
        assert child.wait(timeout=60) == -signal.SIGKILL, log.read_text()
        died_with = [line for line in log.read_text().splitlines() if line.startswith("wrote ")]
        assert died_with, log.read_text()
        written_ids = [int(i) for i in died_with[-1].removeprefix("wrote ").split(",")]

        # 2. random kills while the source keeps growing
        for trial in range(TRIALS):
            world.visible = min(RECORDS, 100 * (trial + 2))
            child = spawn(hub_url, base_url, log)
            time.sleep(rng.uniform(0.8, 3.2))
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=30) == -signal.SIGKILL, (
                f"child died on its own:\n{log.read_text()[-3000:]}"
            )

        # 3. one run that is allowed to finish
        world.visible = RECORDS
        final = spawn(hub_url, base_url, log, "--final")
        assert final.wait(timeout=120) == 0, log.read_text()[-3000:]

    store = HubStore.open(hub_url)
    try:
        # the cursor never skipped a record: every source record is in the hub, each once
        assert store.stats(FLOW) == {FLOW: {s.value: 0 for s in State} | {"transferred": RECORDS}}
        for record in world.source:
            assert store.find(FLOW, "fakesrc", "record", record.id) is not None, record.id
        checkpoint = store.get_checkpoint(FLOW, STREAM)
        assert checkpoint is not None
        assert Cursor.decode(checkpoint) == max(Cursor(r.modified, r.id) for r in world.source)

        # the target holds each record exactly once, with the source's amount
        assert len(world.creates) == RECORDS and set(world.creates.values()) == {1}
        for record in world.source:
            assert world.records[f"lb-src-{record.id}"]["payload"]["amount"] == record.amount

        # the batch written just before the deliberate crash was found by lookup, never sent again
        for record_id in written_ids:
            view = store.require(record_id)
            assert world.writes[view.external_id] == 1
            assert any(
                e.action == "recovery" and e.to_state is State.TRANSFERRED for e in store.audit(record_id)
            )
        resent = sum(world.writes.values()) - RECORDS
        print(f"crash test: {TRIALS} kills, {resent} re-sends, {len(written_ids)} recovered by lookup")
    finally:
        store.close()
