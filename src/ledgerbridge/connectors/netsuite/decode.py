"""Typed decoding of SuiteQL rows: NetSuite answers every value as a string.

Numbers arrive as strings (``"1250.5"``, ``"-3"``), booleans as ``'T'``/``'F'``, dates and datetimes in the
account's date-format preference (``M/d/yyyy`` by default; ``3/15/2026`` or ``3/15/2026 1:05 pm``) unless the
query ``TO_CHAR``-ed them, and NULL columns are simply missing from the row (notes §2.1). ``decode_row`` turns
a row into Python values by a column → type table; amounts become :class:`~decimal.Decimal`, never float.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ledgerbridge.errors import RecordRejected
from ledgerbridge.money import to_decimal

ColumnType = type[str] | type[int] | type[Decimal] | type[bool] | type[date] | type[datetime]

_JAVA_TOKEN = re.compile(r"'[^']*'|y+|M+|d+|H+|h+|m+|s+|S+|a|E+|.")
_JAVA_TO_STRPTIME = {
    "yyyy": "%Y",
    "yyy": "%Y",
    "yy": "%y",
    "y": "%Y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "M": "%m",
    "dd": "%d",
    "d": "%d",
    "HH": "%H",
    "H": "%H",
    "hh": "%I",
    "h": "%I",
    "mm": "%M",
    "m": "%M",
    "ss": "%S",
    "s": "%S",
    "a": "%p",
    "EEEE": "%A",
    "EEE": "%a",
}
# What TO_CHAR(..., 'YYYY-MM-DD HH24:MI:SS') and ISO timestamps look like, tried after the account formats.
_ISO_DATETIMES = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


@lru_cache(maxsize=64)
def java_to_strptime(pattern: str) -> str:
    """Translate a NetSuite (Java ``SimpleDateFormat``) pattern such as ``M/d/yyyy`` into strptime's."""
    parts: list[str] = []
    for token in _JAVA_TOKEN.findall(pattern):
        if token.startswith("'"):
            parts.append(token[1:-1].replace("%", "%%") or "'")
        elif token in _JAVA_TO_STRPTIME:
            parts.append(_JAVA_TO_STRPTIME[token])
        elif token[0] in "yMdHhmsSaE":
            raise ValueError(f"unsupported date pattern element {token!r} in {pattern!r}")
        else:
            parts.append(token.replace("%", "%%"))
    return "".join(parts)


@lru_cache(maxsize=64)
def _datetime_formats(date_format: str, time_format: str) -> tuple[str, ...]:
    day = java_to_strptime(date_format)
    clock = java_to_strptime(time_format)
    with_seconds = clock.replace("%M", "%M:%S", 1) if "%S" not in clock else clock
    return (f"{day} {clock}", f"{day} {with_seconds}", *_ISO_DATETIMES, day, "%Y-%m-%d")


def parse_date(text: str, date_format: str = "M/d/yyyy") -> date:
    """A date in the account's format (or ISO ``YYYY-MM-DD``); a trailing time of day is ignored."""
    value = text.strip()
    for fmt in (java_to_strptime(date_format), "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    head = value.split(" ", 1)[0].split("T", 1)[0]
    if head != value:
        return parse_date(head, date_format)
    raise ValueError(f"{text!r} is not a date in the format {date_format!r}")


def parse_datetime(
    text: str, date_format: str = "M/d/yyyy", time_format: str = "h:mm a", timezone: str | None = None
) -> datetime:
    """A datetime in the account's format, a TO_CHAR/ISO form, or a bare date (midnight).

    NetSuite datetimes are in the account's time zone; give ``timezone`` to get an aware value (DESIGN: no
    timestamp is silently taken as UTC — without a zone the result stays naive).
    """
    value = text.strip()
    for fmt in _datetime_formats(date_format, time_format):
        try:
            moment = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if value.endswith("Z") and fmt.endswith("Z"):
            return moment.replace(tzinfo=ZoneInfo("UTC"))
        return moment.replace(tzinfo=ZoneInfo(timezone)) if timezone else moment
    raise ValueError(f"{text!r} is not a datetime in the format {date_format!r} {time_format!r}")


def parse_bool(text: str) -> bool:
    value = text.strip()
    if value == "T":
        return True
    if value == "F":
        return False
    raise ValueError(f"{text!r} is not a SuiteQL boolean ('T' or 'F')")


def decode_value(
    raw: Any,
    kind: ColumnType,
    *,
    date_format: str = "M/d/yyyy",
    time_format: str = "h:mm a",
    timezone: str | None = None,
) -> Any:
    """One value as ``kind``; ``None``/missing stays ``None``."""
    if raw is None:
        return None
    if kind is bool:
        return raw if isinstance(raw, bool) else parse_bool(str(raw))
    if kind is Decimal:
        return to_decimal(raw)
    if kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        return int(str(raw).strip())
    if kind is datetime:  # before date: datetime is a subclass of date
        return parse_datetime(str(raw), date_format, time_format, timezone)
    if kind is date:
        return parse_date(str(raw), date_format)
    if kind is str:
        return str(raw)
    raise TypeError(f"cannot decode to {kind!r}")


def decode_row(
    row: Mapping[str, Any],
    types: Mapping[str, ColumnType],
    *,
    date_format: str = "M/d/yyyy",
    time_format: str = "h:mm a",
    timezone: str | None = None,
) -> dict[str, Any]:
    """A SuiteQL row with the columns in ``types`` decoded; columns missing from the row (NULL) become None.

    Columns not named in ``types`` are kept as NetSuite sent them; ``links`` is dropped.
    """
    decoded: dict[str, Any] = {key: value for key, value in row.items() if key != "links"}
    for column, kind in types.items():
        name = column.lower()
        try:
            decoded[name] = decode_value(
                row.get(name), kind, date_format=date_format, time_format=time_format, timezone=timezone
            )
        except (ValueError, TypeError, ArithmeticError) as exc:
            ident = row.get("id")
            where = f" (row id {ident})" if ident is not None else ""
            raise RecordRejected(
                f"SuiteQL column {name!r}{where}: cannot read {row.get(name)!r} as {kind.__name__}: {exc}",
                hint="check the account's date format preference in the connection settings"
                if kind in (date, datetime)
                else None,
            ) from None
    return decoded
