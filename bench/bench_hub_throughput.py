"""Hub throughput: records claimed and completed per second (100,000 records, batch 500).

Each backend gets a fresh database. Staging is timed separately; the measured loop is what an executor
does per batch without any target: claim 500 under a lease, then record 500 successful outcomes (each a
transaction with its audit events). Run: ``.venv/bin/python bench/bench_hub_throughput.py [--records N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledgerbridge.hub import HubStore, Outcome, StagedRecord

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = os.environ.get(
    "LEDGERBRIDGE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test"
)


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def records(count: int) -> list[StagedRecord]:
    return [
        StagedRecord(
            source_system="nue",
            source_type="invoice",
            source_id=f"INV-{i:07d}",
            external_id=f"lb-nue-inv-INV-{i:07d}",
            target_system="netsuite",
            target_type="invoice",
            payload={
                "externalId": f"lb-nue-inv-INV-{i:07d}",
                "amount": Decimal("1234.50"),
                "currency": "USD",
            },
        )
        for i in range(count)
    ]


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="lb-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'hub.db'}"


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A fresh schema on the bench PostgreSQL, or None when it is unreachable."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    schema = f"lbbench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        admin.dispose()
        yield None
        return
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2) + "\n", encoding="utf-8")
    return path


# ---- the benchmark (the helpers above are shared with bench_executor_overhead.py) ----

FLOW = "bench"


def autovacuum_off(store: HubStore) -> bool:
    """Whether this is a PostgreSQL server with autovacuum disabled (common on CI/test servers)."""
    if store.dialect != "postgresql":
        return False
    with store.engine.connect() as connection:
        return connection.execute(text("SHOW autovacuum")).scalar() == "off"


def stage_all(store: HubStore, flow: str, rows: list[StagedRecord], *, chunk: int = 5_000) -> bool:
    """Stage in chunks; returns whether ANALYZE had to stand in for a disabled autovacuum.

    A fresh table has no planner statistics; without autovacuum PostgreSQL keeps planning the staging
    lookups as if the table were empty, which makes a bulk backfill quadratic. Production servers run
    autovacuum; on a server without it we do what it would do, every 20,000 rows, and say so.
    """
    analyze = autovacuum_off(store)
    for start in range(0, len(rows), chunk):
        store.stage(flow, rows[start : start + chunk])
        if analyze and (start + chunk) % 20_000 == 0:
            with store.engine.begin() as connection:
                connection.execute(text("ANALYZE sync_record"))
    return analyze


def measure(url: str, count: int, batch: int) -> dict[str, Any]:
    store = HubStore.open(url)
    try:
        started = time.perf_counter()
        analyzed = stage_all(store, FLOW, records(count))
        staging = time.perf_counter() - started

        started = time.perf_counter()
        done = 0
        while claimed := store.claim(FLOW, owner="bench", limit=batch, lease_seconds=300):
            store.record_outcomes("bench", [Outcome(r.id, target_id=f"T{r.id}") for r in claimed])
            done += len(claimed)
        elapsed = time.perf_counter() - started
        assert done == count and store.stats(FLOW)[FLOW]["transferred"] == count
        return {
            "records": count,
            "batch": batch,
            "manual_analyze_for_disabled_autovacuum": analyzed,
            "stage_seconds": round(staging, 3),
            "staged_per_second": round(count / staging),
            "claim_complete_seconds": round(elapsed, 3),
            "claimed_and_completed_per_second": round(count / elapsed),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    backends: dict[str, Callable[[], AbstractContextManager[str | None]]] = {
        "sqlite": sqlite_url,
        "postgresql": postgres_url,
    }
    results: dict[str, Any] = {}
    for name, target in backends.items():
        with target() as url:
            results[name] = (
                {"skipped": "unreachable"} if url is None else measure(url, args.records, args.batch)
            )
    path = write_results("hub_throughput", {"results": results})
    print(f"{'backend':<12}{'records':>10}{'staged/s':>12}{'claimed+completed/s':>22}")
    for name, row in results.items():
        if "skipped" in row:
            print(f"{name:<12}{'skipped (' + row['skipped'] + ')':>44}")
        else:
            print(
                f"{name:<12}{row['records']:>10}{row['staged_per_second']:>12}"
                f"{row['claimed_and_completed_per_second']:>22}"
            )
    print(f"-> {path}")


if __name__ == "__main__":
    main()
