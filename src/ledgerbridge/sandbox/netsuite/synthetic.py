"""Synthetic GL volume for benchmarks and large-read tests: balanced journal entries written straight into
the SuiteQL tables (``transaction``, ``transactionline``, ``transactionaccountingline``), deterministic
for a given seed. They have no REST bodies; they exist to be read through SuiteQL.

Each journal entry has 10 lines: 9 debits to expense accounts and one credit to the bank (or, lacking a
bank account, the first other account), so every entry and every period balances to zero.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ledgerbridge.sandbox.netsuite import codec
from ledgerbridge.sandbox.netsuite.ledger import UNIQUE_STRIDE
from ledgerbridge.sandbox.netsuite.periods import Periods
from ledgerbridge.sandbox.netsuite.repo import Repo

LINES_PER_ENTRY = 10
_CHUNK = 50_000


def synthesize_journals(repo: Repo, periods: Periods, lines: int, *, seed: int = 0) -> int:
    rng = random.Random(seed)
    conn = repo.conn
    debit_accounts = [
        int(r[0]) for r in conn.execute("SELECT id FROM account WHERE accttype = 'Expense' ORDER BY id")
    ]
    credit = conn.execute("SELECT id FROM account WHERE accttype = 'Bank' ORDER BY id LIMIT 1").fetchone()
    all_accounts = [int(r[0]) for r in conn.execute("SELECT id FROM account ORDER BY id")]
    if len(all_accounts) < 2:
        raise ValueError("synthesize_gl needs a chart of accounts with at least two accounts")
    if not debit_accounts:
        debit_accounts = all_accounts[1:]
    credit_account = int(credit[0]) if credit else all_accounts[0]
    months = [(date.fromisoformat(str(m.body["startDate"])), m.id) for m in periods.months()]
    if not months:
        months = [(repo.today().replace(day=1), periods.period_for(repo.today()))]
    books = [int(r[0]) for r in conn.execute("SELECT id FROM accountingbook ORDER BY id")] or [1]
    currency = int(repo.setting("base_currency") or 1)
    subsidiary = int(repo.setting("root_subsidiary") or 1)
    entries = max(1, lines // LINES_PER_ENTRY)
    first_id = repo.next_seq("id:transaction")
    repo.bump_seq("id:transaction", first_id + entries - 1)
    stamp = repo.local_sql(repo.now_stamp())
    tx_rows: list[tuple[Any, ...]] = []
    line_rows: list[tuple[Any, ...]] = []
    tal_rows: list[tuple[Any, ...]] = []
    written = 0
    for offset in range(entries):
        tx_id = first_id + offset
        start, period_id = months[offset % len(months)]
        day = start + timedelta(days=rng.randrange(28))
        # Integer cents keep this loop cheap (a million lines) and exact.
        cents = [rng.randrange(10_000, 100_000_000) for _ in range(LINES_PER_ENTRY - 1)]
        total = sum(cents)
        signed = [*cents, -total]
        accounts = [rng.choice(debit_accounts) for _ in cents] + [credit_account]
        tx_rows.append(
            (
                tx_id,
                f"JE-SYN-{tx_id}",
                codec.sql_date(day),
                period_id,
                "T",
                "Journal",
                "journalentry",
                "GENJRNL",
                "B",
                currency,
                "1",
                stamp,
                stamp,
                stamp,
                _text(total),
                None,
            )
        )
        for line_id, (amount, account) in enumerate(zip(signed, accounts, strict=True)):
            text = _text(amount)
            line_rows.append(
                (
                    tx_id,
                    line_id,
                    tx_id * UNIQUE_STRIDE + line_id,
                    line_id,
                    "T" if line_id == 0 else "F",
                    "F",
                    text,
                    text,
                    text,
                    subsidiary,
                    stamp,
                )
            )
            debit = text if amount > 0 else None
            credit = _text(-amount) if amount < 0 else None
            for book in books:
                tal_rows.append((tx_id, line_id, book, account, text, debit, credit, text, "T", "1", stamp))
                written += 1
        if len(tal_rows) >= _CHUNK:
            _flush(repo, tx_rows, line_rows, tal_rows)
    _flush(repo, tx_rows, line_rows, tal_rows)
    return written


def _text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _flush(
    repo: Repo,
    tx_rows: list[tuple[Any, ...]],
    line_rows: list[tuple[Any, ...]],
    tal_rows: list[tuple[Any, ...]],
) -> None:
    conn = repo.conn
    conn.executemany(
        'INSERT INTO "transaction" (id, tranid, trandate, postingperiod, posting, type, recordtype, '
        "abbrevtype, status, currency, exchangerate, createddatetime, createddate, lastmodifieddate, "
        "foreigntotal, externalid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tx_rows,
    )
    conn.executemany(
        'INSERT INTO "transactionline" ("transaction", id, uniquekey, linesequencenumber, mainline, '
        "taxline, amount, netamount, foreignamount, subsidiary, linelastmodifieddate) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        line_rows,
    )
    conn.executemany(
        'INSERT INTO "transactionaccountingline" ("transaction", transactionline, accountingbook, account, '
        "amount, debit, credit, netamount, posting, exchangerate, lastmodifieddate) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tal_rows,
    )
    tx_rows.clear()
    line_rows.clear()
    tal_rows.clear()
