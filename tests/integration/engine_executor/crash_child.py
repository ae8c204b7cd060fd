"""The process the crash test kills: read the source through a CheckpointedStream, run the executor.

    python -m tests.integration.engine_executor.crash_child HUB_URL BASE_URL [--final] [--die-after-write]

Without ``--final`` it loops until killed. With ``--final`` it exits 0 once every staged record is
transferred. ``--die-after-write`` SIGKILLs itself right after the first batch reached the target and
before its outcomes are recorded — the window only recovery-by-lookup can close.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import httpx

from ledgerbridge.engine.checkpoints import CheckpointedStream
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.engine.executor import Executor, WriteResult
from ledgerbridge.errors import RecordRejected, Retriable
from ledgerbridge.hub import ClaimedRecord, HubStore, StagedRecord

FLOW = "crash-test"
STREAM = "source.records"
LOOKBACK = timedelta(seconds=5)
LEASE_SECONDS = 1.0


class HttpWriter:
    """Idempotent PUT by external id; lookup by external id."""

    system = "faketarget"

    def __init__(self, client: httpx.AsyncClient, *, die_after_write: bool) -> None:
        self.client = client
        self.die_after_write = die_after_write

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        results = []
        for record in batch:
            try:
                response = await self.client.put(f"/records/eid:{record.external_id}", json=record.payload)
            except httpx.TransportError as exc:
                results.append(WriteResult.failed(Retriable(f"transport error: {exc}")))
                continue
            if response.status_code >= 500:
                results.append(WriteResult.failed(Retriable(f"HTTP {response.status_code}")))
            elif response.status_code >= 400:
                results.append(WriteResult.failed(RecordRejected(f"HTTP {response.status_code}")))
            else:
                results.append(WriteResult.ok(str(response.json()["id"])))
        if self.die_after_write:
            print("wrote", ",".join(str(r.id) for r in batch), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return results

    async def lookup(self, record: ClaimedRecord) -> str | None:
        response = await self.client.get(f"/records/eid:{record.external_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return str(response.json()["id"])


def to_staged(row: dict[str, str]) -> StagedRecord:
    external_id = f"lb-src-{row['id']}"
    return StagedRecord(
        source_system="fakesrc",
        source_type="record",
        source_id=row["id"],
        external_id=external_id,
        target_system="faketarget",
        target_type="record",
        payload={"externalId": external_id, "amount": Decimal(row["amount"]), "currency": "USD"},
        source_modified_at=datetime.fromisoformat(row["modified"]),
    )


async def read_source(client: httpx.AsyncClient, stream: CheckpointedStream) -> None:
    """Page through everything after the start cursor, committing each page with its cursor."""
    start = stream.start()
    after, tie = (start.moment.isoformat(), start.tie) if start else ("", "")
    while True:
        response = await client.get("/source/records", params={"after": after, "after_tie": tie, "limit": 50})
        response.raise_for_status()
        rows = response.json()["records"]
        if not rows:
            return
        cursors = [Cursor(datetime.fromisoformat(row["modified"]), row["id"]) for row in rows]
        await asyncio.to_thread(stream.commit, [to_staged(row) for row in rows], cursors)
        after, tie = rows[-1]["modified"], rows[-1]["id"]


def settled(store: HubStore) -> bool:
    counts = store.stats(FLOW).get(FLOW, {})
    return sum(counts.values()) > 0 and counts.get("transferred", 0) == sum(counts.values())


async def main(hub_url: str, base_url: str, *, final: bool, die_after_write: bool) -> int:
    store = HubStore.open(hub_url)
    stream = CheckpointedStream(store, FLOW, STREAM, lookback=LOOKBACK)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        writer = HttpWriter(client, die_after_write=die_after_write)
        executor = Executor(
            store,
            FLOW,
            writer,
            batch_size=25,
            lease_seconds=LEASE_SECONDS,
            max_attempts=100,
            backoff_base=0.05,
            backoff_cap=0.5,
        )
        while True:
            await read_source(client, stream)
            report = await executor.run_once()
            if report.batches or report.recovered:
                print("run", report.counters(), flush=True)
            if final and settled(store):
                return 0
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("hub_url")
    parser.add_argument("base_url")
    parser.add_argument("--final", action="store_true")
    parser.add_argument("--die-after-write", action="store_true")
    args = parser.parse_args()
    sys.exit(
        asyncio.run(main(args.hub_url, args.base_url, final=args.final, die_after_write=args.die_after_write))
    )
