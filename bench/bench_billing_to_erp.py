"""Benchmark: billing-to-erp moving N invoices (default 2,000) from the Nue emulator into the NetSuite
emulator through a connection limited to 5 concurrent requests and 300 requests per minute.

Customers, items and sales orders are mirrored by a first run *before* the invoices exist; then every
order is invoiced in Nue and a second run — the one measured — transfers the invoices. The NetSuite
emulator enforces the same limits (answering 429 beyond them), so "429s received" shows whether the
connection's own limiter kept inside them. Figures:

* NetSuite requests per invoice (the emulator's request counter over the measured run),
* 429s received (the emulator's ``throttled_total``; target 0),
* wall time of the measured run (the real CLI in its own process, start-up included), against
* the minimum the limits allow for that many requests (requests / 300 per minute).

    .venv/bin/python bench/bench_billing_to_erp.py                 # 2,000 invoices
    .venv/bin/python bench/bench_billing_to_erp.py --invoices 200  # quick

Writes bench/results/billing_to_erp.json and prints a short table. Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

from ledgerbridge.config.templates import render_sandbox
from ledgerbridge.sandbox._kit.jsonbody import dumps, loads
from ledgerbridge.sandbox.world import start_sandbox

RESULTS = Path(__file__).resolve().parent / "results" / "billing_to_erp.json"
FLOW = "billing-to-erp"
CONCURRENCY = 5
PER_MINUTE = 300
ORDERS_PER_CUSTOMER = 10
CLI = Path(sys.executable).with_name("ledgerbridge")


class Nue:
    """Just enough of the Nue API (and its sandbox admin routes) to build the benchmark's world."""

    def __init__(self, base_url: str, api_key: str) -> None:
        headers = {"nue-api-key": api_key, "Content-Type": "application/json"}
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=60)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, content=dumps(body) if body is not None else None)
        if response.status_code >= 300:
            raise RuntimeError(f"Nue {method} {path}: HTTP {response.status_code} {response.text[:300]}")
        answer = loads(response.content)
        if isinstance(answer, dict) and "status" in answer and not path.startswith("/_sandbox"):
            return answer["data"]
        return answer

    def close(self) -> None:
        self.http.close()


