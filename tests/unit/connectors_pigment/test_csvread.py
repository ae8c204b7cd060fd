"""Incremental export parsing and the truncation check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from ledgerbridge.connectors.pigment import TruncatedExportError, decode_decimals, parse_decimal
from ledgerbridge.connectors.pigment.csvread import parse_csv_stream
from ledgerbridge.errors import RecordRejected, Retriable


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def parse(data: bytes, size: int = 3) -> list[dict[str, str]]:
    return [row async for row in parse_csv_stream(chunks_of(data, size), delimiter=";", what="test")]


@pytest.mark.parametrize("size", [1, 2, 7, 1000])
async def test_rows_split_across_chunks_with_bom_and_quoted_newlines(size: int) -> None:
    data = '\ufeffMonth;Note;Amount\nJan 26;"two\nlines; ""q""";1.50\nFeb 26;é;-2\n'.encode()
    assert await parse(data, size) == [
        {"Month": "Jan 26", "Note": 'two\nlines; "q"', "Amount": "1.50"},
        {"Month": "Feb 26", "Note": "é", "Amount": "-2"},
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"A;B\n1;2\n3;4",  # no final newline: the last record was cut
        b'A;B\n1;"open\n',  # an open quote at the end
        b"A;B\n1;2\n3\n",  # a short record
        b"",  # nothing at all, not even the header
        b"A;B\n1;\xc3",  # cut inside a UTF-8 character
    ],
)
async def test_truncated_streams_are_retriable(data: bytes) -> None:
    with pytest.raises(TruncatedExportError) as caught:
        await parse(data)
    assert isinstance(caught.value, Retriable)


async def test_header_only_is_a_clean_empty_export() -> None:
    assert await parse(b"A;B\n") == []


def test_decimals_decode_exactly() -> None:
    assert parse_decimal("1234.5600") == Decimal("1234.5600")
    assert parse_decimal(" ") is None
    assert parse_decimal("1,5", decimal_separator=",") == Decimal("1.5")
    with pytest.raises(RecordRejected):
        parse_decimal("1,234.50")
    with pytest.raises(RecordRejected):
        parse_decimal("1.234,50", decimal_separator=",")
    row = decode_decimals({"Account": "4000", "Amount": "-0.01"}, ["Amount"])
    assert row == {"Account": "4000", "Amount": Decimal("-0.01")}
    with pytest.raises(RecordRejected, match="no column"):
        decode_decimals({"A": "1"}, ["Amount"])
