"""Pigment-only sandbox controls under ``/_sandbox/pigment`` (not part of Pigment's API; no auth, loopback).

=====================================================  ===============================================
GET   /_sandbox/openapi.json                           Pigment's own OpenAPI document (the contract)
GET   /_sandbox/pigment/model                          applications, blocks (ids, technical names,
                                                       dimensions, properties), views, import
                                                       configurations with their expected headers
GET   /_sandbox/pigment/metrics/{metric}/cells         a metric's cells as JSON (exact decimals);
                                                       ``?<Dimension>=<item>`` filters
PUT   /_sandbox/pigment/metrics/{metric}/cells         set input cells (a planner typing), recalculates
GET   /_sandbox/pigment/lists/{list}/items             a list's items with their properties
PATCH /_sandbox/pigment/lists/{list}/items/{item}      set properties of one item
POST  /_sandbox/pigment/versions/{version}/approve     mark a budget version approved
                                                       (``{"approved": false}`` withdraws it)
GET   /_sandbox/pigment/imports                        every import with its detailed report
POST  /_sandbox/pigment/imports/delay                  ``{"seconds": 5}``: how long imports stay
                                                       InProgress (a huge value leaves them stuck)
=====================================================  ===============================================

``{metric}``, ``{list}`` and ``{item}`` are names or ids; ``?application=`` picks the application when
several have a block of that name.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse, loads
from .context import PigmentEmulator, emulator
from .errors import PigmentError
from .formulas import recalculate
from .model import Application, Block, CellKey, Item, ListBlock, Metric, PropertyValue, Table
from .reports import report_dto
from .values import parse_amount, parse_scalar

router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])
B = TypeVar("B", bound=Block)
OPENAPI_RESOURCE = "pigment-external-api-openapi.json"


def openapi_text() -> str:
    """Pigment's OpenAPI document as shipped with the package (never read from outside the repo)."""
    return (
        resources.files(__name__.rpartition(".")[0])
        .joinpath("openapi", OPENAPI_RESOURCE)
        .read_text(encoding="utf-8")
    )


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi_text())
    return document


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PigmentError.bad_request(f"the body is not valid JSON ({exc})") from None


@router.get("/openapi.json")
def openapi() -> Response:
    return Response(openapi_text(), media_type="application/json")


def _find(
    pigment: PigmentEmulator, ref: str, application: str | None, kind: type[B]
) -> tuple[Application, B]:
    """A block by name, id or technical name, of ``kind``; ``application`` picks among applications."""
    matches: list[tuple[Application, B]] = []
    for app in pigment.store.workspace.applications.values():
        if application is not None and application not in (app.name, str(app.id)):
            continue
        matches += [
            (app, block)
            for block in app.blocks.values()
            if isinstance(block, kind) and ref in (block.name, str(block.id), block.technical_name)
        ]
    if not matches:
        raise PigmentError(404, f"no {kind.__name__} {ref!r}")
    if len(matches) > 1:
        raise PigmentError.bad_request(f"{ref!r} is ambiguous; add ?application=<name>")
    return matches[0]


def _value_json(block: ListBlock, item: Item, application: Application) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for prop in block.properties:
        value = item.values.get(prop.id)
        if isinstance(value, UUID):
            referenced = application.list_block(prop.list_id).items.get(value) if prop.list_id else None
            values[prop.name] = referenced.name if referenced is not None else None
        elif isinstance(value, date):
            values[prop.name] = value.isoformat()
        else:
            values[prop.name] = value
    return {"id": str(item.id), "name": item.name, "properties": values}


@router.get("/pigment/model")
def model(pigment: PigmentEmulator = Depends(emulator)) -> Response:
    with pigment.store.lock:
        body = {
            "applications": [_application_json(app) for app in pigment.store.workspace.applications.values()]
        }
    return ExactJSONResponse(body)