def build_orders(nue: Nue, orders: int) -> list[str]:
    """Products, customers and ``orders`` activated two-line orders; returns the order ids."""
    products = nue.call(
        "POST",
        "/products",
        [
            {"name": "Pro", "sku": "PRO", "productType": "Subscription", "listPrice": Decimal("100")},
            {"name": "Credits", "sku": "CRED", "productType": "Entitlement", "listPrice": Decimal("50")},
        ],
    )
    entries = {e["productId"]: e["id"] for e in nue.call("GET", "/price-book-entries?limit=500")}
    pro, cred = (entries[p["id"]] for p in products)
    customers = nue.call(
        "POST",
        "/customers",
        [
            {"name": f"Customer {n}", "recordType": "Business", "customerSince": "2025-01-01"}
            for n in range(-(-orders // ORDERS_PER_CUSTOMER))
        ],
    )
    order_ids = []
    for n in range(orders):
        customer = customers[n // ORDERS_PER_CUSTOMER]["id"]
        lines = [
            {"priceBookEntryId": pro, "quantity": 1 + n % 5},
            {"priceBookEntryId": cred, "quantity": 1},
        ]
        draft = nue.call("POST", "/orders", {"customer": {"id": customer}, "orderProducts": lines})
        nue.call("POST", f"/orders/{draft['order']['id']}", {"options": {}})
        order_ids.append(str(draft["order"]["id"]))
    return order_ids


def configure(config: Path) -> None:
    """The NetSuite connection's limits (no headroom: all 5 slots), and the flow's go-live date."""
    yaml = YAML(typ="rt")
    data = yaml.load(config.read_text(encoding="utf-8"))
    data["connections"]["netsuite"]["limits"] = {
        "concurrency": CONCURRENCY,
        "requests_per_minute": PER_MINUTE,
        "headroom": 0.0,
    }
    for flow in data["flows"]:
        if flow["name"] == FLOW:
            flow["params"] = {"transfer_invoices_from": "2020-01-01"}
    with config.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def run_flow(config: Path, workdir: Path) -> tuple[float, dict[str, Any]]:
    """The real CLI in its own process; returns wall seconds and its JSON summary."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(CLI), "--config", str(config), "run", FLOW, "--json"],
        cwd=workdir,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"run failed (exit {done.returncode}): {done.stderr.decode()[-2000:]}") from None
    if done.returncode != 0:
        raise RuntimeError(f"run exit {done.returncode}: {summary}")
    return elapsed, dict(summary)


def netsuite_stats(http: httpx.Client) -> dict[str, Any]:
    return dict(http.get("/_sandbox/stats").json())


def measure(invoices: int, workdir: Path) -> dict[str, Any]:
    with start_sandbox(seed="empty", port_base=None, workdir=workdir, systems=["netsuite", "nue"]) as sandbox:
        config = workdir / "ledgerbridge.yaml"
        config.write_text(render_sandbox(sandbox.info), encoding="utf-8")
        configure(config)
        nue = Nue(sandbox.urls["nue"], str(sandbox.info["nue"]["api_key"]))
        ns = httpx.Client(base_url=sandbox.urls["netsuite"], timeout=30)
        try:
            # NetSuite itself enforces the limits: a request beyond them is answered 429
            faults = {"concurrency_limit": CONCURRENCY, "requests_per_minute": PER_MINUTE}
            ns.post("/_sandbox/faults", json=faults).raise_for_status()

            t0 = time.perf_counter()
            order_ids = build_orders(nue, invoices)
            build_seconds = time.perf_counter() - t0
            mirror_seconds, mirror = run_flow(config, workdir)  # customers, items, sales orders

            for order_id in order_ids:
                nue.call("POST", f"/_sandbox/nue/orders/{order_id}/invoice", {"activate": True})
            # a fresh rate window: the measured run starts with the whole per-minute allowance, as it would
            # after a quiet scheduling interval
            time.sleep(61)
            before = netsuite_stats(ns)
            wall, summary = run_flow(config, workdir)
            after = netsuite_stats(ns)
        finally:
            nue.close()
            ns.close()

    requests = after["requests_total"] - before["requests_total"]
    by_route = {
        route: count - before["requests_by_route"].get(route, 0)
        for route, count in after["requests_by_route"].items()
        if count - before["requests_by_route"].get(route, 0)
    }
    return {
        "invoices": invoices,
        "setup": {
            "build_nue_seconds": round(build_seconds, 1),
            "mirror_run_seconds": round(mirror_seconds, 1),
        },
        "mirror_run": mirror.get("counters"),
        "measured_run": summary.get("counters"),
        "netsuite_requests": requests,
        "requests_by_route": by_route,
        "requests_per_invoice": round(requests / invoices, 4),
        "throttled_429": after["throttled_total"] - before["throttled_total"],
        "wall_seconds": round(wall, 2),
        "min_seconds_allowed_by_limits": round(requests / PER_MINUTE * 60, 2),
        "invoices_per_hour": round(invoices / wall * 3600),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=2000, help="invoices to transfer (default 2,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-b2e-") as tmp:
        result = measure(args.invoices, Path(tmp))
    document = {
        "benchmark": "billing_to_erp",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "parameters": {
            "invoices": args.invoices,
            "concurrency": CONCURRENCY,
            "requests_per_minute": PER_MINUTE,
            "orders_per_customer": ORDERS_PER_CUSTOMER,
        },
        "results": result,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"{'invoices':<34}{result['invoices']:>12,}")
    print(f"{'NetSuite requests':<34}{result['netsuite_requests']:>12,}")
    print(f"{'requests per invoice':<34}{result['requests_per_invoice']:>12}")
    print(f"{'429s received':<34}{result['throttled_429']:>12}")
    print(f"{'wall time (s)':<34}{result['wall_seconds']:>12}")
    print(f"{'minimum the limits allow (s)':<34}{result['min_seconds_allowed_by_limits']:>12}")
    print(f"{'invoices per hour':<34}{result['invoices_per_hour']:>12,}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
