"""Exports (Export key): views, lists, metrics and tables, streamed and parsed row by row.

``async with export_metric(...) as rows: async for row in rows: ...`` holds one streamed response; rows are
dicts of strings keyed by the header (use :func:`~.csvread.decode_decimals` for amounts). The stream is
accepted only if it ends cleanly (:mod:`.csvread`); a ``Content-Length`` that did not fully arrive, a
dropped connection mid-body or a cut last record raise :class:`~.errors.TruncatedExportError` (retriable).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx

from .counts import RequestKind
from .csvread import parse_csv_stream
from .errors import TruncatedExportError
from .exportreq import DELIMITERS, FieldDelimiter, ListExport, MetricExport, TableExport
from .session import PigmentSession

_V1 = "/api/v1"


class ExportRows:
    """The rows of one export, read as they arrive. ``header`` is filled once the first line is read."""

    def __init__(
        self, response: httpx.Response, *, delimiter: str, decimal_separator: str, what: str
    ) -> None:
        self.header: list[str] = []
        self.delimiter = delimiter
        self.decimal_separator = decimal_separator
        self.rows_read = 0
        self._response = response
        self._what = what

    async def _bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as exc:  # e.g. "peer closed connection without sending complete message body"
            raise TruncatedExportError(f"{self._what}: the stream broke off ({type(exc).__name__})") from None
        expected = self._response.headers.get("Content-Length")
        received = self._response.num_bytes_downloaded
        if expected is not None and expected.isdigit() and int(expected) != received:
            raise TruncatedExportError(
                f"{self._what}: received {received} of the {expected} bytes announced by Content-Length"
            )

    async def __aiter__(self) -> AsyncIterator[dict[str, str]]:
        async for row in parse_csv_stream(
            self._bytes(), delimiter=self.delimiter, what=self._what, header_out=self.header
        ):
            self.rows_read += 1
            yield row

    async def all(self) -> list[dict[str, str]]:
        """Every row (for small exports; large ones should be iterated)."""
        return [row async for row in self]


@asynccontextmanager
async def _export(
    session: PigmentSession,
    method: str,
    path: str,
    what: str,
    *,
    delimiter: str,
    decimal_separator: str = ".",
    params: dict[str, str] | None = None,
    json_body: Any = None,
) -> AsyncIterator[ExportRows]:
    async with session.stream(
        RequestKind.EXPORT, "Export", method, path, what, params=params, json_body=json_body
    ) as response:
        yield ExportRows(response, delimiter=delimiter, decimal_separator=decimal_separator, what=what)


def export_view(
    session: PigmentSession, view_id: str, *, field_delimiter: FieldDelimiter = "Semicolon"
) -> AbstractAsyncContextManager[ExportRows]:
    """``GET /api/v1/export/view/{viewId}`` (friendly headers, ISO dates, the view's saved filters)."""
    return _export(
        session,
        "GET",
        f"{_V1}/export/view/{quote(view_id, safe='')}",
        f"the export of view {view_id}",
        delimiter=DELIMITERS[field_delimiter],
        params={"fieldDelimiter": field_delimiter},
    )


def export_list(
    session: PigmentSession, list_id: str, options: ListExport | None = None
) -> AbstractAsyncContextManager[ExportRows]:
    options = options or ListExport()
    return _export(
        session,
        "POST",
        f"{_V1}/export/list/{quote(list_id, safe='')}",
        f"the export of list {list_id}",
        delimiter=options.delimiter,
        decimal_separator=options.decimal_char,
        json_body=options.body(),
    )


def export_metric(
    session: PigmentSession, metric_id: str, options: MetricExport | None = None
) -> AbstractAsyncContextManager[ExportRows]:
    options = options or MetricExport()
    return _export(
        session,
        "POST",
        f"{_V1}/export/metric/{quote(metric_id, safe='')}",
        f"the export of metric {metric_id}",
        delimiter=options.delimiter,
        decimal_separator=options.decimal_char,
        json_body=options.body(),
    )


def export_table(
    session: PigmentSession, table_id: str, options: TableExport | None = None
) -> AbstractAsyncContextManager[ExportRows]:
    options = options or TableExport()
    return _export(
        session,
        "POST",
        f"{_V1}/export/table/{quote(table_id, safe='')}",
        f"the export of table {table_id}",
        delimiter=options.delimiter,
        decimal_separator=options.decimal_char,
        json_body=options.body(),
    )
