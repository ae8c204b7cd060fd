"""The metadata catalog: ``/services/rest/record/v1/metadata-catalog`` (notes §1.9).

- ``GET /metadata-catalog`` → ``{"items": [{"name", "links": [canonical, swagger, schema]}]}``
  (``?select=a,b`` narrows it); with ``Accept: application/swagger+json`` → a minimal OpenAPI 3.0 document.
- ``GET /metadata-catalog/<type>`` with ``Accept: application/schema+json`` → the JSON Schema with
  ``x-ns-filterable``; ``$ref`` values are absolute paths
  (``/services/rest/record/v1/metadata-catalog/nsLink``) because Airbyte fetches ``url_base + ref``.
  ``nsLink`` and ``nsResource`` are served too.

NetSuite's catalog is notoriously slow (airbyte #25223): ``metadata_catalog_delay_seconds`` reproduces it.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .context import NetSuiteEmulator, emulator, require_login
from .openapi import CATALOG_PATH, SHARED_SCHEMAS, openapi_document
from .params import list_param
from .render import JSON, REST_ROOT, SCHEMA_JSON, SWAGGER_JSON, base_url

router = APIRouter(prefix=CATALOG_PATH, dependencies=[Depends(require_login)])


def _accepts(request: Request, media_type: str) -> bool:
    return media_type in request.headers.get("accept", "").lower()


async def _slow_down(ns: NetSuiteEmulator) -> None:
    if ns.settings.metadata_catalog_delay_seconds:
        await anyio.sleep(ns.settings.metadata_catalog_delay_seconds)


def _catalog_item(origin: str, name: str) -> dict[str, object]:
    href = f"{origin}{CATALOG_PATH}/{name}"
    return {
        "name": name,
        "links": [
            {"rel": "canonical", "href": href, "mediaType": JSON},
            {"rel": "alternate", "href": href, "mediaType": SWAGGER_JSON},
            {"rel": "alternate", "href": href, "mediaType": SCHEMA_JSON},
        ],
    }


@router.get("")
@router.get("/")
async def catalog(request: Request, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    await _slow_down(ns)
    origin = base_url(request.url)
    selected = list_param(request, "select")
    names = await run_in_threadpool(_selected_types, ns, selected)
    if _accepts(request, SWAGGER_JSON):
        document = await run_in_threadpool(
            openapi_document, names, ns.store.schema, f"{origin}{REST_ROOT}/record/v1"
        )
        return ExactJSONResponse(document, media_type=SWAGGER_JSON)
    return ExactJSONResponse({"items": [_catalog_item(origin, name) for name in names]}, media_type=JSON)


def _selected_types(ns: NetSuiteEmulator, selected: list[str] | None) -> list[str]:
    if not selected:
        return ns.store.record_types()
    # canonical_type raises NetSuite's error for an unknown name, as the real catalog does.
    return list(dict.fromkeys(ns.store.canonical_type(name) for name in selected))


@router.get("/{name}")
async def record_metadata(name: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    await _slow_down(ns)
    media_type = SCHEMA_JSON if _accepts(request, SCHEMA_JSON) else JSON
    if name in SHARED_SCHEMAS:
        return ExactJSONResponse(SHARED_SCHEMAS[name], media_type=media_type)
    canonical = await run_in_threadpool(ns.store.canonical_type, name)
    if _accepts(request, SWAGGER_JSON):
        origin = base_url(request.url)
        document = await run_in_threadpool(
            openapi_document, [canonical], ns.store.schema, f"{origin}{REST_ROOT}/record/v1"
        )
        return ExactJSONResponse(document, media_type=SWAGGER_JSON)
    schema = await run_in_threadpool(ns.store.schema, canonical)
    return ExactJSONResponse(schema, media_type=media_type)
