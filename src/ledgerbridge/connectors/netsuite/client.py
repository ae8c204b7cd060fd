"""``NetSuiteClient``: the one object flows use to talk to a NetSuite account.

It composes the connector's parts, each in its own module — the session (HTTP, auth, counting, error mapping),
the record service, SuiteQL, async batch writes and governance — over a single ``httpx.AsyncClient`` built on
the injected transport, so the engine's limiter (``transport=``) sees every request: record calls, SuiteQL
pages, batch submissions, job polls and OAuth 2.0 token fetches alike.

    async with NetSuiteClient(settings, transport=limited) as ns:
        new_id = await ns.upsert("customer", "lb-nue-cust-C-001", {"companyName": "Acme", ...})
        async for row in ns.suiteql_keyset("SELECT id, tranid FROM transaction WHERE type = 'CustInvc'"):
            ...
        print(ns.requests_sent.as_dict())
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx

from .batch import BatchWriter
from .config import MAX_PAGE_SIZE, NetSuiteSettings
from .decode import ColumnType
from .decode import decode_row as _decode_row
from .governance import read_governance_limits, recommended_concurrency
from .record_service import RecordService
from .records import GovernanceLimits, ItemResult, JsonObject, RequestCounts
from .session import NetSuiteSession
from .suiteql import SuiteQL, SuiteQLPage


class NetSuiteClient:
    """Async client for one NetSuite account (TBA or OAuth 2.0), counted per request kind."""

    def __init__(
        self, settings: NetSuiteSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._session = NetSuiteSession(settings, transport=transport)
        self._records = RecordService(self._session)
        self._suiteql = SuiteQL(self._session)
        self._batch = BatchWriter(self._session)

    async def __aenter__(self) -> NetSuiteClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()

    @property
    def requests_sent(self) -> RequestCounts:
        """Requests sent so far by kind (write, read, query, poll, auth) — every attempt counts."""
        return self._session.requests_sent

    # --- record service -------------------------------------------------------------------------
    async def get(
        self, record_type: str, id_or_eid: str, expand: bool = True, *, fields: Sequence[str] | None = None
    ) -> JsonObject | None:
        """A record by internal id or ``eid:<external id>``; ``None`` if it does not exist."""
        return await self._records.get(record_type, id_or_eid, expand=expand, fields=fields)

    async def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """Create a record; returns its internal id (read from ``Location``)."""
        return await self._records.create(record_type, body)

    async def update(
        self,
        record_type: str,
        id: str,
        body: Mapping[str, Any],
        *,
        replace: Sequence[str] = (),
        replace_selected_fields: bool = False,
    ) -> str:
        """PATCH a record (``None`` clears a field; sublists in ``replace`` are replaced, others merged)."""
        return await self._records.update(
            record_type, id, body, replace=replace, replace_selected_fields=replace_selected_fields
        )

    async def upsert(self, record_type: str, external_id: str, body: Mapping[str, Any]) -> str:
        """Idempotent create-or-update by external id (``PUT .../eid:<x>``); returns the internal id."""
        return await self._records.upsert(record_type, external_id, body)

    async def delete(self, record_type: str, id_or_eid: str, *, missing_ok: bool = False) -> bool:
        return await self._records.delete(record_type, id_or_eid, missing_ok=missing_ok)

    async def transform(
        self, src_type: str, src_id: str, dst_type: str, body: Mapping[str, Any] | None = None
    ) -> str:
        """``!transform`` a record into another type (sales order → invoice, ...); returns the new id."""
        return await self._records.transform(src_type, src_id, dst_type, body)

    async def sublist(self, record_type: str, id_or_eid: str, sublist: str) -> list[JsonObject]:
        return await self._records.sublist(record_type, id_or_eid, sublist)

    async def set_sublist(
        self,
        record_type: str,
        id_or_eid: str,
        sublist: str,
        lines: Sequence[Mapping[str, Any]],
        *,
        replace: bool = True,
    ) -> str:
        return await self._records.set_sublist(record_type, id_or_eid, sublist, lines, replace=replace)

    def list(
        self, record_type: str, q: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[str]:
        """Internal ids of a record type, optionally filtered by a ``q`` expression (at most 100,000)."""
        return self._records.list(record_type, q=q, page_size=page_size)

    async def find_id_by_external_id(self, record_type: str, external_id: str) -> str | None:
        """The internal id for an external id, or ``None`` — one GET (the hub's crash recovery uses it)."""
        return await self._records.find_id_by_external_id(record_type, external_id)

    # --- SuiteQL ----------------------------------------------------------------------------------
    def suiteql(self, query: str, *, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[dict[str, Any]]:
        """Rows of one query by offset paging (NetSuite caps a query at 100,000 rows)."""
        return self._suiteql.rows(query, page_size=page_size)

    async def suiteql_page(self, query: str, *, limit: int = MAX_PAGE_SIZE, offset: int = 0) -> SuiteQLPage:
        return await self._suiteql.page(query, limit=limit, offset=offset)

    def suiteql_keyset(
        self,
        select_sql: str,
        key: str | Sequence[str] = "id",
        page_size: int = MAX_PAGE_SIZE,
        after: Any = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Rows of a SELECT in ascending (unique) key order, past the 100,000-row cap: each page is the query
        rewritten to ``WHERE <key> > :last ORDER BY <key> ASC`` at offset 0."""
        return self._suiteql.keyset_rows(select_sql, key=key, page_size=page_size, after=after)

    def decode_row(self, row: Mapping[str, Any], types: Mapping[str, ColumnType]) -> dict[str, Any]:
        """:func:`decode.decode_row` with this account's date format and time zone."""
        return _decode_row(
            row,
            types,
            date_format=self.settings.date_format,
            time_format=self.settings.time_format,
            timezone=self.settings.timezone,
        )

    # --- batch + async ------------------------------------------------------------------------------
    async def upsert_many(
        self,
        record_type: str,
        records: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        idempotency_key_prefix: str = "ledgerbridge",
    ) -> builtins.list[ItemResult]:
        """Upsert ``(external_id, body)`` pairs in async batches of ≤100; one ItemResult per input, in
        input order. Each chunk carries a deterministic idempotency key: repeating it creates nothing new."""
        return await self._batch.upsert_many(
            record_type, records, idempotency_key_prefix=idempotency_key_prefix
        )

    async def create_many(
        self,
        record_type: str,
        bodies: Sequence[Mapping[str, Any]],
        *,
        idempotency_key_prefix: str = "ledgerbridge",
    ) -> builtins.list[ItemResult]:
        """Create records in async batches of ≤100; one ItemResult per input, in order."""
        return await self._batch.create_many(
            record_type, bodies, idempotency_key_prefix=idempotency_key_prefix
        )

    async def update_many(
        self,
        record_type: str,
        records: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        idempotency_key_prefix: str = "ledgerbridge",
    ) -> builtins.list[ItemResult]:
        """PATCH ``(internal_id, body)`` pairs in async batches of ≤100; one ItemResult per input."""
        return await self._batch.update_many(
            record_type, records, idempotency_key_prefix=idempotency_key_prefix
        )

    # --- governance ---------------------------------------------------------------------------------
    async def governance_limits(self) -> GovernanceLimits | None:
        """Concurrency limits from ``governanceLimits``; ``None`` when the role may not read them (403)."""
        return await read_governance_limits(self._session)

    async def recommended_concurrency(self) -> int:
        """Concurrency to configure for this connection: governance limit minus the configured headroom."""
        limits = await self.governance_limits()
        return recommended_concurrency(
            limits, self.settings.governance_headroom, fallback=self.settings.concurrency
        )
