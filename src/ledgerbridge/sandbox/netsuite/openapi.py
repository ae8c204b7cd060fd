"""A minimal OpenAPI 3.0 document of the record service, built from the store's JSON Schemas.

What ``GET /record/v1/metadata-catalog?select=a,b`` answers with ``Accept: application/swagger+json``
(notes §1.9; the `netsuite` CLI's ``openapi``/``openapi-serve``): one path pair per record type and the
schemas under ``components.schemas``, with the catalog ``$ref`` paths rewritten to local references.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

CATALOG_PATH = "/services/rest/record/v1/metadata-catalog"

NS_LINK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"rel": {"type": "string"}, "href": {"type": "string", "format": "uri"}},
}
NS_RESOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "refName": {"type": "string"},
        "externalId": {"type": "string"},
        "links": {"type": "array", "items": {"$ref": f"{CATALOG_PATH}/nsLink"}},
    },
}
#: schemas the catalog serves besides record types
SHARED_SCHEMAS = {"nsLink": NS_LINK_SCHEMA, "nsResource": NS_RESOURCE_SCHEMA}


def _localize_refs(value: Any) -> Any:
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith(CATALOG_PATH + "/"):
                result[key] = "#/components/schemas/" + item[len(CATALOG_PATH) + 1 :]
            else:
                result[key] = _localize_refs(item)
        return result
    if isinstance(value, list):
        return [_localize_refs(item) for item in value]
    return value


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response() -> dict[str, Any]:
    return {
        "description": "NetSuite error document",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }


def _paths(record_type: str) -> dict[str, Any]:
    written = {
        "204": {"description": "Written; the record URL is in the Location header"},
        "default": _error_response(),
    }
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        f"/{record_type}": {
            "get": {
                "summary": f"List {record_type} records",
                "parameters": [
                    {"name": name, "in": "query", "schema": {"type": kind}}
                    for name, kind in (("q", "string"), ("limit", "integer"), ("offset", "integer"))
                ],
                "responses": {"200": {"description": "A page of ids"}, "default": _error_response()},
            },
            "post": {
                "summary": f"Create a {record_type}",
                "requestBody": {"content": {"application/json": {"schema": _ref(record_type)}}},
                "responses": written,
            },
        },
        f"/{record_type}/{{id}}": {
            "get": {
                "summary": f"Get a {record_type}",
                "parameters": [
                    id_param,
                    {"name": "expandSubResources", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {
                        "description": "The record",
                        "content": {
                            "application/vnd.oracle.resource+json; type=singular": {
                                "schema": _ref(record_type)
                            }
                        },
                    },
                    "default": _error_response(),
                },
            },
            "patch": {
                "summary": f"Update a {record_type}",
                "parameters": [id_param],
                "requestBody": {"content": {"application/json": {"schema": _ref(record_type)}}},
                "responses": written,
            },
            "put": {
                "summary": f"Upsert a {record_type} by external id (eid:<externalId>)",
                "parameters": [id_param],
                "requestBody": {"content": {"application/json": {"schema": _ref(record_type)}}},
                "responses": written,
            },
            "delete": {"summary": f"Delete a {record_type}", "parameters": [id_param], "responses": written},
        },
    }


def openapi_document(
    record_types: Iterable[str], schema_of: Callable[[str], dict[str, Any]], server_url: str
) -> dict[str, Any]:
    """OpenAPI 3.0.1 for ``record_types`` (``schema_of`` returns the store's JSON Schema of one type)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {name: _localize_refs(copy.deepcopy(s)) for name, s in SHARED_SCHEMAS.items()}
    for record_type in record_types:
        paths.update(_paths(record_type))
        schemas[record_type] = _localize_refs(schema_of(record_type))
    return {
        "openapi": "3.0.1",
        "info": {"title": "NetSuite REST Record API (ledgerbridge sandbox)", "version": "v1"},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
