"""Executor overhead per record (µs): claim → write → record outcomes against a writer that does nothing.

What remains is the executor's own cost per record: the hub transactions, payload decoding, outcome
building and thread hops. Run: ``.venv/bin/python bench/bench_executor_overhead.py [--records N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from bench_hub_throughput import postgres_url, records, sqlite_url, stage_all, write_results

from ledgerbridge.engine.executor import Executor, WriteResult
from ledgerbridge.hub import ClaimedRecord, HubStore

FLOW = "bench"


class NullWriter:
    """Accepts everything instantly."""

    system = "null"

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        return [WriteResult.ok(None) for _ in batch]

    async def lookup(self, record: ClaimedRecord) -> str | None:
        return None


def measure(url: str, count: int, batch: int) -> dict[str, Any]:
    store = HubStore.open(url)
    try:
        stage_all(store, FLOW, records(count))
        executor = Executor(store, FLOW, NullWriter(), batch_size=batch)
        started = time.perf_counter()
        report = asyncio.run(executor.run_once())
        elapsed = time.perf_counter() - started
        assert report.transferred == count
        return {
            "records": count,
            "batch": batch,
            "seconds": round(elapsed, 3),
            "records_per_second": round(count / elapsed),
            "overhead_us_per_record": round(elapsed / count * 1e6, 1),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    backends: dict[str, Callable[[], AbstractContextManager[str | None]]] = {
        "sqlite": sqlite_url,
        "postgresql": postgres_url,
    }
    results: dict[str, Any] = {}
    for name, target in backends.items():
        for batch in (100, 500):
            with target() as url:
                key = f"{name}/batch{batch}"
                results[key] = (
                    {"skipped": "unreachable"} if url is None else measure(url, args.records, batch)
                )
    path = write_results("executor_overhead", {"results": results})
    print(f"{'backend/batch':<22}{'records':>10}{'records/s':>12}{'µs/record':>12}")
    for key, row in results.items():
        if "skipped" in row:
            print(f"{key:<22}{'skipped':>34}")
        else:
            print(
                f"{key:<22}{row['records']:>10}{row['records_per_second']:>12}{row['overhead_us_per_record']:>12}"
            )
    print(f"-> {path}")


if __name__ == "__main__":
    main()
