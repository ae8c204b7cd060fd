"""SuiteQL over REST: page reading, keyset paging past the 100,000-row cap, and typed decoding of rows.

``POST /services/rest/query/v1/suiteql?limit=<=1000&offset=N`` with ``Prefer: transient`` and ``{"q": ...}``
answers ``{links, count, hasMore, offset, totalResults, items}``; every item carries ``links: []``, keys are
lower-cased and values are strings (numbers, ``'T'``/``'F'``, dates in the account's format); NULL columns
are left out (notes §2.1). One query reaches at most 100,000 rows, and without ``ORDER BY <unique> ASC``
pages may repeat or miss rows (notes §2.2, §7.7) — so bulk reads use keyset paging: the query is rewritten
(with sqlglot, never by pasting strings) to ``WHERE (<filter>) AND <key> > :last ORDER BY <key> ASC``
and always read at offset 0, one page per rewrite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from ledgerbridge.errors import RecordRejected

from .config import MAX_PAGE_SIZE
from .records import RequestKind
from .session import NetSuiteSession

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
#: the most rows one SuiteQL query can reach by offset paging (notes §2.2)
MAX_QUERY_RESULTS = 100_000
_DIALECT = "oracle"  # SuiteQL is Oracle-flavoured SQL; the emulator parses it the same way

KeyValue = str | int | Decimal


@dataclass(frozen=True, slots=True)
class SuiteQLPage:
    """One page of a SuiteQL answer, items without their (always empty) ``links``."""

    items: list[dict[str, Any]]
    total: int
    has_more: bool
    offset: int


class KeysetQuery:
    """A SELECT rewritten for keyset paging on one or more unique, ascending key columns.

    ``key`` names columns as the query does (``"id"``, ``"t.id"``, or several for a composite key such as
    ``("tal.transaction", "tal.transactionline", "tal.accountingbook")``). The SELECT must return every key
    column (plainly or under an alias) so the last row of a page tells where the next page starts.
    """

    def __init__(self, select_sql: str, key: str | Sequence[str] = "id") -> None:
        try:
            parsed = sqlglot.parse_one(select_sql, read=_DIALECT)
        except ParseError as exc:
            raise ValueError(f"not a SuiteQL SELECT: {exc}") from None
        if not isinstance(parsed, exp.Select):
            raise ValueError("keyset paging needs a single SELECT (no UNION, no other statement)")
        if parsed.args.get("with_") or parsed.args.get("with"):
            raise ValueError("SuiteQL does not support WITH; inline the sub-query")
        if parsed.args.get("limit") or parsed.args.get("offset"):
            raise ValueError("remove LIMIT/OFFSET/FETCH: keyset paging sets the page size itself")
        keys = [key] if isinstance(key, str) else list(key)
        if not keys:
            raise ValueError("keyset paging needs at least one key column")
        self._keys = [_column(name) for name in keys]
        self._fields = [self._output_name(parsed, column) for column in self._keys]
        order = parsed.args.get("order")
        if order is not None and not self._is_key_order(order):
            raise ValueError(
                f"keyset paging orders by {', '.join(keys)} ASC itself; remove the query's own ORDER BY "
                f"({order.sql(dialect=_DIALECT)})"
            )
        base = parsed.copy()
        base.set("order", None)
        self._base = base
        self._order = exp.Order(
            expressions=[exp.Ordered(this=column.copy(), desc=False) for column in self._keys]
        )

    @property
    def fields(self) -> list[str]:
        """The row keys holding the key values (lower-cased output names)."""
        return list(self._fields)

    @staticmethod
    def _output_name(select: exp.Select, key: exp.Column) -> str:
        for projection in select.expressions:
            if isinstance(projection, exp.Star):
                return key.name.lower()
            target = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(target, exp.Column) and _same_column(target, key):
                return str(projection.alias_or_name).lower()
            if isinstance(target, exp.Column) and isinstance(target.this, exp.Star):
                return key.name.lower()
        raise ValueError(
            f"the SELECT must return the key column {key.sql(dialect=_DIALECT)} so paging can continue after "
            "the last row of each page"
        )

    def _is_key_order(self, order: exp.Order) -> bool:
        terms = order.expressions
        if len(terms) != len(self._keys):
            return False
        for term, key in zip(terms, self._keys, strict=True):
            if not isinstance(term, exp.Ordered) or term.args.get("desc"):
                return False
            if not isinstance(term.this, exp.Column) or not _same_column(term.this, key):
                return False
        return True

    def sql(self, after: Sequence[KeyValue] | KeyValue | None = None) -> str:
        """The query for the page after the key ``after`` (``None``: the first page)."""
        select = self._base.copy()
        if after is not None:
            values = [after] if isinstance(after, str | int | Decimal) else list(after)
            if len(values) != len(self._keys):
                raise ValueError(f"after has {len(values)} values for {len(self._keys)} key columns")
            select = select.where(self._after_condition(values), append=True, dialect=_DIALECT)
        select.set("order", self._order.copy())
        return select.sql(dialect=_DIALECT)

    def _after_condition(self, values: Sequence[KeyValue]) -> exp.Expr:
        """``k > v`` for one key; for a composite key the lexicographic "after" written out, since SuiteQL
        has no row-value comparison: ``k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND (k2 > v2 OR (...))))``.
        The leading ``k1 >= v1`` is redundant logically but gives the database an index range to seek to."""
        keys = [key.copy() for key in self._keys]
        literals = [_literal(value) for value in values]
        condition: exp.Expr = exp.GT(this=keys[-1], expression=literals[-1])
        for key, literal in zip(reversed(keys[:-1]), reversed(literals[:-1]), strict=True):
            tie = exp.and_(exp.EQ(this=key.copy(), expression=literal.copy()), condition)
            condition = exp.or_(exp.GT(this=key.copy(), expression=literal.copy()), tie)
        if len(keys) == 1:
            return condition
        seek = exp.GTE(this=keys[0].copy(), expression=literals[0].copy())
        return exp.and_(seek, condition)

    def key_of(self, row: Mapping[str, Any]) -> tuple[str, ...]:
        """The key values of a result row (a NULL key cannot be paged past: that is an error)."""
        missing = [name for name in self._fields if row.get(name) in (None, "")]
        if missing:
            raise RecordRejected(
                f"SuiteQL keyset paging: a row has no value for key column(s) {', '.join(missing)}",
                hint="page on a column that is never NULL (the record's internal id)",
            )
        return tuple(str(row[name]) for name in self._fields)


def _column(name: str) -> exp.Column:
    try:
        column = exp.to_column(name.strip())
    except (ParseError, ValueError):
        raise ValueError(f"not a column name: {name!r}") from None
    if not isinstance(column, exp.Column) or not column.name:
        raise ValueError(f"not a column name: {name!r}")
    return column


def _same_column(a: exp.Column, b: exp.Column) -> bool:
    if a.name.lower() != b.name.lower():
        return False
    return not a.table or not b.table or a.table.lower() == b.table.lower()


def _literal(value: KeyValue) -> exp.Expression:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a key value")
    if isinstance(value, int | Decimal):
        return exp.Literal.number(str(value))
    text = str(value)
    # Internal ids arrive as strings ("1042") but must compare as numbers ("999" > "1042" as text).
    if text.lstrip("-").isdigit():
        return exp.Literal.number(text)
    return exp.Literal.string(text)


def keyset_sql(select_sql: str, key: str | Sequence[str] = "id", after: Any = None) -> str:
    """Rewrite ``select_sql`` for keyset paging: ``WHERE (<filter>) AND <key> > after ORDER BY <key> ASC``."""
    return KeysetQuery(select_sql, key).sql(after)


class SuiteQL:
    """Reads SuiteQL answers through a session."""

    def __init__(self, session: NetSuiteSession) -> None:
        self._session = session

    async def page(self, query: str, *, limit: int = MAX_PAGE_SIZE, offset: int = 0) -> SuiteQLPage:
        """One page of a query."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"SuiteQL limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}")
        if offset % limit:
            raise ValueError(f"SuiteQL offset must be a multiple of the limit ({offset} is not of {limit})")
        body = await self._session.send_json(
            RequestKind.QUERY,
            "POST",
            SUITEQL_PATH,
            params={"limit": limit, "offset": offset},
            json={"q": query},
            headers={"Prefer": "transient"},
        )
        if not isinstance(body, dict):
            raise RecordRejected("NetSuite answered a SuiteQL query without a JSON object")
        items = [
            {key: value for key, value in item.items() if key != "links"}
            for item in body.get("items", [])
            if isinstance(item, dict)
        ]
        return SuiteQLPage(
            items=items,
            total=int(body.get("totalResults", len(items))),
            has_more=bool(body.get("hasMore", False)),
            offset=int(body.get("offset", offset)),
        )

    async def rows(self, query: str, *, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[dict[str, Any]]:
        """Every row of one query by offset paging (at most 100,000 rows: NetSuite's cap per query)."""
        offset = 0
        while True:
            page = await self.page(query, limit=page_size, offset=offset)
            for item in page.items:
                yield item
            if not page.has_more or not page.items:
                return
            offset += page_size
            if offset >= MAX_QUERY_RESULTS:
                raise RecordRejected(
                    f"this SuiteQL query has more than {MAX_QUERY_RESULTS:,} rows, NetSuite's cap per query",
                    vendor_code="QUERY_LIMIT",
                    hint="read it with suiteql_keyset(select, key='id'), which pages past the cap",
                )

    async def keyset_rows(
        self,
        select_sql: str,
        *,
        key: str | Sequence[str] = "id",
        page_size: int = MAX_PAGE_SIZE,
        after: Any = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every row of ``select_sql`` in key order, one rewritten query per page, each at offset 0.

        ``after`` resumes after a key value (a tuple for composite keys), e.g. from a checkpoint.
        The key must be unique: rows sharing a key value across a page boundary would be skipped.
        """
        plan = KeysetQuery(select_sql, key)
        last: Any = after
        while True:
            page = await self.page(plan.sql(last), limit=page_size, offset=0)
            for item in page.items:
                yield item
            if not page.has_more or not page.items:
                return
            last = plan.key_of(page.items[-1])
