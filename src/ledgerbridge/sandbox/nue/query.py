"""List endpoints' query string: paging, includes, ordering and field comparisons (reference notes §1.5).

``page`` (1-based), ``limit`` (1..500, default 100), ``predicate=and|or``, ``includes=a,b``, ``customerIds``
(a URL-encoded JSON array, the legacy form) and any record field as a comparison: ``amount>=1000``,
``invoiceDate>=2024-01-01``, ``balance>0``, ``status=Active`` (a comma list matches any of its values).
The standard parsers would read ``amount>=1000`` as the key ``amount>``, so the raw query string is split
here. Values compare by the type of the record's field: numbers as Decimal, timestamps as instants (``Z`` or
an offset; a bare date is midnight UTC), dates as dates, text case-insensitively for ``=``/``!=``.

Ordering: ``sort=<field>`` or ``sort=-<field>`` (the parameter name is a setting: UNVERIFIED), always with
``id`` as the tie-breaker; without it, lists are in creation order — which is stable under updates, so offset
paging over a changing list neither skips nor repeats a record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote_plus

from .clock import parse_timestamp
from .errors import NueError
from .settings import NueEmulatorSettings
from .store import Record

_CONDITION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|>|<|=)(.*)$", re.DOTALL)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_RESERVED = frozenset({"page", "limit", "predicate", "includes", "customerIds"})
#: parameters some routes read themselves (the change feed) and lists must not take for fields
_ROUTE_PARAMS = frozenset({"afterSequence", "types"})


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class ListQuery:
    page: int
    limit: int
    predicate: str
    includes: frozenset[str]
    conditions: tuple[Condition, ...]
    customer_ids: tuple[str, ...] | None
    sort: str | None
    extra: dict[str, str]


def parse_query(
    raw: str, settings: NueEmulatorSettings, *, allowed_includes: Iterable[str] = ()
) -> ListQuery:
    plain: dict[str, str] = {}
    conditions: list[Condition] = []
    for part in raw.split("&"):
        if not part:
            continue
        text = unquote_plus(part)
        match = _CONDITION.match(text)
        if match is None:
            # ``balance>0`` arrives without "="; anything else without an operator is a bare flag
            raise NueError.invalid(f"Cannot read the query parameter '{text}'.")
        name, op, value = match.groups()
        if op == "=" and (name in _RESERVED or name in _ROUTE_PARAMS or name == settings.sort_param):
            plain[name] = value
        else:
            conditions.append(Condition(name, op, value))
    if not settings.last_modified_filter and any(c.field == "lastModifiedDate" for c in conditions):
        raise NueError.invalid("lastModifiedDate is not a filterable field.", field="lastModifiedDate")
    includes = frozenset(v for v in plain.get("includes", "").split(",") if v)
    unknown = sorted(includes - set(allowed_includes))
    if unknown:
        raise NueError.invalid(f"Unknown includes: {', '.join(unknown)}.", field="includes")
    predicate = plain.get("predicate", "and").lower()
    if predicate not in ("and", "or"):
        raise NueError.invalid("predicate must be 'and' or 'or'.", field="predicate")
    return ListQuery(
        page=_bounded(plain.get("page"), "page", 1, 1, None),
        limit=_bounded(plain.get("limit"), "limit", settings.default_page_size, 1, settings.max_page_size),
        predicate=predicate,
        includes=includes,
        conditions=tuple(conditions),
        customer_ids=_customer_ids(plain.get("customerIds")),
        sort=plain.get(settings.sort_param) or None,
        extra={k: v for k, v in plain.items() if k in _ROUTE_PARAMS},
    )


def _bounded(raw: str | None, name: str, default: int, low: int, high: int | None) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise NueError.invalid(f"{name} must be a whole number; got '{raw}'.", field=name) from None
    if value < low or (high is not None and value > high):
        span = f"{low}..{high}" if high is not None else f"at least {low}"
        raise NueError.invalid(f"{name} must be {span}; got {value}.", field=name)
    return value


def _customer_ids(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        parsed = raw.split(",")
    if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
        raise NueError.invalid(
            'customerIds must be a JSON array of ids, e.g. ["001..."].', field="customerIds"
        )
    return tuple(parsed)


def _coerce(sample: Any, raw: str) -> Any:
    """``raw`` in the type of ``sample`` (the record's value), for comparison."""
    if isinstance(sample, bool):
        return raw.strip().lower() == "true"
    if isinstance(sample, int | Decimal):
        return Decimal(raw.strip())
    if isinstance(sample, str) and _TIMESTAMP.match(sample):
        return parse_timestamp(raw)
    if isinstance(sample, str) and _DATE.match(sample):
        return date.fromisoformat(raw.strip()[:10])
    return raw


def _value(sample: Any) -> Any:
    if isinstance(sample, int) and not isinstance(sample, bool):
        return Decimal(sample)
    if isinstance(sample, str) and _TIMESTAMP.match(sample):
        return parse_timestamp(sample)
    if isinstance(sample, str) and _DATE.match(sample):
        return date.fromisoformat(sample)
    return sample


def _matches(record: Record, condition: Condition) -> bool:
    actual = record.get(condition.field)
    op, raw = condition.op, condition.value
    if raw.lower() == "null" and op in ("=", "!="):
        return (actual is None) == (op == "=")
    if actual is None or isinstance(actual, list | dict):
        return op == "!="
    if (
        op in ("=", "!=")
        and isinstance(actual, str)
        and not _TIMESTAMP.match(actual)
        and not _DATE.match(actual)
    ):
        options = [v.strip().lower() for v in raw.split(",")]
        return (actual.lower() in options) == (op == "=")
    try:
        left, right = _value(actual), _coerce(actual, raw)
    except (ValueError, InvalidOperation):
        raise NueError.invalid(
            f"Cannot compare {condition.field} with '{raw}'.", field=condition.field
        ) from None
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)


def _sort_key(field: str) -> Any:
    def key(record: Record) -> tuple[Any, ...]:
        value = record.get(field)
        # None sorts first; mixed types never meet because a field has one type across records
        return (value is not None, _value(value) if value is not None else 0, record["id"])

    return key


def select(
    rows: Sequence[Record], query: ListQuery, *, customer_id: str | None = None
) -> tuple[list[Record], int]:
    """Filter, order and cut one page; returns the page and the total number of matches."""
    scoped = list(rows)
    if customer_id is not None:
        scoped = [r for r in scoped if r.get("customerId") == customer_id]
    if query.customer_ids is not None:
        wanted = set(query.customer_ids)
        scoped = [r for r in scoped if r.get("customerId") in wanted]
    if query.conditions:
        combine = all if query.predicate == "and" else any
        scoped = [r for r in scoped if combine(_matches(r, c) for c in query.conditions)]
    if query.sort:
        descending = query.sort.startswith("-")
        scoped.sort(key=_sort_key(query.sort.lstrip("-+")), reverse=descending)
    total = len(scoped)
    start = (query.page - 1) * query.limit
    return scoped[start : start + query.limit], total


def pagination(query: ListQuery, total: int) -> dict[str, int]:
    return {
        "page": query.page,
        "limit": query.limit,
        "total": total,
        "totalPages": (total + query.limit - 1) // query.limit,
    }
