"""Turning request bodies into stored bodies: value coercion, references, PATCH and sublist merges.

Stored body values: str, int, bool, Decimal, ISO date ``YYYY-MM-DD``, UTC stamp ``YYYY-MM-DDTHH:MM:SSZ``,
a reference as the target's internal id (str), an enum as its id (str), sublists as lists of line dicts.

PATCH semantics (notes §1.3, §1.7):

- a body field set to ``null`` clears it;
- a keyed sublist (``item`` by ``line``, ``apply`` by ``doc``) updates lines whose key matches and adds the
  rest; a non-keyed sublist appends;
- a sublist named in ``replace``: keyed → matched lines updated, unmatched lines removed, new lines added;
  non-keyed → replaced;
- ``replace_selected_fields=True``: body fields may be named in ``replace`` too, and a ``null`` clears a
  body field only when that field is named there (other nulls are ignored).

Unknown standard field names are ignored, as NetSuite does without
``X-NetSuite-PropertyNameValidation: error``; custom fields (``custbody_*`` ...) are kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledgerbridge.money import to_decimal
from ledgerbridge.sandbox.netsuite.codec import parse_utc_stamp, utc_stamp
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.recordtypes import FieldDef, RecordType, SublistDef, is_custom

# Resolves a reference value (``{"id": ..}``, ``{"externalId": ..}``, a bare id) against the target
# types; returns the internal id or raises NsError INVALID_KEY_OR_REF.
Resolver = Callable[[FieldDef, Any, str], str]

_EID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


def check_external_id(value: str) -> str:
    """External ids may hold letters, digits, ``_`` and ``-`` only (notes §1.4)."""
    if not isinstance(value, str) or not value:
        raise NsError.invalid_parameter("The external ID must be a non-empty string.")
    if not _EID_RE.match(value):
        raise NsError.invalid_parameter(
            f"Invalid external ID '{value}'. An external ID may contain only letters, digits, "
            "underscores (_) and hyphens (-)."
        )
    return value


def coerce(f: FieldDef, value: Any, path: str, resolve: Resolver) -> Any:
    """One incoming value → its stored form (NsError USER_ERROR when it cannot be read)."""
    try:
        return _coerce(f, value, path, resolve)
    except NsError:
        raise
    except TypeError as exc:
        if isinstance(value, float):
            # A float here means the JSON was parsed without parse_float=Decimal: a bug upstream.
            raise TypeError(
                f"{path}: floats are not accepted for {f.kind} fields; parse JSON with Decimal"
            ) from exc
        raise _invalid(f, value, path) from exc
    except ValueError as exc:
        raise _invalid(f, value, path) from exc


def _invalid(f: FieldDef, value: Any, path: str) -> NsError:
    return NsError.user_error(f"Invalid value '{value}' for field {f.title} ({f.kind}).", error_path=path)


def _coerce(f: FieldDef, value: Any, path: str, resolve: Resolver) -> Any:
    kind = f.kind
    if kind == "string":
        if isinstance(value, bool) or isinstance(value, dict | list):
            raise ValueError(value)
        if isinstance(value, int | Decimal):
            return str(value)
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str | Decimal):
            number = Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise ValueError(value)
            return int(number)
        raise ValueError(value)
    if kind in ("number", "money"):
        return to_decimal(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().upper() in ("T", "TRUE", "F", "FALSE"):
            return value.strip().upper() in ("T", "TRUE")
        raise ValueError(value)
    if kind == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            return date.fromisoformat(value.strip()[:10]).isoformat()
        raise ValueError(value)
    if kind == "datetime":
        if isinstance(value, datetime):
            return utc_stamp(value)
        if isinstance(value, str):
            return utc_stamp(parse_utc_stamp(value))
        raise ValueError(value)
    if kind == "ref":
        return resolve(f, value, path)
    if kind == "enum":
        key = value.get("id") if isinstance(value, dict) else value
        if not isinstance(key, str):
            raise ValueError(value)
        if f.choices:
            for choice in f.choices:
                if choice.lower() == key.lower():
                    return choice
            raise ValueError(value)
        return key
    # object
    if not isinstance(value, dict):
        raise ValueError(value)
    return dict(value)


def apply_patch(
    rt: RecordType,
    current: Mapping[str, Any] | None,
    patch: Mapping[str, Any],
    resolve: Resolver,
    *,
    replace: frozenset[str] = frozenset(),
    replace_selected_fields: bool = False,
) -> dict[str, Any]:
    """The stored body after applying ``patch`` to ``current`` (``None`` = a new record)."""
    if not isinstance(patch, Mapping):
        raise NsError.invalid_parameter("The request body must be a JSON object.")
    body: dict[str, Any] = {k: _copy(v) for k, v in (current or {}).items()}
    replace_l = {r.lower() for r in replace}
    seen: set[str] = set()
    for raw_name, value in patch.items():
        if raw_name in ("links", "id", "refName"):
            continue
        sub = rt.sublist(raw_name)
        if sub is not None:
            seen.add(sub.name.lower())
            body[sub.name] = _merge_sublist(
                rt, sub, body.get(sub.name, []), value, resolve, sub.name.lower() in replace_l
            )
            continue
        f = rt.field(raw_name)
        if f is None:
            if is_custom(raw_name):
                name = raw_name.lower()
                if value is None:
                    body.pop(name, None)
                else:
                    body[name] = value
            continue
        seen.add(f.name.lower())
        if f.readonly:
            continue
        if value is None:
            if replace_selected_fields and f.name.lower() not in replace_l:
                continue
            body.pop(f.name, None)
            continue
        if f.name == "externalId":
            body[f.name] = check_external_id(value)
            continue
        body[f.name] = coerce(f, value, f.name, resolve)
    if replace_selected_fields:
        # Fields named in `replace` but absent from the body are cleared (they are "replaced by nothing").
        for name in replace_l - seen:
            f = rt.field(name)
            if f is not None and not f.readonly:
                body.pop(f.name, None)
            sub = rt.sublist(name)
            if sub is not None:
                body[sub.name] = []
    return body


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(line) if isinstance(line, dict) else line for line in value]
    if isinstance(value, dict):
        return dict(value)
    return value


def _lines_of(value: Any, path: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    items = value.get("items", []) if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise NsError.user_error(
            f'Invalid sublist value for {path}: expected {{"items": [...]}}.', error_path=path
        )
    return items


def _merge_sublist(
    rt: RecordType,
    sub: SublistDef,
    existing: list[dict[str, Any]],
    value: Any,
    resolve: Resolver,
    replacing: bool,
) -> list[dict[str, Any]]:
    incoming = _lines_of(value, sub.name)
    if sub.key is None:
        base = [] if replacing else [dict(line) for line in existing]
        return base + [
            _coerce_line(sub, {}, line, f"{sub.name}.items[{i}]", resolve) for i, line in enumerate(incoming)
        ]
    key_field = sub.field(sub.key)
    assert key_field is not None  # a keyed sublist always defines its key field
    by_key: dict[str, dict[str, Any]] = {str(line.get(key_field.name)): line for line in existing}
    result: list[dict[str, Any]] = [] if replacing else [dict(line) for line in existing]
    index = {str(line.get(key_field.name)): i for i, line in enumerate(result)}
    next_line = max((int(line["line"]) for line in existing if "line" in line), default=0) + 1
    for i, line in enumerate(incoming):
        path = f"{sub.name}.items[{i}]"
        key_value = _line_key(sub, key_field, line, path, resolve)
        if key_value is not None and key_value in by_key:
            merged = _coerce_line(sub, by_key[key_value], line, path, resolve)
            if key_value in index:
                result[index[key_value]] = merged
            else:
                index[key_value] = len(result)
                result.append(merged)
            continue
        if sub.key == "line" and key_value is not None:
            raise NsError.user_error(
                f"The line {key_value} does not exist on sublist {sub.name}.", error_path=path
            )
        new_line = _coerce_line(sub, {}, line, path, resolve)
        if sub.field("line") is not None:
            new_line["line"] = next_line
            next_line += 1
        result.append(new_line)
    _check_line_mandatory(rt, sub, result)
    return result


def _line_key(
    sub: SublistDef, key_field: FieldDef, line: Mapping[str, Any], path: str, resolve: Resolver
) -> str | None:
    for name, value in line.items():
        if name.lower() == key_field.name.lower() and value is not None:
            if key_field.kind == "ref":
                return resolve(key_field, value, f"{path}.{key_field.name}")
            return str(value)
    return None


def _coerce_line(
    sub: SublistDef, current: Mapping[str, Any], line: Mapping[str, Any], path: str, resolve: Resolver
) -> dict[str, Any]:
    out = dict(current)
    incoming = {name.lower() for name in line}
    if current and {"quantity", "rate"} & incoming and "amount" not in incoming and sub.field("rate"):
        out.pop("amount", None)  # a new quantity or rate re-prices the line, as in the UI
    for raw_name, value in line.items():
        if raw_name == "links":
            continue
        f = sub.field(raw_name)
        if f is None:
            if is_custom(raw_name):
                if value is None:
                    out.pop(raw_name.lower(), None)
                else:
                    out[raw_name.lower()] = value
            continue
        if f.readonly and f.name != sub.key:
            continue
        if value is None:
            out.pop(f.name, None)
            continue
        if f.name == sub.key and f.name == "line":
            continue  # the line number is assigned, never taken from the body
        out[f.name] = coerce(f, value, f"{path}.{f.name}", resolve)
    return out


def _check_line_mandatory(rt: RecordType, sub: SublistDef, lines: list[dict[str, Any]]) -> None:
    needed = rt.line_mandatory.get(sub.name, ())
    for line in lines:
        missing = [_title(sub, n) for n in needed if n not in line]
        if missing:
            raise NsError.missing_fields(missing)


def _title(sub: SublistDef, name: str) -> str:
    f = sub.field(name)
    return f.title if f is not None else name


def check_mandatory(rt: RecordType, body: Mapping[str, Any], extra: tuple[str, ...] = ()) -> None:
    """USER_ERROR "Please enter value(s) for: ..." naming every missing mandatory field."""
    missing = []
    for name in (*rt.mandatory, *extra):
        if body.get(name) in (None, ""):
            f = rt.field(name)
            missing.append(f.title if f else name)
    if missing:
        raise NsError.missing_fields(missing)
