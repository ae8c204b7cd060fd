"""Exact CSV bodies: header, delimiter, quoting, Decimal text, float refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.connectors.pigment import ColumnMismatchError, ImportLayout, InvalidValueError
from ledgerbridge.connectors.pigment.csvwrite import encode_rows


def body(rows: list[dict[str, object]], layout: ImportLayout, per_chunk: int = 2000) -> str:
    return b"".join(encode_rows(rows, layout, "test", rows_per_chunk=per_chunk)).decode("utf-8")


def test_header_and_delimiter_are_exactly_the_layouts() -> None:
    layout = ImportLayout(columns=("Month", "Amount", "Note"), delimiter=";")
    rows: list[dict[str, object]] = [
        {"Note": "a;b", "Amount": Decimal("1E+3"), "Month": "Jan 26"},
        {"Month": "Feb 26", "Amount": Decimal("-0.10"), "Note": 'say "hi"'},
    ]
    assert body(rows, layout) == 'Month;Amount;Note\nJan 26;1000;"a;b"\nFeb 26;-0.10;"say ""hi"""\n'


def test_comma_layout_with_comma_decimals_and_other_types() -> None:
    layout = ImportLayout(columns=("D", "V", "B", "N"), delimiter="|", decimal_separator=",")
    rows: list[dict[str, object]] = [{"D": date(2026, 1, 31), "V": Decimal("12.50"), "B": True, "N": None}]
    assert body(rows, layout) == "D|V|B|N\n2026-01-31|12,50|true|\n"


def test_floats_and_unknown_types_are_refused() -> None:
    layout = ImportLayout(columns=("Amount",))
    with pytest.raises(InvalidValueError, match="float"):
        body([{"Amount": 0.1}], layout)
    with pytest.raises(InvalidValueError, match="list"):
        body([{"Amount": [1]}], layout)
    with pytest.raises(InvalidValueError):
        body([{"Amount": Decimal("NaN")}], layout)


def test_missing_and_extra_columns_are_named() -> None:
    layout = ImportLayout(columns=("A", "B", "C"))
    with pytest.raises(ColumnMismatchError) as caught:
        body([{"A": 1, "B": 2, "C": 3}, {"A": 1, "X": 2, "Y": 3}], layout)
    assert caught.value.row_number == 2
    assert caught.value.missing == ("B", "C")
    assert caught.value.extra == ("X", "Y")
    assert "'B'" in str(caught.value) and "'X'" in str(caught.value)


def test_rows_are_streamed_in_chunks() -> None:
    layout = ImportLayout(columns=("N",))
    chunks = list(encode_rows(({"N": i} for i in range(5)), layout, "t", rows_per_chunk=2))
    assert chunks == [b"N\n", b"0\n1\n", b"2\n3\n", b"4\n"]


def test_layout_validation() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        ImportLayout(columns=("A", "A"))
    with pytest.raises(ValueError, match="decimal separator"):
        ImportLayout(columns=("A",), delimiter=",", decimal_separator=",")
