"""The export endpoints (Export key), legacy and ``/api/v1`` twins (OAS): CSV of views, lists, metrics,
tables.

The v1 block exports default ``dateFormat`` to ``Iso8601``, the legacy ones to ``Legacy``; the legacy view
export takes a ``dateFormat`` query parameter (default ``Legacy``), the v1 one does not (ISO dates).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .auth import Principal
from .context import PigmentEmulator, emulator, guard
from .csvoutput import CsvOptions, csv_response, write_csv
from .errors import PigmentError
from .exportreq import ListRequest, MetricRequest, TableRequest, parse_body
from .exports import ExportTable, export_list, export_metric, export_table, export_view
from .model import Application, Block, ListBlock, Metric, Table
from .params import parse_choice, parse_uuid

router = APIRouter(tags=["export"])
_export_key = guard("Export")

DateFormat = Literal["Legacy", "Iso8601"]
B = TypeVar("B", bound=Block)
_DATE_FORMATS: tuple[DateFormat, ...] = ("Legacy", "Iso8601")
_DELIMITERS = ("Semicolon", "Comma")


def _block(
    pigment: PigmentEmulator, principal: Principal, raw_id: str, kind: type[B], what: str
) -> tuple[Application, B]:
    found = pigment.store.workspace.block(parse_uuid(raw_id, f"{what.lower()}Id"))
    if found is None or not isinstance(found[1], kind) or not principal.can_see(found[0]):
        raise PigmentError.not_found(what)
    return found[0], found[1]


def _respond(result: ExportTable, options: CsvOptions) -> Response:
    return csv_response(write_csv(result.header, result.rows, options, list_dates=result.list_dates))


# --- views ----------------------------------------------------------------------------------------------


def _view(
    pigment: PigmentEmulator,
    principal: Principal,
    view_id: str,
    delimiter: str | None,
    date_format: DateFormat,
) -> Response:
    options = CsvOptions(
        delimiter=","
        if parse_choice(delimiter, "fieldDelimiter", _DELIMITERS, "Semicolon") == "Comma"
        else ";",
        date_format=date_format,
        with_bom=pigment.settings.default_export_encoding == "Utf8WithBom",
        friendly_headers=True,
    )
    with pigment.store.lock:
        found = pigment.store.workspace.view(parse_uuid(view_id, "viewId"))
        if found is None or not principal.can_see(found[0]):
            raise PigmentError.not_found("View")
        result = export_view(found[0], found[1], pigment.settings.view_export_max_cells)
    return _respond(result, options)


@router.get("/api/export/view/{viewId}")
def export_view_legacy(
    viewId: str,
    dateFormat: str | None = None,
    fieldDelimiter: str | None = None,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    date_format = parse_choice(dateFormat, "dateFormat", _DATE_FORMATS, "Legacy")
    return _view(pigment, principal, viewId, fieldDelimiter, date_format)


@router.get("/api/v1/export/view/{viewId}")
def export_view_v1(
    viewId: str,
    fieldDelimiter: str | None = None,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return _view(pigment, principal, viewId, fieldDelimiter, "Iso8601")


# --- blocks ---------------------------------------------------------------------------------------------


def _options(pigment: PigmentEmulator, request: ListRequest | MetricRequest, legacy: bool) -> CsvOptions:
    return CsvOptions.from_request(
        field_delimiter=request.field_delimiter,
        decimal_separator=request.decimal_separator,
        date_format=request.date_format,
        default_date_format="Legacy" if legacy else "Iso8601",
        encoding=request.encoding,
        default_encoding=pigment.settings.default_export_encoding,
        friendly_headers=request.friendly_headers,
    )


def _list(pigment: PigmentEmulator, principal: Principal, list_id: str, raw: bytes, legacy: bool) -> Response:
    request = parse_body(raw, ListRequest)
    options = _options(pigment, request, legacy)
    with pigment.store.lock:
        application, block = _block(pigment, principal, list_id, ListBlock, "List")
        result = export_list(application, block, request, options.friendly_headers)
    return _respond(result, options)


def _metric(
    pigment: PigmentEmulator, principal: Principal, metric_id: str, raw: bytes, legacy: bool
) -> Response:
    request = parse_body(raw, MetricRequest)
    options = _options(pigment, request, legacy)
    with pigment.store.lock:
        application, metric = _block(pigment, principal, metric_id, Metric, "Metric")
        result = export_metric(application, metric, request, options.friendly_headers)
    return _respond(result, options)


def _table(
    pigment: PigmentEmulator, principal: Principal, table_id: str, raw: bytes, legacy: bool
) -> Response:
    request = parse_body(raw, TableRequest)
    options = _options(pigment, request, legacy)
    with pigment.store.lock:
        application, table = _block(pigment, principal, table_id, Table, "Table")
        result = export_table(application, table, request, options.friendly_headers)
    return _respond(result, options)


@router.post("/api/export/list/{listId}")
async def export_list_legacy(
    listId: str,
    request: Request,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await run_in_threadpool(_list, pigment, principal, listId, await request.body(), True)


@router.post("/api/v1/export/list/{listId}")
async def export_list_v1(
    listId: str,
    request: Request,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await run_in_threadpool(_list, pigment, principal, listId, await request.body(), False)


@router.post("/api/export/metric/{metricId}")
async def export_metric_legacy(
    metricId: str,
    request: Request,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await run_in_threadpool(_metric, pigment, principal, metricId, await request.body(), True)


@router.post("/api/v1/export/metric/{metricId}")
async def export_metric_v1(
    metricId: str,
    request: Request,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await run_in_threadpool(_metric, pigment, principal, metricId, await request.body(), False)


@router.post("/api/export/table/{tableId}")
async def export_table_legacy(
    tableId: str,
    request: Request,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await run_in_threadpool(_table, pigment, principal, tableId, await request.body(), True)


@router.post("/api/v1/export/table/{tableId}")
async def export_table_v1(
    tableId: str,
    request: Request,
    principal: Principal = Depends(_export_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await run_in_threadpool(_table, pigment, principal, tableId, await request.body(), False)
