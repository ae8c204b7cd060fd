"""SuiteQL through the connector against the emulator: keyset paging past the 100,000-row cap."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.errors import RecordRejected

from .conftest import Emulator, start

ROWS = 150_000
FIRST_ID = 5_000_000  # clear of anything a seed creates


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    for running in start():
        rows = (
            {
                "id": FIRST_ID + n,
                "entityid": f"BULK{n:06d}",
                "companyname": f"Bulk customer {n}",
                "isperson": "F",
                "creditlimit": f"{n % 1000}.25",
            }
            for n in range(ROWS)
        )
        assert running.store.bulk_insert("customer", rows) == ROWS
        yield running


async def test_150k_rows_each_exactly_once(client: NetSuiteClient) -> None:
    seen: Counter[str] = Counter()
    query = f"SELECT id, entityid, creditlimit FROM customer WHERE id >= {FIRST_ID}"
    async for row in client.suiteql_keyset(query):
        seen[row["id"]] += 1
    assert len(seen) == ROWS
    assert set(seen.values()) == {1}
    assert seen.keys() == {str(FIRST_ID + n) for n in range(ROWS)}
    # one rewritten query per 1,000-row page (the last page may come back exactly full)
    assert ROWS // 1000 <= client.requests_sent["query"] <= ROWS // 1000 + 1


async def test_offset_paging_stops_at_the_cap_with_a_pointer_to_keyset(client: NetSuiteClient) -> None:
    rows = 0
    with pytest.raises(RecordRejected, match="suiteql_keyset"):
        async for _ in client.suiteql(f"SELECT id FROM customer WHERE id >= {FIRST_ID} ORDER BY id ASC"):
            rows += 1
    assert rows == 100_000


async def test_keyset_resumes_after_a_key_and_decodes(client: NetSuiteClient) -> None:
    last = FIRST_ID + ROWS - 3
    rows = [
        client.decode_row(row, {"id": int, "creditlimit": Decimal})
        async for row in client.suiteql_keyset(
            f"SELECT id, creditlimit FROM customer WHERE id >= {FIRST_ID}", after=str(last)
        )
    ]
    assert [row["id"] for row in rows] == [last + 1, last + 2]
    assert rows[0]["creditlimit"] == Decimal((ROWS - 2) % 1000) + Decimal("0.25")
    assert client.requests_sent["query"] == 1
