"""The q-filter parser and the account date format, in isolation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.sandbox.netsuite import dates
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.qfilter import compile_filter
from ledgerbridge.sandbox.netsuite.recordtypes import RECORD_TYPES
from ledgerbridge.sandbox.netsuite.repo import RecordRow

INVOICE = RECORD_TYPES["invoice"]


def _row(**body: object) -> RecordRow:
    return RecordRow("invoice", "transaction", 7, "EXT-7", "Invoice #7", dict(body), False,
                     "2026-03-15T17:00:00Z", "2026-03-15T17:00:00Z")  # fmt: skip


def _match(q: str, row: RecordRow) -> bool:
    return compile_filter(INVOICE, q, date_format="M/d/yyyy", timezone="America/Los_Angeles")(row)


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("3/5/2026", "M/d/yyyy", date(2026, 3, 5)),
        ("03/05/2026", "M/d/yyyy", date(2026, 3, 5)),
        ("05.03.26", "dd.MM.yy", date(2026, 3, 5)),
        ("2026-03-05", "yyyy-MM-dd", date(2026, 3, 5)),
    ],
)
def test_date_format_parse(text: str, pattern: str, expected: date) -> None:
    assert dates.parse(text, pattern) == expected


def test_date_format_render_and_refuse() -> None:
    assert dates.format_date(date(2026, 3, 5), "M/d/yyyy") == "3/5/2026"
    assert dates.format_date(date(2026, 3, 5), "dd.MM.yyyy") == "05.03.2026"
    with pytest.raises(ValueError):
        dates.parse("2026-03-05", "M/d/yyyy")


def test_numbers_ranges_and_lists() -> None:
    row = _row(total=Decimal("150.00"), entity="12", tranDate="2026-03-01")
    assert _match("total BETWEEN 100 200", row)
    assert _match("total BETWEEN [100, 200]", row)
    assert not _match("total GREATER 150", row)
    assert _match("total GREATER_OR_EQUAL 150", row)
    assert _match("entity ANY_OF 3, 12", row)
    assert _match("entity EQUAL_NOT 3", row)
    assert _match('tranDate ON_OR_AFTER "3/1/2026" AND tranDate BEFORE "3/2/2026"', row)
    assert not _match('tranDate AFTER "3/1/2026"', row)  # a date field: after the whole day


def test_datetime_boundaries_are_account_local_midnight() -> None:
    row = _row()  # lastModifiedDate 2026-03-15T17:00:00Z = 10:00 on 3/15 in Los Angeles
    assert _match('lastModifiedDate ON "3/15/2026"', row)
    assert _match('lastModifiedDate AFTER "3/15/2026"', row)  # after local midnight that starts the day
    assert not _match('lastModifiedDate AFTER "3/16/2026"', row)
    assert _match('lastModifiedDate WITHIN "3/1/2026" "3/31/2026"', row)


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("total CONTAIN 5", "INVALID_PARAMETER"),  # operator not valid for a number
        ("(total EQUAL 5", "INVALID_PARAMETER"),
        ("total EQUAL abc", "INVALID_PARAMETER"),
        ("total EQUAL 5 extra", "INVALID_PARAMETER"),
        ("item EQUAL 5", "NONEXISTENT_FIELD"),  # sublists are not filterable
        ('tranDate ON "2026-03-15"', "INVALID_PARAMETER"),
    ],
)
def test_bad_queries(q: str, code: str) -> None:
    with pytest.raises(NsError) as err:
        _match(q, _row(total=Decimal(5)))
    assert err.value.code == code
    assert err.value.status == 400
