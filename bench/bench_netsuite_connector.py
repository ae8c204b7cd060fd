"""Benchmark: the NetSuite connector against the emulator over loopback HTTP.

1. Requests per record: upserting N customers (default 2,000) one by one (``PUT .../eid:``) under a
   concurrency of 5, versus ``upsert_many`` (async batch jobs of 100 records, polled).
2. SuiteQL read rate: rows per second through ``suiteql_keyset`` (composite key on
   ``transactionaccountingline``) with typed decoding, over a synthesized GL.

The default is the issue's full size, 1,000,000 GL lines, and a full run takes about 5 minutes on a
2-core machine. Most of that time is the emulator: it computes ``totalResults`` for every page, which
costs time proportional to the rows still ahead of the page. The connector's own work per 1,000-row page
is a few milliseconds: about 2 ms to parse and 2 ms to rewrite the query, plus about 4 ms when the rows are
decoded.

    .venv/bin/python bench/bench_netsuite_connector.py                                   # full size
    .venv/bin/python bench/bench_netsuite_connector.py --gl-lines 50000 --customers 300  # quick

Writes bench/results/netsuite_connector.json and prints a short table. Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import uvicorn

from ledgerbridge.connectors.netsuite import NetSuiteClient, NetSuiteSettings
from ledgerbridge.errors import Retriable
from ledgerbridge.sandbox.netsuite.app import create_app, get_emulator
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings

RESULTS = Path(__file__).resolve().parent / "results" / "netsuite_connector.json"
GL_QUERY = (
    "SELECT tal.transaction, tal.transactionline, tal.accountingbook, tal.account, tal.amount, "
    "tal.debit, tal.credit FROM transactionaccountingline tal WHERE tal.posting = 'T'"
)
GL_KEY = ("tal.transaction", "tal.transactionline", "tal.accountingbook")
GL_TYPES: dict[str, Any] = {
    "transaction": int,
    "transactionline": int,
    "accountingbook": int,
    "account": int,
    "amount": Decimal,
    "debit": Decimal,
    "credit": Decimal,
}


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """uvicorn on 127.0.0.1:<free port> in a thread (the same way the test suite serves emulators)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def connector_settings(emulator: EmulatorSettings, base_url: str, concurrency: int) -> NetSuiteSettings:
    return NetSuiteSettings.model_validate(
        {
            "account_id": emulator.account_id,
            "base_url": base_url,
            "concurrency": concurrency,
            "auth": {
                "type": "tba",
                "consumer_key": emulator.consumer_key,
                "consumer_secret": emulator.consumer_secret.get_secret_value(),
                "token_id": emulator.token_id,
                "token_secret": emulator.token_secret.get_secret_value(),
            },
        }
    )


async def single_upserts(settings: NetSuiteSettings, n: int, concurrency: int) -> dict[str, Any]:
    """One ``PUT .../eid:`` per record; a throttled request is retried (and counted) as a flow would."""
    gate = asyncio.Semaphore(concurrency)
    throttled = 0
    async with NetSuiteClient(settings) as ns:

        async def one(i: int) -> None:
            nonlocal throttled
            for attempt in range(8):
                async with gate:
                    try:
                        await ns.upsert("customer", f"BENCH-S-{i:05d}", {"companyName": f"Single {i}"})
                        return
                    except Retriable as exc:
                        throttled += 1
                        delay = exc.retry_after or 0.05 * 2**attempt
                await asyncio.sleep(delay)
            raise RuntimeError(f"record {i} kept failing")

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - started
        counts = ns.requests_sent.as_dict()
    return _write_summary("single", n, counts, elapsed, throttled)


async def batch_upserts(settings: NetSuiteSettings, n: int) -> dict[str, Any]:
    records = [(f"BENCH-B-{i:05d}", {"companyName": f"Batch {i}"}) for i in range(n)]
    async with NetSuiteClient(settings) as ns:
        started = time.perf_counter()
        results = await ns.upsert_many("customer", records, idempotency_key_prefix="bench")
        elapsed = time.perf_counter() - started
        counts = ns.requests_sent.as_dict()
    failed = sum(1 for result in results if not result.ok)
    summary = _write_summary("batch", n, counts, elapsed, 0)
    summary["failed_records"] = failed
    return summary


def _write_summary(
    mode: str, n: int, counts: dict[str, int], elapsed: float, throttled: int
) -> dict[str, Any]:
    return {
        "mode": mode,
        "records": n,
        "requests": counts,
        "requests_per_record": round(counts["total"] / n, 4),
        "seconds": round(elapsed, 3),
        "records_per_second": round(n / elapsed, 1),
        "throttled_retries": throttled,
    }


async def suiteql_read(settings: NetSuiteSettings, expected: int) -> dict[str, Any]:
    rows = 0
    total = Decimal(0)
    async with NetSuiteClient(settings) as ns:
        started = time.perf_counter()
        async for row in ns.suiteql_keyset(GL_QUERY, key=GL_KEY):
            decoded = ns.decode_row(row, GL_TYPES)
            total += decoded["amount"]
            rows += 1
        elapsed = time.perf_counter() - started
        queries = ns.requests_sent["query"]
    return {
        "rows": rows,
        "expected_rows": expected,
        "seconds": round(elapsed, 3),
        "rows_per_second": round(rows / elapsed, 1),
        "requests": queries,
        "sum_of_amounts": str(total),  # a balanced GL sums to zero
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    emulator = EmulatorSettings.generate(seed="empty")
    app = create_app(emulator)
    store = get_emulator(app).store
    with serve(app) as base_url:
        settings = connector_settings(emulator, base_url, args.concurrency)
        single = await single_upserts(settings, args.customers, args.concurrency)
        batch = await batch_upserts(settings, args.customers)
        seeded_at = time.perf_counter()
        lines = await asyncio.to_thread(store.synthesize_gl, args.gl_lines, seed=7)
        seed_seconds = time.perf_counter() - seeded_at
        read = await suiteql_read(settings, lines)
        read["seed_seconds"] = round(seed_seconds, 1)
    return {
        "benchmark": "netsuite_connector",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "parameters": {
            "customers": args.customers,
            "concurrency": args.concurrency,
            "gl_lines": args.gl_lines,
        },
        "upsert": {"single": single, "batch": batch},
        "suiteql": read,
    }


def print_table(result: dict[str, Any]) -> None:
    single, batch, read = result["upsert"]["single"], result["upsert"]["batch"], result["suiteql"]
    print(f"NetSuite connector vs emulator ({result['parameters']})")
    print(f"{'mode':<8} {'records':>8} {'requests':>9} {'req/record':>11} {'seconds':>8} {'rec/s':>8}")
    for row in (single, batch):
        print(
            f"{row['mode']:<8} {row['records']:>8} {row['requests']['total']:>9} "
            f"{row['requests_per_record']:>11} {row['seconds']:>8} {row['records_per_second']:>8}"
        )
    print(
        f"SuiteQL keyset read: {read['rows']:,} rows in {read['seconds']} s = "
        f"{read['rows_per_second']:,} rows/s ({read['requests']} requests; "
        f"seeding took {read['seed_seconds']} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=2000, help="records per upsert mode (default 2000)")
    parser.add_argument("--concurrency", type=int, default=5, help="concurrent single upserts (default 5)")
    parser.add_argument(
        "--gl-lines", type=int, default=1_000_000, help="GL lines to synthesize and read (default 1,000,000)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