def _application_json(app: Application) -> dict[str, Any]:
    def names(ids: tuple[UUID, ...]) -> list[str]:
        return [app.blocks[block_id].name for block_id in ids]

    blocks = []
    for block in app.blocks.values():
        entry: dict[str, Any] = {
            "id": str(block.id),
            "name": block.name,
            "technicalName": block.technical_name,
            "type": block.block_type,
        }
        if isinstance(block, ListBlock):
            entry["properties"] = [
                {
                    "id": str(p.id),
                    "name": p.name,
                    "technicalName": p.technical_name,
                    "type": p.type,
                    "list": app.blocks[p.list_id].name if p.list_id else None,
                }
                for p in block.properties
            ]
            entry["itemCount"] = len(block.items)
        elif isinstance(block, Metric):
            entry.update(
                dimensions=names(block.dimensions), formula=block.formula, cellCount=len(block.cells)
            )
        elif isinstance(block, Table):
            entry["metrics"] = names(block.metric_ids)
        blocks.append(entry)
    return {
        "id": str(app.id),
        "name": app.name,
        "scenarios": [{"id": str(s.id), "name": s.name} for s in app.scenarios],
        "blocks": blocks,
        "views": [
            {
                "id": str(v.id),
                "name": v.name,
                "type": v.type,
                "block": app.blocks[v.block_id].name if v.block_id in app.blocks else None,
            }
            for v in app.views.values()
        ],
        "importConfigurations": [
            {
                "id": str(c.id),
                "name": c.name,
                "description": c.description,
                "block": app.blocks[c.block_id].name,
                "source": c.source,
                "layout": c.layout,
                "delimiter": c.delimiter,
                "header": list(c.expected_header),
                "onMissingItem": c.on_missing_item,
                "clear": c.clear,
                "scope": list(c.scope),
            }
            for c in app.configurations.values()
        ],
    }


@router.get("/pigment/metrics/{metric_ref}/cells")
def metric_cells(metric_ref: str, request: Request, pigment: PigmentEmulator = Depends(emulator)) -> Response:
    query = dict(request.query_params)
    with pigment.store.lock:
        app, metric = _find(pigment, metric_ref, query.pop("application", None), Metric)
        dimensions = [app.list_block(d) for d in metric.dimensions]
        unknown = set(query) - {d.name for d in dimensions}
        if unknown:
            raise PigmentError.bad_request(
                f"{metric.name!r} has no dimension(s) {', '.join(sorted(unknown))}"
            )
        cells = []
        for key, value in metric.cells.items():
            labels = {d.name: d.items[item].name for d, item in zip(dimensions, key, strict=True)}
            if all(labels[name] == wanted for name, wanted in query.items()):
                cells.append({"dimensions": labels, "value": value})
    return ExactJSONResponse({"metric": metric.name, "id": str(metric.id), "cells": cells})


@router.put("/pigment/metrics/{metric_ref}/cells")
async def set_metric_cells(
    metric_ref: str, request: Request, pigment: PigmentEmulator = Depends(emulator)
) -> Response:
    body = await _json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("cells"), list):
        raise PigmentError.bad_request('send {"cells": [{"dimensions": {...}, "value": "1.00" | null}]}')
    application = request.query_params.get("application")
    return ExactJSONResponse(
        await run_in_threadpool(_set_cells, pigment, metric_ref, application, body["cells"])
    )


def _set_cells(
    pigment: PigmentEmulator, ref: str, application: str | None, cells: list[Any]
) -> dict[str, Any]:
    with pigment.store.lock:
        app, metric = _find(pigment, ref, application, Metric)
        if metric.formula is not None:
            raise PigmentError.bad_request(
                f"{metric.name!r} is derived ({metric.formula}); set its inputs instead"
            )
        changes: dict[CellKey, Decimal | None] = {}
        for index, cell in enumerate(cells):
            if not isinstance(cell, dict) or not isinstance(cell.get("dimensions"), dict):
                raise PigmentError.bad_request(f"cells[{index}] needs dimensions and a value")
            items: list[UUID] = []
            for dimension_id in metric.dimensions:
                dimension = app.list_block(dimension_id)
                item = dimension.item_named(str(cell["dimensions"].get(dimension.name)))
                if item is None:
                    raise PigmentError.bad_request(
                        f"cells[{index}]: no {dimension.name} item {cell['dimensions'].get(dimension.name)!r}"
                    )
                items.append(item.id)
            raw = cell.get("value")
            try:
                changes[tuple(items)] = None if raw is None else parse_amount(raw)
            except (TypeError, ValueError) as exc:
                raise PigmentError.bad_request(f"cells[{index}]: {exc}") from None
        for cell_key, value in changes.items():
            if value is None:
                metric.cells.pop(cell_key, None)
            else:
                metric.cells[cell_key] = value
        recalculate(app)
    return {"metric": metric.name, "set": len(changes)}


