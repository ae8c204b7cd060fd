"""SuiteQL on the store: result shape, functions, errors, paging caps, the GL query, keyset speed."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

from .conftest import World

GL_QUERY = """
SELECT tal.account, a.acctnumber, a.accttype, t.postingperiod, ap.periodname,
       tl.subsidiary, tl.department, tl.class, tl.location,
       SUM(tal.debit) AS debit, SUM(tal.credit) AS credit, SUM(tal.amount) AS amount
FROM transactionaccountingline tal
JOIN transaction t ON t.id = tal.transaction
LEFT JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline
JOIN account a ON a.id = tal.account
JOIN accountingperiod ap ON ap.id = t.postingperiod
WHERE tal.posting = 'T' AND t.posting = 'T' AND ap.isquarter = 'F' AND ap.isyear = 'F'
GROUP BY tal.account, a.acctnumber, a.accttype, t.postingperiod, ap.periodname,
         tl.subsidiary, tl.department, tl.class, tl.location
ORDER BY tal.account ASC, t.postingperiod ASC
"""


def test_items_have_links_lowercase_keys_and_string_values(world: World) -> None:
    page = world.store.suiteql("SELECT Id, CompanyName AS Name, IsPerson, Email FROM customer")
    assert page.total == 1 and not page.has_more
    assert page.items == [
        {"links": [], "id": world.customer, "name": "Acme Corp", "isperson": "F"}
    ]  # NULL email omitted


def test_numbers_have_no_float_artefacts(world: World) -> None:
    for amount in ("0.10", "0.20", "1500.00"):
        world.invoice(amount)
    row = world.store.suiteql(
        "SELECT SUM(foreigntotal) AS total, MAX(foreigntotal) AS top, COUNT(*) AS n, "
        "SUM(foreigntotal) * 3 AS tripled FROM transaction WHERE type = 'CustInvc'"
    ).items[0]
    assert row == {"links": [], "total": "1500.3", "top": "1500", "n": "3", "tripled": "4500.9"}


def test_dates_in_account_format_unless_to_char(world: World) -> None:
    invoice = world.invoice(day="2026-03-05")
    row = world.store.suiteql(
        "SELECT trandate, lastmodifieddate, TO_CHAR(trandate, 'YYYY-MM-DD') AS iso, "
        "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS stamp, TO_CHAR(foreigntotal) AS amount "
        f"FROM transaction WHERE id = {invoice}"
    ).items[0]
    assert row["trandate"] == "3/5/2026"
    assert row["lastmodifieddate"] == "3/15/2026"
    assert row["iso"] == "2026-03-05"
    assert row["stamp"] == "2026-03-15 10:00:00"  # account-local time (America/Los_Angeles)
    assert row["amount"] == "1000"


def test_to_date_and_to_timestamp_filters(world: World) -> None:
    early = world.invoice(day="2026-02-01")
    late = world.invoice(day="2026-03-10")
    ids = world.store.suiteql(
        "SELECT id FROM transaction WHERE trandate >= TO_DATE('03/01/2026', 'MM/DD/YYYY') ORDER BY id ASC"
    ).items
    assert [r["id"] for r in ids] == [late]
    ids = world.store.suiteql(
        "SELECT id FROM transaction WHERE lastmodifieddate > TO_TIMESTAMP('2026-03-15 09:59:59', "
        "'YYYY-MM-DD HH24:MI:SS') AND trandate < TO_DATE('2026-03-01', 'YYYY-MM-DD')"
    ).items
    assert [r["id"] for r in ids] == [early]


def test_builtin_df_coalesce_case_concat(world: World) -> None:
    invoice = world.invoice("100.00")
    world.pay(invoice)
    row = world.store.suiteql(
        "SELECT BUILTIN.DF(t.entity) AS customer, BUILTIN.DF(t.status) AS status, "
        "BUILTIN.DF(t.postingperiod) AS period, "
        "BUILTIN.DF(t.type) AS kind, COALESCE(t.memo, 'none') AS memo, NVL(t.otherrefnum, 'n/a') AS ref, "
        "CASE WHEN t.foreignamountunpaid = 0 THEN 'paid' ELSE 'open' END AS state, "
        "t.tranid || '/' || t.memo AS label "
        f"FROM transaction t WHERE t.id = {invoice}"
    ).items[0]
    assert row == {
        "links": [],
        "customer": "Acme Corp",
        "status": "Invoice : Paid In Full",
        "period": "Mar 2026",
        "kind": "Invoice",
        "memo": "none",
        "ref": "n/a",
        "state": "paid",
        "label": "INV1001/",  # Oracle ||: NULL concatenates as ''
    }


def test_unnamed_expressions_are_exprn(world: World) -> None:
    row = world.store.suiteql("SELECT COUNT(*), MAX(id), id FROM customer GROUP BY id").items[0]
    assert set(row) == {"links", "expr1", "expr2", "id"}


def test_rownum_and_fetch_first_limit_rows(store: NetSuiteStore) -> None:
    assert len(store.suiteql("SELECT id FROM account WHERE ROWNUM <= 3").items) == 3
    assert len(store.suiteql("SELECT id FROM account ORDER BY id ASC FETCH FIRST 2 ROWS ONLY").items) == 2


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("SELECT bogus FROM customer", "Unknown identifier 'bogus'"),
        ("SELECT c.BogusColumn FROM customer c", "Unknown identifier 'BogusColumn'"),
        ("SELECT id FROM nosuchtable", "Record 'nosuchtable' was not found"),
        ("WITH x AS (SELECT id FROM customer) SELECT * FROM x", "WITH"),
        ("DELETE FROM customer", "Only SELECT"),
        ("SELECT FROM WHERE", "Syntax error"),
        ("SELECT NOSUCHFUNC(id) FROM customer", "Unsupported function"),
    ],
)
def test_errors_are_invalid_parameter_with_netsuite_text(
    store: NetSuiteStore, query: str, fragment: str
) -> None:
    with pytest.raises(NsError) as err:
        store.suiteql(query)
    assert (err.value.status, err.value.code) == (400, "INVALID_PARAMETER")
    assert fragment in err.value.detail


@pytest.mark.parametrize(
    ("limit", "offset", "param"),
    [
        (1001, 0, "limit"),
        (0, 0, "limit"),
        (10, 5, "offset"),
        (1000, 100_000, "offset"),
        (1000, -1000, "offset"),
    ],
)
def test_paging_caps(store: NetSuiteStore, limit: int, offset: int, param: str) -> None:
    with pytest.raises(NsError) as err:
        store.suiteql("SELECT id FROM account", limit=limit, offset=offset)
    assert err.value.query_param == param


def test_offset_paging_reports_total_and_has_more(store: NetSuiteStore) -> None:
    first = store.suiteql("SELECT id FROM account ORDER BY id ASC", limit=3, offset=0)
    last = store.suiteql("SELECT id FROM account ORDER BY id ASC", limit=3, offset=6)
    assert (first.total, first.has_more, len(first.items)) == (8, True, 3)
    assert (last.total, last.has_more, [r["id"] for r in last.items]) == (8, False, ["7", "8"])
    assert (
        store.suiteql("SELECT id FROM account", limit=1000, offset=99_000).items == []
    )  # at the cap: allowed


def test_caps_are_configurable(clock: object) -> None:
    small = NetSuiteStore(account_id="X", max_page=5, max_results=10)
    with pytest.raises(NsError):
        small.suiteql("SELECT id FROM account", limit=6)
    with pytest.raises(NsError):
        small.suiteql("SELECT id FROM account", limit=5, offset=10)


def test_exact_sum_across_many_cents(store: NetSuiteStore) -> None:
    store.bulk_insert(
        "currency", ({"id": 100 + i, "name": f"c{i}", "exchangerate": Decimal("0.01")} for i in range(1000))
    )
    row = store.suiteql("SELECT SUM(exchangerate) AS s FROM currency WHERE id >= 100").items[0]
    assert row["s"] == "10"


def test_gl_query_of_the_notes_balances(world: World) -> None:
    invoice = world.invoice("700.00")
    world.pay(invoice, "200.00")
    rows = world.store.suiteql(GL_QUERY).items
    by_number = {r["acctnumber"]: r for r in rows}
    assert by_number["1100"]["debit"] == "700" and by_number["1100"]["credit"] == "200"
    assert by_number["1100"]["amount"] == "500"
    assert by_number["4000"]["amount"] == "-700"
    assert by_number["1150"]["accttype"] == "OthCurrAsset"
    assert sum(Decimal(r["amount"]) for r in rows) == 0


def test_keyset_paging_over_150000_rows_returns_each_once(store: NetSuiteStore) -> None:
    store.bulk_insert(
        "customer", ({"id": i, "entityid": f"C{i}", "companyname": f"Co {i}"} for i in range(1, 150_001))
    )
    started = time.perf_counter()
    seen: list[int] = []
    last = 0
    pages = 0
    while True:
        page = store.suiteql(
            f"SELECT id, companyname FROM customer WHERE id > {last} ORDER BY id ASC", limit=1000
        )
        pages += 1
        if pages == 1:
            assert page.total == 150_000  # totalResults is exact, past the 100k offset cap
        if not page.items:
            break
        seen.extend(int(r["id"]) for r in page.items)
        last = seen[-1]
        if not page.has_more:
            break
    elapsed = time.perf_counter() - started
    print(f"keyset read: 150,000 rows in {pages} pages, {elapsed:.2f}s")
    assert seen == list(range(1, 150_001))


def test_synthesized_gl_is_balanced_and_queryable(store: NetSuiteStore) -> None:
    written = store.synthesize_gl(2_000, seed=7)
    assert written == 2_000
    tb = store.suiteql(
        "SELECT t.postingperiod, SUM(tal.amount) AS amount FROM transactionaccountingline tal "
        "JOIN transaction t ON t.id = tal.transaction GROUP BY t.postingperiod"
    ).items
    assert tb and {r["amount"] for r in tb} == {"0"}
    # the synthesized ids do not collide with later REST writes
    assert (
        int(
            store.create(
                "journalentry",
                {
                    "line": {
                        "items": [{"account": {"id": "8"}, "debit": 1}, {"account": {"id": "1"}, "credit": 1}]
                    }
                },
            )
        )
        > 200
    )
