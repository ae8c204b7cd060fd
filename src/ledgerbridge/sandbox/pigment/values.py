"""Reading property and cell values from text (CSV cells, JSON fixtures) exactly: Decimal, ISO dates.

Numbers are parsed strictly — an optional sign, digits, one decimal separator — so ``1,234.56`` under a
``.`` separator is a parsing error rather than a silently different amount.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.money import to_decimal

from .spec import PropertyType

_NUMBER = {
    ".": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    ",": re.compile(r"^[+-]?(\d+(,\d*)?|,\d+)$"),
}
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_number(text: str, decimal_separator: str = ".") -> Decimal:
    """An exact Decimal from a CSV cell (ValueError when it is not a plain number)."""
    cleaned = text.strip()
    if not _NUMBER[decimal_separator].match(cleaned):
        raise ValueError(f"{text!r} is not a number")
    return Decimal(cleaned.replace(",", ".")) if decimal_separator == "," else Decimal(cleaned)


def parse_date(text: str) -> date:
    """ISO ``2026-01-31`` (the Iso8601 export format) or US ``1/31/2026`` (the Legacy one)."""
    cleaned = text.strip()
    us = _US_DATE.match(cleaned)
    if us:
        return date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
    return date.fromisoformat(cleaned[:10])


def parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean")


def parse_amount(value: Any, decimal_separator: str = ".") -> Decimal:
    """A number from CSV text or a JSON value (Decimal or int; a float is refused)."""
    if isinstance(value, str):
        return parse_number(value, decimal_separator)
    return to_decimal(value)


def parse_scalar(value: Any, kind: PropertyType, decimal_separator: str = ".") -> str | Decimal | date | bool:
    """A non-Dimension property value from CSV text or a JSON fixture value."""
    if kind == "Number":
        return parse_amount(value, decimal_separator)
    if kind == "Date":
        return value if isinstance(value, date) else parse_date(str(value))
    if kind == "Boolean":
        return value if isinstance(value, bool) else parse_boolean(str(value))
    return str(value)
