"""Async batch upserts against the emulator: request budget, idempotent replays, per-item outcomes."""

from __future__ import annotations

from typing import Any

from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.errors import RecordRejected

from .conftest import Emulator


def customers(prefix: str, n: int) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{prefix}-{i:04d}", {"companyName": f"{prefix} customer {i}"}) for i in range(n)]


def submissions(stats: dict[str, Any]) -> int:
    return sum(count for route, count in stats["requests_by_route"].items() if route.startswith("PUT "))


async def count_customers(client: NetSuiteClient, prefix: str) -> int:
    page = await client.suiteql_page(
        f"SELECT COUNT(*) AS n FROM customer WHERE externalid LIKE '{prefix}-%'", limit=1
    )
    return int(page.items[0]["n"])


async def test_250_records_in_three_submissions(client: NetSuiteClient, emulator: Emulator) -> None:
    before = submissions(await emulator.stats())
    results = await client.upsert_many("customer", customers("B250", 250), idempotency_key_prefix="it")
    assert [r.index for r in results] == list(range(250))
    assert all(r.ok for r in results), [r.error for r in results if r.error][:3]
    assert len({r.id for r in results}) == 250
    counts = client.requests_sent.as_dict()
    assert counts["write"] == 3
    assert counts["poll"] <= 3 * 4  # a small constant per job (typically one: the jobs take ~0.1 s)
    assert submissions(await emulator.stats()) - before == 3
    record = await client.get("customer", f"eid:{results[7].external_id}")
    assert record is not None and record["id"] == results[7].id
    assert record["companyName"] == "B250 customer 7"


async def test_repeating_a_batch_creates_nothing_new(client: NetSuiteClient) -> None:
    batch = customers("REPLAY", 120)
    first = await client.upsert_many("customer", batch, idempotency_key_prefix="replay")
    assert await count_customers(client, "REPLAY") == 120
    again = await client.upsert_many("customer", batch, idempotency_key_prefix="replay")
    assert [r.id for r in again] == [r.id for r in first]
    assert all(r.ok for r in again)
    assert await count_customers(client, "REPLAY") == 120


async def test_item_failures_are_reported_per_record(client: NetSuiteClient) -> None:
    records = customers("MIXED", 4)
    records[1] = ("MIXED-0001", {"companyName": "bad ref", "subsidiary": {"id": "999999"}})
    records.append(("not valid!", {"companyName": "never sent"}))
    results = await client.upsert_many("customer", records)
    assert [r.ok for r in results] == [True, False, True, True, False]
    assert isinstance(results[1].error, RecordRejected)
    assert results[1].error.vendor_code == "INVALID_KEY_OR_REF"
    assert results[4].error is not None and results[4].error.vendor_code == "INVALID_EXTERNAL_ID"
    assert await client.find_id_by_external_id("customer", "MIXED-0001") is None


async def test_create_and_update_batches(client: NetSuiteClient) -> None:
    created = await client.create_many(
        "customer", [{"companyName": f"Created {i}", "externalId": f"CRT-{i}"} for i in range(3)]
    )
    assert all(r.ok for r in created)
    updated = await client.update_many(
        "customer", [(r.id or "", {"companyName": f"Updated {r.index}"}) for r in created]
    )
    assert [r.id for r in updated] == [r.id for r in created]
    record = await client.get("customer", created[2].id or "")
    assert record is not None and record["companyName"] == "Updated 2"
