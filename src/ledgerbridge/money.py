"""Money, fiscal periods and time-zone rules.

Money is always :class:`decimal.Decimal` with its currency beside it. Floats are refused at the door:
``to_decimal(0.1)`` raises, because a float has already lost the cent it claims to carry. Strings and
ints are exact and accepted; so is a Decimal.

A :class:`Period` is a fiscal month (``2026-03``). Periods compare and step like integers so flows can
iterate over a range without date arithmetic mistakes.

Time: every timestamp the product stores or compares is timezone-aware. Sources that report naive
datetimes are interpreted in the source account's configured zone (``as_aware``); nothing is silently
taken as UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import total_ordering
from typing import Any
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")
_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def to_decimal(value: object) -> Decimal:
    """Parse an amount exactly: Decimal, int and numeric strings (``"1,234.50"`` too); never float."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValueError("empty string is not an amount")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    elif isinstance(value, float):
        raise TypeError("floats are not accepted for money; pass a string or Decimal")
    else:
        raise TypeError(f"cannot read an amount from {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def quantize(amount: Decimal, exponent: Decimal = CENT) -> Decimal:
    """Round half-even to the currency's minor unit (cents by default)."""
    return amount.quantize(exponent, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount and its ISO 4217 currency. Arithmetic across currencies is an error."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        code = self.currency.upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")
        object.__setattr__(self, "currency", code)

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def rounded(self) -> Money:
        return Money(quantize(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A fiscal month, ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_RE.match(text.strip())
        if not match:
            raise ValueError(f"not a period (expected YYYY-MM): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 12, index % 12 + 1)

    def __add__(self, months: int) -> Period:
        return Period.from_index(self.index + months)

    def __sub__(self, months: int) -> Period:
        return Period.from_index(self.index - months)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.index < other.index

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The last day of the month."""
        nxt = self + 1
        return date.fromordinal(nxt.start.toordinal() - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def as_aware(moment: datetime, zone: str) -> datetime:
    """Give a naive datetime the source account's zone; leave aware ones as they are."""
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(zone))


# --- JSON with exact money ------------------------------------------------------------------------------
# The standard encoder cannot write a Decimal as a JSON number without a float round-trip (which turns
# 0.1 + 0.2 into 0.30000000000000004), and vendors send amounts as JSON numbers. Every JSON body the
# product or the sandbox writes goes through json_dumps; every body read goes through json_loads.


class _HasDecimal(Exception):
    """Raised by the fast path when it meets a Decimal or a date; the exact encoder takes over."""


def _fast_default(value: object) -> object:
    raise (
        _HasDecimal
        if isinstance(value, Decimal | date)
        else TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    )


def _encode_json(value: object, out: list[str], *, allow_float: bool) -> None:
    if value is None or isinstance(value, bool | int | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write a non-finite amount as JSON: {value}")
        # 'f' keeps every digit and never uses exponent notation (1E+2 → 100), which some vendors refuse
        out.append(format(value, "f"))
    elif isinstance(value, float):
        if not allow_float:
            raise TypeError(
                "floats are not written for money; use Decimal (or int) for amounts and quantities"
            )
        out.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, datetime | date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise TypeError(f"JSON object keys must be strings, got {type(key).__name__}")
            # non-string keys become strings exactly as the standard encoder writes them (1 → "1")
            name = key if isinstance(key, str) else json.dumps(key)
            out.append("," if index else "")
            out.append(json.dumps(name, ensure_ascii=False))
            out.append(":")
            _encode_json(item, out, allow_float=allow_float)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for index, item in enumerate(value):
            out.append("," if index else "")
            _encode_json(item, out, allow_float=allow_float)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_dumps(value: object, *, allow_float: bool = False) -> bytes:
    """Compact UTF-8 JSON: Decimal as an exact number, date/datetime as ISO strings.

    Floats are refused unless ``allow_float`` (non-money figures such as latencies in the sandbox's stats);
    with it, a body without Decimals takes the C encoder's fast path.
    """
    if allow_float:
        try:
            text = json.dumps(
                value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_fast_default
            )
            return text.encode("utf-8")
        except _HasDecimal:
            pass
    parts: list[str] = []
    _encode_json(value, parts, allow_float=allow_float)
    return "".join(parts).encode("utf-8")


def json_loads(data: bytes | str) -> Any:
    """Parse JSON; every non-integer number becomes a Decimal (never a float)."""
    return json.loads(data, parse_float=Decimal)
