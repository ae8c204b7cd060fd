"""Lossless JSON for stored record bodies, and the value formats NetSuite uses on the wire.

Record bodies are stored as JSON text in SQLite. JSON has no decimal type, so a Decimal is written as
``{"$dec": "12.50"}`` and read back as ``Decimal("12.50")``: amounts never pass through a float.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

_DEC = "$dec"


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return {_DEC: str(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__} in a record body")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DEC in obj:
        return Decimal(obj[_DEC])
    return obj


def dumps(body: object) -> str:
    """Serialise a stored body (Decimals kept exact)."""
    return json.dumps(body, default=_default, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    """Read a stored body back (Decimals restored)."""
    return json.loads(text, object_hook=_hook)


def utc_stamp(moment: datetime) -> str:
    """NetSuite's REST datetime format, exactly ``YYYY-MM-DDTHH:MM:SSZ`` (clients parse it strictly)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc_stamp(text: str) -> datetime:
    """Inverse of :func:`utc_stamp`; also accepts ISO strings with an offset or fraction."""
    cleaned = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def sql_datetime(moment: datetime) -> str:
    """The SQLite text form of a datetime column (account-local wall time): ``YYYY-MM-DD HH:MM:SS``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def sql_date(day: date) -> str:
    """Dates are stored like Oracle DATEs: midnight of that day, so date and datetime columns compare."""
    return f"{day.isoformat()} 00:00:00"


def number_text(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros (``1500``, ``12.5``, ``-0.01``)."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text
