"""Benchmark: the NetSuite emulator's cost per request over loopback HTTP (real uvicorn, real TBA).

Measures, from a keep-alive httpx client signing every request with TBA (HMAC-SHA256):

- ``OPTIONS``         — the floor: HTTP + TBA verification + governance middleware, no store work
- ``GET record``      — one customer with ``expandSubResources=true``
- ``SuiteQL page``    — a 1,000-row page (``SELECT id, companyname FROM customer ORDER BY id ASC``)
- ``PUT upsert``      — ``PUT /customer/eid:<x>``, a new external id each time (create path)
- ``PUT upsert (update)`` — the same external id again (update path)

    .venv/bin/python bench/bench_netsuite_emulator_overhead.py [--requests 300]

Writes bench/results/netsuite_emulator_overhead.json and prints a short table. Measures only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth1Auth
from authlib.oauth1.rfc5849.client_auth import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from oauthlib.oauth1.rfc5849.signature import sign_hmac_sha256_with_client

from ledgerbridge.sandbox.netsuite.context import NetSuiteEmulator
from ledgerbridge.sandbox.world import start_sandbox

RESULTS = Path(__file__).resolve().parent / "results" / "netsuite_emulator_overhead.json"
SUITEQL = "SELECT id, companyname FROM customer ORDER BY id ASC"


def _sign(client: Any, request: Any) -> str:
    secrets = type(
        "Secrets", (), {"client_secret": client.client_secret, "resource_owner_secret": client.token_secret}
    )
    return str(sign_hmac_sha256_with_client(generate_signature_base_string(request), secrets))


ClientAuth.register_signature_method("HMAC-SHA256", _sign)


def _measure(name: str, count: int, call: Callable[[int], httpx.Response], expect: int) -> dict[str, Any]:
    for warmup in range(min(20, count)):
        call(-1 - warmup)
    samples: list[float] = []
    for n in range(count):
        start = time.perf_counter()
        response = call(n)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != expect:
            raise SystemExit(f"{name}: expected {expect}, got {response.status_code}: {response.text[:200]}")
    samples.sort()
    return {
        "name": name,
        "requests": count,
        "mean_ms": round(statistics.fmean(samples), 3),
        "p50_ms": round(samples[len(samples) // 2], 3),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3),
        "requests_per_second": round(1000 / statistics.fmean(samples), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per case")
    parser.add_argument("--suiteql-rows", type=int, default=5000, help="customers behind the SuiteQL page")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as workdir,
        start_sandbox(seed="empty", port_base=None, workdir=workdir, write_files=False) as running,
    ):
        info = running.info["netsuite"]
        emulator: NetSuiteEmulator = running.handle("netsuite")
        # No concurrency limit for a sequential client; keep the knob out of the measurement.
        httpx.post(f"{info['base_url']}/_sandbox/faults", json={"concurrency_limit": None})
        emulator.store.bulk_insert(
            "customer", ({"id": 10_000 + n, "companyname": f"Bench {n}"} for n in range(args.suiteql_rows))
        )
        auth = OAuth1Auth(
            client_id=info["consumer_key"],
            client_secret=info["consumer_secret"],
            token=info["token_id"],
            token_secret=info["token_secret"],
            realm=info["account_id"],
            signature_method="HMAC-SHA256",
            force_include_body=True,
        )
        rest = f"{info['base_url']}/services/rest"
        with httpx.Client(auth=auth, timeout=60) as http:
            created = http.post(
                f"{rest}/record/v1/customer", json={"companyName": "Bench", "subsidiary": {"id": "1"}}
            )
            record_url = created.headers["location"]
            cases = [
                _measure(
                    "OPTIONS (floor)",
                    args.requests,
                    lambda n: http.options(f"{rest}/record/v1/customer"),
                    204,
                ),
                _measure(
                    "GET record",
                    args.requests,
                    lambda n: http.get(record_url, params={"expandSubResources": "true"}),
                    200,
                ),
                _measure(
                    "SuiteQL page (1000 rows)",
                    max(20, args.requests // 5),
                    lambda n: http.post(
                        f"{rest}/query/v1/suiteql",
                        params={"limit": 1000, "offset": 0},
                        json={"q": SUITEQL},
                        headers={"Prefer": "transient"},
                    ),
                    200,
                ),
                _measure(
                    "PUT upsert (create)",
                    args.requests,
                    lambda n: http.put(
                        f"{rest}/record/v1/customer/eid:BENCH-{n + 100}",
                        json={"companyName": f"Upsert {n}", "subsidiary": {"id": "1"}},
                    ),
                    204,
                ),
                _measure(
                    "PUT upsert (update)",
                    args.requests,
                    lambda n: http.put(
                        f"{rest}/record/v1/customer/eid:BENCH-STABLE",
                        json={"companyName": f"Upsert {n}", "subsidiary": {"id": "1"}},
                    ),
                    204,
                ),
            ]

    result = {
        "benchmark": "netsuite_emulator_overhead",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "note": "client-observed latency over loopback, including client-side TBA signing",
        "cases": cases,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'case':<28}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>10}")
    for case in cases:
        print(
            f"{case['name']:<28}{case['mean_ms']:>10.2f}{case['p50_ms']:>10.2f}"
            f"{case['p95_ms']:>10.2f}{case['requests_per_second']:>10.1f}"
        )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
