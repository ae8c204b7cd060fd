"""Composite-key keyset paging over a synthesized general ledger: every accounting line once, balanced."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledgerbridge.connectors.netsuite import NetSuiteClient

from .conftest import Emulator, start

GL = (
    "SELECT tal.transaction, tal.transactionline, tal.accountingbook, tal.amount "
    "FROM transactionaccountingline tal WHERE tal.posting = 'T'"
)
KEY = ("tal.transaction", "tal.transactionline", "tal.accountingbook")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    for running in start():
        running.store.synthesize_gl(20_000, seed=3)
        yield running


async def test_every_gl_line_once_and_the_ledger_balances(client: NetSuiteClient) -> None:
    total = await client.suiteql_page(
        "SELECT COUNT(*) AS n FROM transactionaccountingline WHERE posting = 'T'", limit=1
    )
    expected = int(total.items[0]["n"])
    assert expected >= 20_000
    seen: Counter[tuple[str, str, str]] = Counter()
    balance = Decimal(0)
    async for row in client.suiteql_keyset(GL, key=KEY, page_size=700):
        seen[(row["transaction"], row["transactionline"], row["accountingbook"])] += 1
        balance += client.decode_row(row, {"amount": Decimal})["amount"] or Decimal(0)
    assert sum(seen.values()) == expected
    assert max(seen.values()) == 1
    assert balance == 0
