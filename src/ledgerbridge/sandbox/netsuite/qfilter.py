"""The record service's ``q`` filter (notes §1.6): ``field OP value`` joined by AND/OR with parentheses.

Operators by field type:

- any: ``EMPTY``, ``EMPTY_NOT`` (no value)
- boolean: ``IS``, ``IS_NOT``
- number / money / integer / reference (by internal id): ``ANY_OF``, ``BETWEEN``, ``EQUAL``, ``GREATER``,
  ``GREATER_OR_EQUAL``, ``LESS``, ``LESS_OR_EQUAL``, ``WITHIN`` (each also ``_NOT``)
- string / enum: ``IS``, ``CONTAIN``, ``START_WITH``, ``END_WITH`` (also ``ENDWITH``), each also ``_NOT``;
  comparisons ignore case
- date / datetime: ``AFTER``, ``BEFORE``, ``ON``, ``ON_OR_AFTER``, ``ON_OR_BEFORE`` (each also ``_NOT``),
  ``WITHIN`` with two dates

Lists: ``ANY_OF 1, 2`` or ``ANY_OF [1, 2]``; ranges: ``BETWEEN 1 10``, ``BETWEEN 1, 10`` or ``[1, 10]``.
Values may be double-quoted. Date literals must be **bare dates in the account's date format**, resolved
in the account's time zone: on a datetime field ``AFTER "3/15/2026"`` means after local midnight that
starts 3/15/2026, ``ON`` means within that local day. Anything else (ISO strings, datetimes) fails with
400 INVALID_PARAMETER "... failed with date format ...". Fields outside ``x-ns-filterable`` fail with
400 NONEXISTENT_FIELD (``o:errorQueryParam: q``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ledgerbridge.sandbox.netsuite import codec, dates
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.recordtypes import FieldDef, RecordType
from ledgerbridge.sandbox.netsuite.repo import RecordRow

Predicate = Callable[[RecordRow], bool]

_TOKEN = re.compile(r'\s*(?:(")((?:[^"\\]|\\.)*)"|(\(|\)|\[|\]|,)|([^\s()\[\],"]+))')
_UNARY = {"EMPTY", "EMPTY_NOT"}
_BASE_OPS = {
    "IS",
    "ANY_OF",
    "BETWEEN",
    "EQUAL",
    "GREATER",
    "GREATER_OR_EQUAL",
    "LESS",
    "LESS_OR_EQUAL",
    "WITHIN",
    "CONTAIN",
    "START_WITH",
    "END_WITH",
    "AFTER",
    "BEFORE",
    "ON",
    "ON_OR_AFTER",
    "ON_OR_BEFORE",
}
_BY_KIND = {
    "boolean": {"IS"},
    "number": {
        "ANY_OF",
        "BETWEEN",
        "EQUAL",
        "GREATER",
        "GREATER_OR_EQUAL",
        "LESS",
        "LESS_OR_EQUAL",
        "WITHIN",
    },
    "string": {"IS", "CONTAIN", "START_WITH", "END_WITH", "ANY_OF"},
    "date": {"AFTER", "BEFORE", "ON", "ON_OR_AFTER", "ON_OR_BEFORE", "WITHIN"},
}
_KIND_GROUP = {
    "boolean": "boolean",
    "integer": "number",
    "number": "number",
    "money": "number",
    "ref": "number",
    "string": "string",
    "enum": "string",
    "date": "date",
    "datetime": "date",
}


class _Tok:
    def __init__(self, text: str, quoted: bool) -> None:
        self.text = text
        self.quoted = quoted

    def is_punct(self, char: str) -> bool:
        return not self.quoted and self.text == char

    def word(self) -> str:
        return "" if self.quoted else self.text.upper()


def _tokenize(q: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    text = q.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise NsError.invalid_parameter(f"Invalid query syntax near '{text[pos:]}'.", query_param="q")
        pos = match.end()
        if match.group(1):
            out.append(_Tok(match.group(2).replace('\\"', '"'), True))
        else:
            out.append(_Tok(match.group(3) or match.group(4), False))
    return out


class _Parser:
    def __init__(self, rt: RecordType, q: str, pattern: str, zone: str) -> None:
        self.rt = rt
        self.tokens = _tokenize(q)
        self.pos = 0
        self.pattern = pattern
        self.zone_name = zone
        self.zone = ZoneInfo(zone)

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise NsError.invalid_parameter("Unexpected end of the query.", query_param="q")
        self.pos += 1
        return tok

    def parse(self) -> Predicate:
        pred = self.expr()
        extra = self.peek()
        if extra is not None:
            raise NsError.invalid_parameter(f"Unexpected token '{extra.text}' in the query.", query_param="q")
        return pred

    def expr(self) -> Predicate:
        parts = [self.term()]
        while (tok := self.peek()) is not None and tok.word() == "OR":
            self.take()
            parts.append(self.term())
        if len(parts) == 1:
            return parts[0]
        return lambda row: any(p(row) for p in parts)

    def term(self) -> Predicate:
        parts = [self.factor()]
        while (tok := self.peek()) is not None and tok.word() == "AND":
            self.take()
            parts.append(self.factor())
        if len(parts) == 1:
            return parts[0]
        return lambda row: all(p(row) for p in parts)

    def factor(self) -> Predicate:
        tok = self.peek()
        if tok is not None and tok.is_punct("("):
            self.take()
            inner = self.expr()
            if not self.take().is_punct(")"):
                raise NsError.invalid_parameter("Missing ')' in the query.", query_param="q")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        name_tok = self.take()
        f = self.rt.field(name_tok.text)
        if f is None or f.name not in self.rt.filterable():
            raise NsError.nonexistent_field(name_tok.text)
        op = self.take().word()
        negate = False
        base = op
        if op.endswith("_NOT") and op not in _UNARY:
            base, negate = op[: -len("_NOT")], True
        if op == "ENDWITH":
            base = "END_WITH"
        if op in _UNARY:
            is_empty = op == "EMPTY"
            return lambda row: (
                _value(row, f) in (None, "", []) if is_empty else _value(row, f) not in (None, "", [])
            )
        group = _KIND_GROUP[f.kind]
        if base not in _BASE_OPS or base not in _BY_KIND[group]:
            raise NsError.invalid_parameter(
                f"Operator '{op}' is not valid for field '{f.name}' ({f.kind}).", query_param="q"
            )
        values = self.values(base)
        pred = self.build(f, group, base, values)
        return (lambda row: not pred(row)) if negate else pred

    def values(self, op: str) -> list[str]:
        tok = self.take()
        if tok.is_punct("["):
            out = []
            while True:
                item = self.take()
                if item.is_punct("]"):
                    break
                if item.is_punct(","):
                    continue
                out.append(item.text)
            return out
        out = [tok.text]
        while (nxt := self.peek()) is not None and nxt.is_punct(","):
            self.take()
            out.append(self.take().text)
        if op in ("BETWEEN", "WITHIN") and len(out) == 1:
            nxt = self.peek()
            if nxt is not None and nxt.word() not in ("AND", "OR") and not nxt.is_punct(")"):
                out.append(self.take().text)
        return out

    def build(self, f: FieldDef, group: str, op: str, raw: list[str]) -> Predicate:
        if op in ("BETWEEN", "WITHIN") and len(raw) != 2:
            raise NsError.invalid_parameter(f"Operator '{op}' needs two values.", query_param="q")
        if group == "boolean":
            want = raw[0].strip().lower() in ("true", "t")
            return lambda row: bool(_value(row, f)) is want
        if group == "number":
            nums = [self._number(v) for v in raw]
            return _compare(f, op, nums, _as_number)
        if group == "string":
            wanted = [v.lower() for v in raw]
            return _string_pred(f, op, wanted)
        return self._date_pred(f, op, raw)

    @staticmethod
    def _number(text: str) -> Decimal:
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            raise NsError.invalid_parameter(
                f"Invalid number '{text}' in the query.", query_param="q"
            ) from None

    def _day(self, text: str) -> date:
        try:
            return dates.parse(text, self.pattern)
        except ValueError:
            raise NsError.invalid_parameter(
                dates.parse_failure(text, self.pattern, self.zone_name), query_param="q"
            ) from None

    def _date_pred(self, f: FieldDef, op: str, raw: list[str]) -> Predicate:
        days = [self._day(v) for v in raw]
        if f.kind == "date":
            start = days[0]
            get: Callable[[RecordRow], Any] = lambda row: _as_date(_value(row, f))  # noqa: E731
            lo, hi = start, start + timedelta(days=1)
            if op == "WITHIN":
                lo, hi = days[0], days[1] + timedelta(days=1)
        else:
            get = lambda row: _as_instant(_value(row, f))  # noqa: E731
            lo = self._midnight(days[0])
            hi = self._midnight(days[0] + timedelta(days=1))
            if op == "WITHIN":
                hi = self._midnight(days[1] + timedelta(days=1))
        checks: dict[str, Callable[[Any], bool]] = {
            "AFTER": lambda v: v >= hi if f.kind == "date" else v > lo,
            "BEFORE": lambda v: v < lo,
            "ON": lambda v: lo <= v < hi,
            "ON_OR_AFTER": lambda v: v >= lo,
            "ON_OR_BEFORE": lambda v: v < hi,
            "WITHIN": lambda v: lo <= v < hi,
        }
        check = checks[op]

        def pred(row: RecordRow) -> bool:
            value = get(row)
            return value is not None and check(value)

        return pred

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)


def _value(row: RecordRow, f: FieldDef) -> Any:
    if f.name == "id":
        return str(row.id)
    if f.name == "externalId":
        return row.externalid
    if f.name == "lastModifiedDate":
        return row.lastmodified
    if f.name in ("createdDate", "dateCreated"):
        return row.created
    return row.body.get(f.name)


def _as_number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _as_date(value: Any) -> date | None:
    return None if not value else date.fromisoformat(str(value)[:10])


def _as_instant(value: Any) -> datetime | None:
    return None if not value else codec.parse_utc_stamp(str(value))


def _compare(f: FieldDef, op: str, nums: list[Decimal], conv: Callable[[Any], Decimal | None]) -> Predicate:
    checks: dict[str, Callable[[Decimal], bool]] = {
        "ANY_OF": lambda v: v in nums,
        "EQUAL": lambda v: v == nums[0],
        "GREATER": lambda v: v > nums[0],
        "GREATER_OR_EQUAL": lambda v: v >= nums[0],
        "LESS": lambda v: v < nums[0],
        "LESS_OR_EQUAL": lambda v: v <= nums[0],
        "BETWEEN": lambda v: nums[0] <= v <= nums[1],
        "WITHIN": lambda v: nums[0] <= v <= nums[1],
    }
    check = checks[op]

    def pred(row: RecordRow) -> bool:
        value = conv(_value(row, f))
        return value is not None and check(value)

    return pred


def _string_pred(f: FieldDef, op: str, wanted: list[str]) -> Predicate:
    checks: dict[str, Callable[[str], bool]] = {
        "IS": lambda v: v == wanted[0],
        "ANY_OF": lambda v: v in wanted,
        "CONTAIN": lambda v: wanted[0] in v,
        "START_WITH": lambda v: v.startswith(wanted[0]),
        "END_WITH": lambda v: v.endswith(wanted[0]),
    }
    check = checks[op]

    def pred(row: RecordRow) -> bool:
        value = _value(row, f)
        return value is not None and check(str(value).lower())

    return pred


def compile_filter(rt: RecordType, q: str, *, date_format: str, timezone: str) -> Predicate:
    """Parse ``q`` for record type ``rt`` into a predicate over stored rows (NsError on bad input)."""
    if not q.strip():
        return lambda row: True
    return _Parser(rt, q, date_format, timezone).parse()
