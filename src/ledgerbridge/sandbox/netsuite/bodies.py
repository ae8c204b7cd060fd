"""Stored record → the JSON body NetSuite's record service returns (before the HTTP half serialises it).

- ``links``: ``[{"rel": "self", "href": "/services/rest/record/v1/<type>/<id>"}]`` — relative paths; the
  HTTP half makes them absolute on the request's host.
- references: ``{"id": "5", "refName": "Acme Corp", "links": [{"rel": "self", "href": ...}]}``
- enums and ``status``: ``{"id": "B", "refName": "Paid In Full"}``
- money and numbers: :class:`~decimal.Decimal`; integers: int; dates ``YYYY-MM-DD``;
  ``lastModifiedDate`` and other datetimes exactly ``YYYY-MM-DDTHH:MM:SSZ``
- sublists: ``{"links": [...]}``, or with ``expand`` also ``items`` (each line with its own ``links``),
  ``totalResults``, ``count``, ``hasMore`` (false) and ``offset`` (0)
- empty values are omitted, as NetSuite does
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.recordtypes import STATUSES, FieldDef, SublistDef, is_custom
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo

RECORD_BASE = "/services/rest/record/v1"


def href(rtype: str, internal_id: int | str) -> str:
    return f"{RECORD_BASE}/{rtype}/{internal_id}"


def _self(link: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": link}]


class Renderer:
    """Renders bodies; caches reference lookups for the duration of one call."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._refs: dict[tuple[tuple[str, ...], str], dict[str, Any] | None] = {}

    def record(self, row: RecordRow, *, expand: bool, fields: Sequence[str] | None = None) -> dict[str, Any]:
        rt = row.rt
        link = href(row.rtype, row.id)
        wanted = {f.lower() for f in fields} if fields else None
        out: dict[str, Any] = {"links": _self(link)}
        for f in rt.fields:
            if wanted is not None and f.name.lower() not in wanted and f.name != "id":
                continue
            value = self._header_value(row, f)
            if value is not None:
                out[f.name] = value
        for name, value in row.body.items():
            if is_custom(name) and (wanted is None or name in wanted):
                out[name] = value
        for sub in rt.sublists:
            if wanted is not None and sub.name.lower() not in wanted:
                continue
            out[sub.name] = self.sublist(row, sub, expand=expand)
        return out

    def sublist(self, row: RecordRow, sub: SublistDef, *, expand: bool) -> dict[str, Any]:
        link = f"{href(row.rtype, row.id)}/{sub.name}"
        result: dict[str, Any] = {"links": _self(link)}
        if expand:
            lines = [self.line(row, sub, line) for line in row.body.get(sub.name) or []]
            result |= {
                "items": lines,
                "totalResults": len(lines),
                "count": len(lines),
                "hasMore": False,
                "offset": 0,
            }
        return result

    def line(self, row: RecordRow, sub: SublistDef, line: dict[str, Any]) -> dict[str, Any]:
        key = line.get(sub.key) if sub.key else None
        out: dict[str, Any] = {}
        if key is not None:
            out["links"] = _self(f"{href(row.rtype, row.id)}/{sub.name}/{key}")
        for f in sub.fields:
            if f.name in line:
                value = self.value(f, line[f.name])
                if value is not None:
                    out[f.name] = value
        for name, value in line.items():
            if is_custom(name):
                out[name] = value
        return out

    def find_line(self, row: RecordRow, sub: SublistDef, key: str) -> dict[str, Any]:
        for line in row.body.get(sub.name) or []:
            if sub.key and str(line.get(sub.key)) == key:
                return self.line(row, sub, line)
        raise NsError.not_found(f"{row.rtype}/{row.id}/{sub.name}", key)

    def _header_value(self, row: RecordRow, f: FieldDef) -> Any:
        if f.name == "id":
            return str(row.id)
        if f.name == "externalId":
            return row.externalid
        if f.name == "lastModifiedDate":
            return row.lastmodified
        if f.name in ("createdDate", "dateCreated"):
            return row.created
        if f.name == "status":
            code = row.body.get("status")
            if code is None:
                return None
            names = STATUSES.get(row.rt.transaction_type or "", {})
            return {"id": code, "refName": names.get(code, code)}
        if f.name not in row.body:
            return None
        return self.value(f, row.body[f.name])

    def value(self, f: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        if f.kind == "ref":
            return self.reference(f.ref, str(value))
        if f.kind == "enum":
            return {"id": value, "refName": f.choices.get(value, value)}
        return value

    def reference(self, targets: tuple[str, ...], internal_id: str) -> dict[str, Any] | None:
        cache_key = (targets, internal_id)
        if cache_key not in self._refs:
            self._refs[cache_key] = self._lookup(targets, internal_id)
        return self._refs[cache_key]

    def _lookup(self, targets: tuple[str, ...], internal_id: str) -> dict[str, Any]:
        types = self.repo.family_types(targets)
        marks = ",".join("?" * len(types))
        row = self.repo.conn.execute(
            f"SELECT rtype, refname FROM ns_record WHERE id = ? AND rtype IN ({marks}) LIMIT 1",
            (int(internal_id), *types),
        ).fetchone()
        if row is None:
            # A dangling reference (e.g. its target was loaded only into SuiteQL tables): show the id.
            return {"id": internal_id, "links": []}
        return {"id": internal_id, "refName": row[1], "links": _self(href(row[0], internal_id))}
