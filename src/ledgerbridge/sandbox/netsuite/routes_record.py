"""The record service: ``/services/rest/record/v1`` (notes §1.3 to §1.7, §1.10).

=======================================================  ===================================================
GET    /{type}?limit&offset&q                            list: ``{links, count, hasMore, offset,
                                                         totalResults, items:[{links:[self], id}]}``
POST   /{type}                                           create → 204 + ``Location``
GET    /{type}/{id|eid:x}?expandSubResources&fields&expand  one record (``type=singular``)
PATCH  /{type}/{id|eid:x}?replace=a,b&replaceSelectedFields  update → 204 + ``Location``
PUT    /{type}/eid:x                                     upsert → 204 + ``Location``
DELETE /{type}/{id|eid:x}                                204
POST   /{type}/{id}/!transform/{target}                  transform → 204 + ``Location`` of the new record
GET    /{type}/{id}/{sublist}[/{line}]                   a sublist subresource or one line
POST|PUT|PATCH|DELETE /{type}, ``type=collection`` body  batch of ≤ 100 ``items`` (async only): create,
                                                         upsert (items carry ``externalId``), update
                                                         (items carry ``id``), delete (``id`` or
                                                         ``externalId``)
=======================================================  ===================================================

Every route also runs asynchronously with ``Prefer: respond-async`` (see :mod:`.dispatch`); every ``href``
is absolute on the host the client addressed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .context import NetSuiteEmulator, emulator, require_login
from .dispatch import execute, submit
from .errors import NsError
from .jobs import Operation, Outcome
from .params import (
    bool_param,
    int_param,
    is_collection_body,
    json_body,
    json_object,
    list_param,
    wants_async,
)
from .render import COLLECTION, REST_ROOT, SINGULAR, absolutize_links, base_url, link, page_links
from .settings import EmulatorSettings

RECORD_ROOT = f"{REST_ROOT}/record/v1"
BatchKind = Literal["create", "upsert", "update", "delete"]

router = APIRouter(prefix=RECORD_ROOT, dependencies=[Depends(require_login)])


# --- helpers ----------------------------------------------------------------------------------------------


def written(
    ns: NetSuiteEmulator, origin: str, record_type: str, record_id: str, *, external_id: str | None = None
) -> Outcome:
    """A successful write: 204 with the record's absolute URL in ``Location`` (clients parse the id)."""
    return Outcome(
        status=204,
        location=origin + ns.store.self_href(record_type, record_id),
        record_id=record_id,
        external_id=external_id,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def check_paging(settings: EmulatorSettings, limit: int, offset: int) -> None:
    """NetSuite's paging rules (notes §1.5): limit 1..1000, offset a multiple of limit, 100k reachable."""
    if limit > settings.max_page_size:
        raise NsError.invalid_parameter(
            f"Invalid value for the query parameter limit: {limit}. "
            f"The value must be between 1 and {settings.max_page_size}.",
            query_param="limit",
        )
    if settings.require_offset_multiple_of_limit and offset % limit:
        raise NsError.invalid_parameter(
            f"Invalid value for the query parameter offset: {offset}. "
            f"The offset must be a multiple of the limit ({limit}).",
            query_param="offset",
        )
    if offset >= settings.max_results:
        raise NsError.invalid_parameter(
            f"Invalid value for the query parameter offset: {offset}. At most {settings.max_results} "
            "results of one query can be read; narrow the query (for example by id or date).",
            query_param="offset",
        )


def collapse_sublists(body: dict[str, Any], keep: set[str]) -> None:
    """``?expand=item`` expands the named sublists only: the others go back to links."""
    wanted = {name.lower() for name in keep}
    for name, value in list(body.items()):
        if isinstance(value, dict) and isinstance(value.get("items"), list) and name.lower() not in wanted:
            body[name] = {"links": value.get("links", [])}


# --- collection -----------------------------------------------------------------------------------------


@router.get("/{record_type}")
async def list_records(
    record_type: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    settings = ns.settings
    limit = int_param(request, "limit", settings.max_page_size, minimum=1)
    offset = int_param(request, "offset", 0)
    check_paging(settings, limit, offset)
    q = request.query_params.get("q")
    origin = base_url(request.url)

    def operation() -> Outcome:
        canonical = ns.store.canonical_type(record_type)
        ids, total = ns.store.list(canonical, q=q, limit=limit, offset=offset)
        reachable = min(total, settings.max_results)
        has_more = offset + len(ids) < reachable
        document = {
            "links": page_links(
                f"{origin}{RECORD_ROOT}/{canonical}",
                {"q": q} if q else {},
                limit=limit,
                offset=offset,
                reachable=reachable,
                has_more=has_more,
            ),
            "count": len(ids),
            "hasMore": has_more,
            "offset": offset,
            "totalResults": total,
            "items": [
                {"links": [link("self", origin + ns.store.self_href(canonical, record_id))], "id": record_id}
                for record_id in ids
            ],
        }
        return Outcome(200, document, media_type=COLLECTION)

    return await execute(request, ns, operation)


@router.post("/{record_type}")
async def create_record(
    record_type: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    if is_collection_body(request):
        return await _batch(request, ns, record_type, "create")
    body = await json_object(request)
    origin = base_url(request.url)
    external_id = _text(body.get("externalId"))

    def operation() -> Outcome:
        canonical = ns.store.canonical_type(record_type)
        return written(ns, origin, canonical, ns.store.create(canonical, body), external_id=external_id)

    return await execute(request, ns, operation, external_id=external_id)


@router.put("/{record_type}")
async def batch_upsert(
    record_type: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    _require_collection(request, "PUT", "an upsert needs the external id in the URL: .../eid:<externalId>")
    return await _batch(request, ns, record_type, "upsert")


@router.patch("/{record_type}")
async def batch_update(
    record_type: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    _require_collection(request, "PATCH", "an update needs the record in the URL: .../<id>")
    return await _batch(request, ns, record_type, "update")


@router.delete("/{record_type}")
async def batch_delete(
    record_type: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    _require_collection(request, "DELETE", "a delete needs the record in the URL: .../<id>")
    return await _batch(request, ns, record_type, "delete")


def _require_collection(request: Request, method: str, hint: str) -> None:
    if not is_collection_body(request):
        raise NsError.user_error(
            f'{method} on a record collection is a batch operation: send a body {{"items": [...]}} with '
            f"Content-Type: application/vnd.oracle.resource+json; type=collection (otherwise {hint})."
        )


# --- one record -----------------------------------------------------------------------------------------


@router.get("/{record_type}/{key}")
async def get_record(
    record_type: str, key: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    expand_all = bool_param(request, "expandSubResources")
    fields = list_param(request, "fields")
    expand_only = list_param(request, "expand")
    origin = base_url(request.url)

    def operation() -> Outcome:
        body = ns.store.get(record_type, key, expand=expand_all or bool(expand_only), fields=fields)
        if expand_only and not expand_all:
            collapse_sublists(body, set(expand_only))
        return Outcome(200, absolutize_links(body, origin), media_type=SINGULAR)

    return await execute(request, ns, operation)


@router.patch("/{record_type}/{key}")
async def update_record(
    record_type: str, key: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    body = await json_object(request)
    replace = frozenset(list_param(request, "replace") or ())
    selected = bool_param(request, "replaceSelectedFields")
    origin = base_url(request.url)

    def operation() -> Outcome:
        canonical = ns.store.canonical_type(record_type)
        record_id = ns.store.update(canonical, key, body, replace=replace, replace_selected_fields=selected)
        return written(ns, origin, canonical, record_id, external_id=_external_from_key(key))

    return await execute(request, ns, operation, external_id=_external_from_key(key))


@router.put("/{record_type}/{key}")
async def upsert_record(
    record_type: str, key: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    external_id = _external_from_key(key)
    if external_id is None:
        raise NsError.user_error(
            "The upsert (PUT) operation identifies the record by external ID: use .../"
            f"{record_type}/eid:<externalId>, or PATCH .../{record_type}/{key} to update by internal ID."
        )
    body = await json_object(request)
    origin = base_url(request.url)

    def operation() -> Outcome:
        canonical = ns.store.canonical_type(record_type)
        return written(
            ns, origin, canonical, ns.store.upsert(canonical, external_id, body), external_id=external_id
        )

    return await execute(request, ns, operation, external_id=external_id)


@router.delete("/{record_type}/{key}")
async def delete_record(
    record_type: str, key: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    def operation() -> Outcome:
        ns.store.delete(record_type, key)
        return Outcome(204, external_id=_external_from_key(key))

    return await execute(request, ns, operation, external_id=_external_from_key(key))


@router.post("/{record_type}/{key}/!transform/{target_type}")
async def transform_record(
    record_type: str, key: str, target_type: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    body = await json_body(request, required=False)
    if body is not None and not isinstance(body, dict):
        raise NsError(
            400, "INVALID_CONTENT", "Invalid content in the request body. The body must be a JSON object."
        )
    origin = base_url(request.url)

    def operation() -> Outcome:
        target = ns.store.canonical_type(target_type)
        new_id = ns.store.transform(record_type, key, target, body)
        return written(ns, origin, target, new_id)

    return await execute(request, ns, operation)


@router.get("/{record_type}/{key}/{sublist}")
async def get_sublist(
    record_type: str, key: str, sublist: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    return await _sublist(request, ns, record_type, key, sublist, None)


@router.get("/{record_type}/{key}/{sublist}/{line}")
async def get_sublist_line(
    record_type: str,
    key: str,
    sublist: str,
    line: str,
    request: Request,
    ns: NetSuiteEmulator = Depends(emulator),
) -> Response:
    return await _sublist(request, ns, record_type, key, sublist, line)


async def _sublist(
    request: Request, ns: NetSuiteEmulator, record_type: str, key: str, sublist: str, line: str | None
) -> Response:
    origin = base_url(request.url)

    def operation() -> Outcome:
        body = ns.store.get_sublist(record_type, key, sublist, line=line)
        return Outcome(200, absolutize_links(body, origin), media_type=SINGULAR)

    return await execute(request, ns, operation)


def _external_from_key(key: str) -> str | None:
    return key[4:] if key.startswith("eid:") and len(key) > 4 else None


# --- batch ------------------------------------------------------------------------------------------------


async def _batch(request: Request, ns: NetSuiteEmulator, record_type: str, kind: BatchKind) -> Response:
    """Validate the batch envelope (a bad envelope fails the whole request) and submit one task per item
    (a bad item fails only its task)."""
    if not wants_async(request):
        raise NsError.invalid_parameter(
            "Batch operations are executed asynchronously: send the header Prefer: respond-async."
        )
    document = await json_object(request)
    items = document.get("items")
    if not isinstance(items, list) or not items:
        raise NsError(
            400, "INVALID_PARAMETER", "A batch request needs a non-empty items array.", error_path="items"
        )
    if len(items) > ns.settings.max_batch_items:
        raise NsError(
            400,
            "INVALID_PARAMETER",
            f"A batch request can contain at most {ns.settings.max_batch_items} items; "
            f"this one has {len(items)}.",
            error_path="items",
        )
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise NsError(
                400,
                "INVALID_PARAMETER",
                "Every batch item must be a JSON object.",
                error_path=f"items[{index}]",
            )
    canonical = await run_in_threadpool(ns.store.canonical_type, record_type)
    replace = frozenset(list_param(request, "replace") or ())
    selected = bool_param(request, "replaceSelectedFields")
    origin = base_url(request.url)
    build = _BATCH_BUILDERS[kind]
    operations = [build(ns, origin, canonical, item, replace, selected) for item in items]
    return submit(request, ns, operations)


def _create_item(
    ns: NetSuiteEmulator, origin: str, record_type: str, item: dict[str, Any], _r: frozenset[str], _s: bool
) -> tuple[Operation, str | None]:
    external_id = _text(item.get("externalId"))

    def operation() -> Outcome:
        return written(ns, origin, record_type, ns.store.create(record_type, item), external_id=external_id)

    return operation, external_id


def _upsert_item(
    ns: NetSuiteEmulator, origin: str, record_type: str, item: dict[str, Any], _r: frozenset[str], _s: bool
) -> tuple[Operation, str | None]:
    external_id = _text(item.get("externalId"))

    def operation() -> Outcome:
        if external_id is None:
            raise NsError.user_error(
                "A batch upsert item must carry its externalId.", error_path="externalId"
            )
        return written(
            ns, origin, record_type, ns.store.upsert(record_type, external_id, item), external_id=external_id
        )

    return operation, external_id


def _update_item(
    ns: NetSuiteEmulator,
    origin: str,
    record_type: str,
    item: dict[str, Any],
    replace: frozenset[str],
    selected: bool,
) -> tuple[Operation, str | None]:
    key = _text(item.get("id"))
    body = {name: value for name, value in item.items() if name != "id"}
    external_id = _external_from_key(key) if key else _text(item.get("externalId"))

    def operation() -> Outcome:
        if key is None:
            raise NsError.user_error("A batch update item must carry the record's id.", error_path="id")
        record_id = ns.store.update(record_type, key, body, replace=replace, replace_selected_fields=selected)
        return written(ns, origin, record_type, record_id, external_id=external_id)

    return operation, external_id


def _delete_item(
    ns: NetSuiteEmulator, origin: str, record_type: str, item: dict[str, Any], _r: frozenset[str], _s: bool
) -> tuple[Operation, str | None]:
    external_id = _text(item.get("externalId"))
    key = _text(item.get("id")) or (f"eid:{external_id}" if external_id else None)

    def operation() -> Outcome:
        if key is None:
            raise NsError.user_error(
                "A batch delete item must carry the record's id or externalId.", error_path="id"
            )
        ns.store.delete(record_type, key)
        return Outcome(204, record_id=None if key.startswith("eid:") else key, external_id=external_id)

    return operation, external_id


_BuildItem = Callable[
    [NetSuiteEmulator, str, str, dict[str, Any], frozenset[str], bool], tuple[Operation, str | None]
]
_BATCH_BUILDERS: dict[BatchKind, _BuildItem] = {
    "create": _create_item,
    "upsert": _upsert_item,
    "update": _update_item,
    "delete": _delete_item,
}