@router.get("/pigment/lists/{list_ref}/items")
def list_items(
    list_ref: str, application: str | None = None, pigment: PigmentEmulator = Depends(emulator)
) -> Response:
    with pigment.store.lock:
        app, block = _find(pigment, list_ref, application, ListBlock)
        items = [_value_json(block, item, app) for item in block.items.values()]
    return ExactJSONResponse({"list": block.name, "id": str(block.id), "items": items})


@router.patch("/pigment/lists/{list_ref}/items/{item_ref}")
async def patch_item(
    list_ref: str, item_ref: str, request: Request, pigment: PigmentEmulator = Depends(emulator)
) -> Response:
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise PigmentError.bad_request('send {"<property name>": value, ...}')
    application = request.query_params.get("application")
    return ExactJSONResponse(
        await run_in_threadpool(_patch_item, pigment, list_ref, item_ref, application, body)
    )


def _patch_item(
    pigment: PigmentEmulator, list_ref: str, item_ref: str, application: str | None, changes: dict[str, Any]
) -> dict[str, Any]:
    with pigment.store.lock:
        app, block = _find(pigment, list_ref, application, ListBlock)
        item = block.item_named(item_ref) or next(
            (i for i in block.items.values() if str(i.id) == item_ref), None
        )
        if item is None:
            raise PigmentError(404, f"{block.name!r} has no item {item_ref!r}")
        for name, raw in changes.items():
            prop = block.property_named(name)
            if prop is None:
                raise PigmentError.bad_request(f"{block.name!r} has no property {name!r}")
            if raw is None:
                item.values.pop(prop.id, None)
                continue
            value: PropertyValue
            if prop.list_id is not None:
                referenced = app.list_block(prop.list_id).item_named(str(raw))
                if referenced is None:
                    raise PigmentError.bad_request(f"{name}: no item {raw!r}")
                value = referenced.id
            else:
                try:
                    value = parse_scalar(raw, prop.type)
                except (TypeError, ValueError) as exc:
                    raise PigmentError.bad_request(f"{name}: {exc}") from None
            item.values[prop.id] = value
        recalculate(app)
        return _value_json(block, item, app)


@router.post("/pigment/versions/{version}/approve")
async def approve_version(
    version: str, request: Request, pigment: PigmentEmulator = Depends(emulator)
) -> Response:
    body = await _json_body(request)
    approved = body.get("approved", True) if isinstance(body, dict) else None
    if not isinstance(approved, bool):
        raise PigmentError.bad_request('send {"approved": true} or {"approved": false}')
    application = request.query_params.get("application")
    result = await run_in_threadpool(
        _patch_item, pigment, "Version", version, application, {"Approved": approved}
    )
    return ExactJSONResponse(result)


@router.get("/pigment/imports")
def imports(pigment: PigmentEmulator = Depends(emulator)) -> Response:
    with pigment.store.lock:
        body = [
            {
                **report_dto(record, detailed=True),
                "configurationId": str(record.configuration_id),
                "kind": record.kind,
            }
            for record in pigment.jobs.records()
        ]
    return ExactJSONResponse(body)


@router.post("/pigment/imports/delay")
async def import_delay(request: Request, pigment: PigmentEmulator = Depends(emulator)) -> Response:
    body = await _json_body(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int | Decimal) or seconds < 0:
        raise PigmentError.bad_request('send {"seconds": <a number of seconds, 0 or more>}')
    pigment.jobs.delay_seconds = float(seconds)
    return ExactJSONResponse({"delay_seconds": seconds})
