"""The import endpoints (Import key), legacy and ``/api/v1`` twins (OAS).

=====================================================  =====================================================
POST /api/{v1/}import/push/csv?configurationId=        raw CSV body → 200 ``{"importId"}``; the import runs
                                                       afterwards. 400 empty/too big body or not a CSV
                                                       configuration; 404 unknown configuration; 429 over
                                                       the pushes-per-configuration-per-hour limit
POST /api/{v1/}import/push/looker?configurationId=     runs a Looker configuration on its Look's data
POST /api/v1/import/trigger?configurationId=           integration import, list or metric data copy
GET  /api/{v1/}import/{importId}/status                ``ApiImportReportDto``; ``includedDetailedReport``
                                                       (v1 only) adds the detailed report
=====================================================  =====================================================

The legacy status path only knows CSV and Looker imports: "the v1 path also covers integration imports
and data copies" (notes §2.2), so a triggered import's id is 404 there.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .auth import Principal
from .context import PigmentEmulator, emulator, guard
from .errors import PigmentError
from .model import ImportConfiguration
from .params import parse_bool, parse_uuid, required_uuid
from .reports import ImportKind, report_dto

router = APIRouter(tags=["import"])
_import_key = guard("Import")
_CONFIG_NOT_FOUND = "Import configuration"
_TRIGGERED_SOURCES = ("integration", "list_copy", "metric_copy")


def _find_configuration(
    pigment: PigmentEmulator, principal: Principal, raw_id: str | None
) -> ImportConfiguration:
    configuration_id = required_uuid(raw_id, "configurationId")
    with pigment.store.lock:
        found = pigment.store.workspace.configuration(configuration_id)
        if found is None or not principal.can_see(found[0]):
            raise PigmentError.not_found(_CONFIG_NOT_FOUND)
        return found[1]


async def _configuration(
    pigment: PigmentEmulator, principal: Principal, raw_id: str | None
) -> ImportConfiguration:
    # The lookup waits for the store lock, which a running import holds: keep it off the event loop.
    return await run_in_threadpool(_find_configuration, pigment, principal, raw_id)


def _started(
    pigment: PigmentEmulator, config: ImportConfiguration, body: bytes | None, kind: ImportKind
) -> Response:
    record = pigment.jobs.submit(config, body, kind)
    return ExactJSONResponse({"importId": str(record.id)})


async def _push_csv(request: Request, principal: Principal, pigment: PigmentEmulator) -> Response:
    config = await _configuration(pigment, principal, request.query_params.get("configurationId"))
    if config.source != "csv":
        raise PigmentError.bad_request(
            f"the configuration {config.name!r} is a {config.source} import, not a CSV one"
        )
    body = await request.body()
    if not body.strip():
        raise PigmentError.bad_request("the request body is empty; send the CSV file as the body")
    if len(body) > pigment.settings.max_push_bytes:
        raise PigmentError(
            400,
            f"Bad request or size limit exceeded: the file is {len(body)} bytes, over the "
            f"{pigment.settings.max_push_bytes}-byte limit",
        )
    pigment.acquire_push(str(config.id))
    return _started(pigment, config, body, "csv")


@router.post("/api/import/push/csv")
async def push_csv_legacy(
    request: Request,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await _push_csv(request, principal, pigment)


@router.post("/api/v1/import/push/csv")
async def push_csv(
    request: Request,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await _push_csv(request, principal, pigment)


async def _push_looker(request: Request, principal: Principal, pigment: PigmentEmulator) -> Response:
    config = await _configuration(pigment, principal, request.query_params.get("configurationId"))
    if config.source != "looker":
        raise PigmentError.bad_request(f"the configuration {config.name!r} is not a Looker import")
    return _started(pigment, config, None, "looker")


@router.post("/api/import/push/looker")
async def push_looker_legacy(
    request: Request,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await _push_looker(request, principal, pigment)


@router.post("/api/v1/import/push/looker")
async def push_looker(
    request: Request,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return await _push_looker(request, principal, pigment)


@router.post("/api/v1/import/trigger")
async def trigger(
    request: Request,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    raw_id = request.query_params.get("configurationId")
    try:
        config = await _configuration(pigment, principal, raw_id)
    except PigmentError as exc:
        if exc.status == 404:
            raise PigmentError(
                404, "Import configuration not found - No pipeline exists with the specified ID"
            ) from None
        raise
    if config.source not in _TRIGGERED_SOURCES:
        raise PigmentError.bad_request(
            "Invalid configuration or unsupported operation type: "
            f"{config.name!r} is a {config.source} import"
        )
    return _started(pigment, config, None, "trigger")


def _status(
    import_id: str, detailed: bool, legacy: bool, principal: Principal, pigment: PigmentEmulator
) -> Response:
    record = pigment.jobs.get(parse_uuid(import_id, "importId"))
    application = pigment.store.application(record.application_id) if record is not None else None
    visible = record is not None and (application is None or principal.can_see(application))
    if record is None or not visible or (legacy and record.kind == "trigger"):
        raise PigmentError(404, "Status with the specified importId was not found")
    with pigment.store.lock:
        body = report_dto(record, detailed=detailed)
    return ExactJSONResponse(body)


@router.get("/api/import/{importId}/status")
def status_legacy(
    importId: str,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    return _status(importId, False, True, principal, pigment)


@router.get("/api/v1/import/{importId}/status")
def status(
    importId: str,
    includedDetailedReport: str | None = None,
    principal: Principal = Depends(_import_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    detailed = parse_bool(includedDetailedReport, "includedDetailedReport", default=False)
    return _status(importId, detailed, False, principal, pigment)
