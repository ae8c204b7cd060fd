"""The REST record service (``/services/rest/record/v1``): CRUD, ``eid:`` upsert, transform, sublists, lists.

Writes answer ``204 No Content`` with the record URL in ``Location`` (some answer ``201``); the new internal
id is read from there (notes §1.3, §7.10). Record type names are passed through as given: NetSuite treats the
path segment case-insensitively (notes §1.8).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from ledgerbridge.errors import Fatal, RecordRejected

from .config import MAX_PAGE_SIZE
from .records import JsonObject, RequestKind, check_external_id, id_from_location
from .session import NetSuiteSession, decode_json

RECORD_ROOT = "/services/rest/record/v1"
#: list paging stops here: NetSuite serves at most 100,000 results per list (notes §1.5)
MAX_LIST_RESULTS = 100_000


def _type_segment(record_type: str) -> str:
    record_type = record_type.strip()
    if not record_type or not record_type.replace("_", "").isalnum():
        raise RecordRejected(
            f"not a NetSuite record type: {record_type!r}", vendor_code="INVALID_RECORD_TYPE"
        )
    return record_type


def _key_segment(record_type: str, key: str) -> str:
    """An internal id or ``eid:<external id>`` as a path segment (external ids validated first)."""
    key = str(key).strip()
    if key.startswith("eid:"):
        return "eid:" + check_external_id(key[4:], record_type=record_type)
    if not key or not key.isdigit():
        raise RecordRejected(
            f"not a NetSuite internal id: {key!r} (use 'eid:<external id>' for external ids)",
            vendor_code="INVALID_KEY_OR_REF",
        )
    return key


def record_path(record_type: str, key: str | None = None, *rest: str) -> str:
    path = f"{RECORD_ROOT}/{_type_segment(record_type)}"
    if key is not None:
        path += f"/{_key_segment(record_type, key)}"
    for part in rest:
        path += "/" + quote(part, safe="!:@")
    return path


def _written_id(response: httpx.Response, what: str) -> str:
    new_id = id_from_location(response.headers.get("Location"))
    if new_id is None:
        # The write happened but we cannot tell which record it made: a broken contract, not a retry case.
        raise Fatal(
            f"NetSuite {what}: the answer (HTTP {response.status_code}) has no Location header with the "
            "record id",
            hint="base_url must point at NetSuite's REST host (or the sandbox), not a proxy dropping headers",
        )
    return new_id


class RecordService:
    """Single-record operations of the record service."""

    def __init__(self, session: NetSuiteSession) -> None:
        self._session = session

    async def get(
        self,
        record_type: str,
        id_or_eid: str,
        *,
        expand: bool = True,
        fields: Sequence[str] | None = None,
    ) -> JsonObject | None:
        """The record (sublists and subrecords inlined when ``expand``), or ``None`` if it does not exist."""
        params: dict[str, str | int] = {"expandSubResources": "true" if expand else "false"}
        if fields:
            params["fields"] = ",".join(fields)
        response = await self._session.send(
            RequestKind.READ, "GET", record_path(record_type, id_or_eid), params=params, allow=(404,)
        )
        if response.status_code == 404:
            return None
        body = decode_json(response)
        return dict(body) if isinstance(body, dict) else None

    async def find_id_by_external_id(self, record_type: str, external_id: str) -> str | None:
        """The internal id of the record with this external id, or ``None`` (one request; 404 → None)."""
        record = await self.get(record_type, f"eid:{external_id}", expand=False)
        if record is None:
            return None
        found = record.get("id")
        return str(found) if found is not None else None

    async def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """Create a record; returns its internal id (from ``Location``)."""
        response = await self._session.send(RequestKind.WRITE, "POST", record_path(record_type), json=body)
        return _written_id(response, f"create {record_type}")

    async def update(
        self,
        record_type: str,
        id_or_eid: str,
        body: Mapping[str, Any],
        *,
        replace: Sequence[str] = (),
        replace_selected_fields: bool = False,
    ) -> str:
        """PATCH a record: body fields only (``None`` clears a field); sublists in ``replace`` are replaced
        instead of merged. Returns the internal id."""
        params: dict[str, str | int] = {}
        if replace:
            params["replace"] = ",".join(replace)
        if replace_selected_fields:
            params["replaceSelectedFields"] = "true"
        response = await self._session.send(
            RequestKind.WRITE, "PATCH", record_path(record_type, id_or_eid), params=params, json=body
        )
        return id_from_location(response.headers.get("Location")) or id_or_eid.removeprefix("eid:")

    async def upsert(self, record_type: str, external_id: str, body: Mapping[str, Any]) -> str:
        """Create or update the record with this external id (``PUT .../eid:<x>``); returns its id.

        This is the idempotent write every flow uses (DESIGN §4.1): sending it twice changes nothing.
        """
        check_external_id(external_id, record_type=record_type)
        response = await self._session.send(
            RequestKind.WRITE, "PUT", record_path(record_type, f"eid:{external_id}"), json=body
        )
        return _written_id(response, f"upsert {record_type} eid:{external_id}")

    async def delete(self, record_type: str, id_or_eid: str, *, missing_ok: bool = False) -> bool:
        """Delete a record; ``False`` if it did not exist and ``missing_ok`` (else RecordRejected)."""
        response = await self._session.send(
            RequestKind.WRITE,
            "DELETE",
            record_path(record_type, id_or_eid),
            allow=(404,) if missing_ok else (),
        )
        return response.status_code != 404

    async def transform(
        self, src_type: str, src_id: str, dst_type: str, body: Mapping[str, Any] | None = None
    ) -> str:
        """``POST .../<src>/<id>/!transform/<dst>`` (e.g. sales order → invoice); returns the new id."""
        path = record_path(src_type, src_id, "!transform", _type_segment(dst_type))
        response = await self._session.send(RequestKind.WRITE, "POST", path, json=dict(body or {}))
        return _written_id(response, f"transform {src_type} {src_id} to {dst_type}")

    async def sublist(self, record_type: str, id_or_eid: str, sublist: str) -> list[JsonObject]:
        """The lines of a sublist (``GET .../<id>/<sublist>`` with its lines expanded)."""
        response = await self._session.send(
            RequestKind.READ,
            "GET",
            record_path(record_type, id_or_eid, sublist),
            params={"expandSubResources": "true"},
        )
        body = decode_json(response)
        items = body.get("items", []) if isinstance(body, dict) else []
        return [dict(item) for item in items if isinstance(item, dict)]

    async def set_sublist(
        self,
        record_type: str,
        id_or_eid: str,
        sublist: str,
        lines: Sequence[Mapping[str, Any]],
        *,
        replace: bool = True,
    ) -> str:
        """Write a sublist: ``replace`` makes the given lines the whole sublist (keyed lines updated, others
        removed); otherwise keyed lines are merged and new ones appended (notes §1.7)."""
        body = {sublist: {"items": [dict(line) for line in lines]}}
        return await self.update(record_type, id_or_eid, body, replace=(sublist,) if replace else ())

    async def list(
        self, record_type: str, *, q: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[str]:
        """Every internal id of a record type (optionally filtered by a ``q`` expression), page by page.

        NetSuite cannot order a list and serves at most 100,000 results; for more, or for anything
        incremental, read with SuiteQL instead (``NetSuiteClient.suiteql_keyset``).
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        offset = 0
        while True:
            params: dict[str, str | int] = {"limit": page_size, "offset": offset}
            if q:
                params["q"] = q
            page = await self._session.send_json(
                RequestKind.READ, "GET", record_path(record_type), params=params
            )
            items = page.get("items", []) if isinstance(page, dict) else []
            for item in items:
                if isinstance(item, dict) and item.get("id") is not None:
                    yield str(item["id"])
            if not (isinstance(page, dict) and page.get("hasMore")) or not items:
                return
            offset += page_size  # offsets must stay multiples of the limit
            if offset >= MAX_LIST_RESULTS:
                raise RecordRejected(
                    f"NetSuite lists stop at {MAX_LIST_RESULTS:,} results ({record_type})",
                    vendor_code="LIST_LIMIT",
                    hint="narrow the q filter or read the ids with SuiteQL keyset paging",
                )
