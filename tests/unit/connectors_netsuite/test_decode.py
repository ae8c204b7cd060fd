"""Typed decoding of SuiteQL rows and exact JSON on the wire."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ledgerbridge.connectors.netsuite import decode_row
from ledgerbridge.connectors.netsuite.decode import java_to_strptime, parse_date, parse_datetime
from ledgerbridge.connectors.netsuite.wire import canonical, payload_hash
from ledgerbridge.errors import RecordRejected
from ledgerbridge.money import json_dumps as dumps
from ledgerbridge.money import json_loads as loads

TYPES = {
    "id": int,
    "amount": Decimal,
    "posting": bool,
    "trandate": date,
    "lastmodifieddate": datetime,
    "memo": str,
    "missing": Decimal,
}


def test_decode_row_types_and_nulls() -> None:
    row = {
        "links": [],
        "id": "1042",
        "amount": "-1250.10",
        "posting": "T",
        "trandate": "3/5/2026",
        "lastmodifieddate": "3/5/2026 1:07 pm",
        "memo": "March",
        "extra": "kept",
    }
    decoded = decode_row(row, TYPES)
    assert decoded == {
        "id": 1042,
        "amount": Decimal("-1250.10"),
        "posting": True,
        "trandate": date(2026, 3, 5),
        "lastmodifieddate": datetime(2026, 3, 5, 13, 7),
        "memo": "March",
        "extra": "kept",
        "missing": None,
    }
    assert "links" not in decoded
    assert isinstance(decoded["amount"], Decimal)


def test_decode_row_false_and_timezone() -> None:
    decoded = decode_row(
        {"posting": "F", "lastmodifieddate": "2026-03-05 23:59:59"},
        {"posting": bool, "lastmodifieddate": datetime},
        timezone="America/Los_Angeles",
    )
    assert decoded["posting"] is False
    assert decoded["lastmodifieddate"] == datetime(
        2026, 3, 5, 23, 59, 59, tzinfo=ZoneInfo("America/Los_Angeles")
    )


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("M/d/yyyy", "12/31/2025", date(2025, 12, 31)),
        ("d/M/yyyy", "31/12/2025", date(2025, 12, 31)),
        ("dd.MM.yyyy", "01.02.2026", date(2026, 2, 1)),
        ("yyyy-MM-dd", "2026-02-01", date(2026, 2, 1)),
        ("d-MMM-yyyy", "1-Feb-2026", date(2026, 2, 1)),
        ("M/d/yyyy", "2026-02-01", date(2026, 2, 1)),  # TO_CHAR'd ISO dates always work
    ],
)
def test_account_date_formats(pattern: str, text: str, expected: date) -> None:
    assert parse_date(text, pattern) == expected


def test_datetimes_in_several_shapes() -> None:
    assert parse_datetime("3/5/2026 9:05 am") == datetime(2026, 3, 5, 9, 5)
    assert parse_datetime("3/5/2026 9:05:30 pm") == datetime(2026, 3, 5, 21, 5, 30)
    assert parse_datetime("3/5/2026") == datetime(2026, 3, 5)
    assert parse_datetime("05.03.2026 21:05", "dd.MM.yyyy", "HH:mm") == datetime(2026, 3, 5, 21, 5)
    assert parse_datetime("2026-03-05T21:05:00Z").tzinfo is not None


def test_java_pattern_translation() -> None:
    assert java_to_strptime("M/d/yyyy h:mm a") == "%m/%d/%Y %I:%M %p"
    assert java_to_strptime("yyyy-MM-dd'T'HH:mm") == "%Y-%m-%dT%H:%M"
    with pytest.raises(ValueError):
        java_to_strptime("yyyy-MM-dd SSS")


@pytest.mark.parametrize(
    ("row", "types"),
    [
        ({"id": "7", "posting": "Y"}, {"posting": bool}),
        ({"id": "7", "amount": "12,x"}, {"amount": Decimal}),
        ({"id": "7", "trandate": "31/12/2025"}, {"trandate": date}),
        ({"id": "x"}, {"id": int}),
    ],
)
def test_bad_values_name_the_column(row: dict[str, str], types: dict[str, type]) -> None:
    with pytest.raises(RecordRejected) as caught:
        decode_row(row, types)  # type: ignore[arg-type]
    column = next(iter(types))
    assert repr(column) in caught.value.message


def test_wire_sends_decimals_exactly_and_refuses_floats() -> None:
    body = {"amount": Decimal("0.10"), "qty": 3, "big": Decimal("1E+2"), "on": date(2026, 1, 2), "x": None}
    assert dumps(body) == b'{"amount":0.10,"qty":3,"big":100,"on":"2026-01-02","x":null}'
    with pytest.raises(TypeError, match="floats"):
        dumps({"amount": 0.1})
    decoded = loads(b'{"amount": 1234567.891, "n": 3}')
    assert decoded == {"amount": Decimal("1234567.891"), "n": 3}
    assert isinstance(decoded["amount"], Decimal)


def test_canonical_hash_ignores_key_order_but_not_values() -> None:
    a = {"b": 1, "a": {"y": Decimal("1.5"), "x": [1, 2]}}
    b = {"a": {"x": [1, 2], "y": Decimal("1.5")}, "b": 1}
    assert canonical(a) == canonical(b)
    assert payload_hash(a) == payload_hash(b)
    assert payload_hash(a) != payload_hash({**a, "b": 2})
