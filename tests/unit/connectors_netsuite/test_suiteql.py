"""SuiteQL: keyset rewriting with sqlglot, offset paging, keyset paging against a mocked server."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
import sqlglot

from ledgerbridge.connectors.netsuite import NetSuiteClient, keyset_sql
from ledgerbridge.connectors.netsuite.suiteql import KeysetQuery
from ledgerbridge.errors import RecordRejected


def normalized(sql: str) -> str:
    return sqlglot.parse_one(sql, read="oracle").sql(dialect="oracle")


def test_first_page_only_orders_by_the_key() -> None:
    assert keyset_sql("SELECT id, companyname FROM customer") == (
        "SELECT id, companyname FROM customer ORDER BY id ASC"
    )


def test_after_adds_the_key_condition_to_an_existing_filter() -> None:
    sql = keyset_sql(
        "SELECT t.id, t.tranid FROM transaction t WHERE t.type = 'CustInvc' OR t.type = 'CustCred'",
        key="t.id",
        after="1042",
    )
    assert sql == normalized(
        "SELECT t.id, t.tranid FROM transaction t "
        "WHERE (t.type = 'CustInvc' OR t.type = 'CustCred') AND t.id > 1042 ORDER BY t.id ASC"
    )


def test_numeric_ids_compare_as_numbers_and_text_keys_as_strings() -> None:
    assert "id > 999" in keyset_sql("SELECT id FROM customer", after="999")
    assert "entityid > 'ACME-7'" in keyset_sql(
        "SELECT entityid FROM customer", key="entityid", after="ACME-7"
    )
    # a quote in a key value is escaped by sqlglot, never pasted into the SQL
    injected = keyset_sql("SELECT entityid FROM customer", key="entityid", after="x' OR '1'='1")
    assert sqlglot.parse_one(injected, read="oracle").find(sqlglot.exp.Or) is None


def test_composite_key_expands_to_a_lexicographic_after() -> None:
    sql = keyset_sql(
        "SELECT tal.transaction, tal.transactionline, tal.accountingbook, tal.amount "
        "FROM transactionaccountingline tal WHERE tal.posting = 'T'",
        key=("tal.transaction", "tal.transactionline", "tal.accountingbook"),
        after=("10", "2", "1"),
    )
    assert sql == normalized(
        "SELECT tal.transaction, tal.transactionline, tal.accountingbook, tal.amount "
        "FROM transactionaccountingline tal WHERE tal.posting = 'T' AND (tal.transaction >= 10 AND "
        "(tal.transaction > 10 OR (tal.transaction = 10 AND "
        "(tal.transactionline > 2 OR (tal.transactionline = 2 AND tal.accountingbook > 1))))) "
        "ORDER BY tal.transaction ASC, tal.transactionline ASC, tal.accountingbook ASC"
    )


def test_aliased_key_column_is_read_from_its_alias() -> None:
    plan = KeysetQuery("SELECT t.id AS txn_id, t.tranid FROM transaction t", key="t.id")
    assert plan.fields == ["txn_id"]
    assert plan.key_of({"txn_id": "5", "tranid": "INV1"}) == ("5",)
    with pytest.raises(RecordRejected):
        plan.key_of({"tranid": "INV1"})


def test_existing_key_order_is_accepted() -> None:
    assert keyset_sql("SELECT id FROM customer ORDER BY id ASC", after=3).endswith(
        "WHERE id > 3 ORDER BY id ASC"
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT id FROM customer ORDER BY companyname ASC", "remove the query's own ORDER BY"),
        ("SELECT id FROM customer ORDER BY id DESC", "remove the query's own ORDER BY"),
        ("SELECT companyname FROM customer", "must return the key column"),
        ("WITH x AS (SELECT id FROM customer) SELECT id FROM x", "WITH"),
        ("SELECT id FROM customer UNION SELECT id FROM vendor", "single SELECT"),
        ("SELECT id FROM customer FETCH FIRST 10 ROWS ONLY", "LIMIT"),
        ("SELEKT id", "SELECT"),
    ],
)
def test_queries_that_cannot_be_keyset_paged(sql: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        keyset_sql(sql)


def _page(items: list[dict[str, Any]], *, has_more: bool, total: int, offset: int = 0) -> dict[str, Any]:
    return {
        "links": [],
        "count": len(items),
        "hasMore": has_more,
        "offset": offset,
        "totalResults": total,
        "items": [{"links": [], **item} for item in items],
    }


async def test_offset_paging_sends_prefer_transient_and_limit_offset(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        assert request.headers["Prefer"] == "transient"
        assert json.loads(request.content) == {"q": "SELECT id FROM customer"}
        ids = list(range(offset, min(offset + limit, 5)))
        return httpx.Response(
            200, json=_page([{"id": str(i)} for i in ids], has_more=offset + limit < 5, total=5)
        )

    route = router.post("/query/v1/suiteql").mock(side_effect=answer)
    rows = [row async for row in client.suiteql("SELECT id FROM customer", page_size=2)]
    assert rows == [{"id": str(i)} for i in range(5)]
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "2", "4"]
    assert client.requests_sent["query"] == 3


async def test_offset_paging_refuses_to_pass_the_query_cap(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    router.post("/query/v1/suiteql").mock(
        side_effect=lambda request: httpx.Response(
            200, json=_page([{"id": "1"}] * 1000, has_more=True, total=250_000)
        )
    )
    with pytest.raises(RecordRejected, match="suiteql_keyset"):
        async for _ in client.suiteql("SELECT id FROM transactionline"):
            pass
    assert client.requests_sent["query"] == 100


async def test_keyset_paging_rewrites_each_page_at_offset_zero(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    ids = [str(i) for i in (3, 8, 9, 1042, 1043)]
    queries: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.params["offset"] == "0"
        limit = int(request.url.params["limit"])
        query = json.loads(request.content)["q"]
        queries.append(query)
        where = sqlglot.parse_one(query, read="oracle").args.get("where")
        last = int(where.find(sqlglot.exp.GT).expression.name) if where else -1
        remaining = [i for i in ids if int(i) > last]
        return httpx.Response(
            200,
            json=_page(
                [{"id": i} for i in remaining[:limit]], has_more=len(remaining) > limit, total=len(remaining)
            ),
        )

    router.post("/query/v1/suiteql").mock(side_effect=answer)
    rows = [row["id"] async for row in client.suiteql_keyset("SELECT id FROM customer", page_size=2)]
    assert rows == ids
    assert queries == [
        "SELECT id FROM customer ORDER BY id ASC",
        "SELECT id FROM customer WHERE id > 8 ORDER BY id ASC",
        "SELECT id FROM customer WHERE id > 1042 ORDER BY id ASC",
    ]


async def test_keyset_paging_resumes_after_a_checkpoint(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    route = router.post("/query/v1/suiteql").respond(200, json=_page([{"id": "11"}], has_more=False, total=1))
    rows = [row async for row in client.suiteql_keyset("SELECT id FROM customer", after="10")]
    assert rows == [{"id": "11"}]
    assert json.loads(route.calls.last.request.content)["q"].endswith("WHERE id > 10 ORDER BY id ASC")


async def test_page_arguments_are_checked_before_sending(client: NetSuiteClient) -> None:
    with pytest.raises(ValueError, match="between 1 and 1000"):
        await client.suiteql_page("SELECT id FROM customer", limit=1001)
    with pytest.raises(ValueError, match="multiple of the limit"):
        await client.suiteql_page("SELECT id FROM customer", limit=100, offset=150)
    assert client.requests_sent.total == 0


async def test_decode_row_uses_the_account_preferences(router: respx.MockRouter) -> None:
    from datetime import date

    from .conftest import tba_settings

    settings = tba_settings(date_format="dd.MM.yyyy")
    async with NetSuiteClient(settings, transport=httpx.MockTransport(router.async_handler)) as ns:
        assert ns.decode_row({"trandate": "05.03.2026"}, {"trandate": date}) == {"trandate": date(2026, 3, 5)}
