"""Incremental parsing of an exported CSV stream, with the truncation check Pigment's exports need.

Pigment streams exports synchronously; under HTTP/1.x a failure mid-stream shows up only as a silently
truncated body (notes §2.4). So a stream is accepted only if it ends cleanly: every byte ``Content-Length``
announced arrived, the body ends with a newline, the last record's quotes are closed, and every record has
as many fields as the header. Anything else is :class:`TruncatedExportError` (retriable: export again).

Records may contain quoted newlines, so lines are grouped into records by quote parity before the
standard ``csv`` module parses each record.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator, Iterable, Mapping
from decimal import Decimal, InvalidOperation

from ledgerbridge.errors import RecordRejected

from .errors import TruncatedExportError


class CsvRecordSplitter:
    """Feeds decoded text in, gets complete CSV records (with their line ends) out."""

    def __init__(self, quote: str = '"') -> None:
        self._quote = quote
        self._pending = ""  # text after the last newline
        self._record: list[str] = []  # lines of a record whose quotes are still open
        self._open = False

    def feed(self, text: str) -> list[str]:
        records: list[str] = []
        data = self._pending + text
        *lines, self._pending = data.split("\n")
        for line in lines:
            self._record.append(line)
            if line.count(self._quote) % 2:
                self._open = not self._open
            if not self._open:
                records.append("\n".join(self._record) + "\n")
                self._record = []
        return records

    @property
    def clean_end(self) -> bool:
        """True when the text so far ends exactly at the end of a record."""
        return not self._pending and not self._record and not self._open


def _parse_record(record: str, delimiter: str) -> list[str]:
    return next(csv.reader([record], delimiter=delimiter, strict=True))


async def parse_csv_stream(
    chunks: AsyncIterator[bytes],
    *,
    delimiter: str,
    what: str,
    header_out: list[str] | None = None,
) -> AsyncIterator[dict[str, str]]:
    """Rows of a UTF-8 CSV byte stream (a BOM is dropped) as dicts keyed by the header.

    Raises :class:`TruncatedExportError` when the stream does not end cleanly. ``header_out`` (if given)
    receives the header as soon as it is read.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    splitter = CsvRecordSplitter()
    header: list[str] | None = None
    count = 0

    def rows_of(records: Iterable[str]) -> list[dict[str, str]]:
        nonlocal header, count
        out = []
        for record in records:
            try:
                fields = _parse_record(record, delimiter)
            except csv.Error as exc:
                raise TruncatedExportError(f"{what}: malformed CSV record {count + 1}: {exc}") from None
            if header is None:
                header = fields
                if header_out is not None:
                    header_out.extend(fields)
                continue
            count += 1
            if len(fields) != len(header):
                raise TruncatedExportError(
                    f"{what}: record {count} has {len(fields)} fields, the header has {len(header)}"
                )
            out.append(dict(zip(header, fields, strict=True)))
        return out

    async for chunk in chunks:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            raise TruncatedExportError(f"{what}: the stream is not valid UTF-8") from None
        for row in rows_of(splitter.feed(text)):
            yield row
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise TruncatedExportError(f"{what}: the stream ends inside a UTF-8 character") from None
    for row in rows_of(splitter.feed(tail)):
        yield row
    if header is None:
        raise TruncatedExportError(f"{what}: the stream ended before the CSV header")
    if not splitter.clean_end:
        raise TruncatedExportError(
            f"{what}: the stream ended in the middle of a record after {count} complete row(s)"
        )


def parse_decimal(text: str, *, decimal_separator: str = ".") -> Decimal | None:
    """An exported number as an exact Decimal; blank is None. Thousands separators are refused."""
    value = text.strip()
    if not value:
        return None
    if decimal_separator != ".":
        if "." in value:
            raise RecordRejected(f"{text!r} is not a number with the decimal separator {decimal_separator!r}")
        value = value.replace(decimal_separator, ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RecordRejected(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise RecordRejected(f"{text!r} is not a finite number")
    return number


def decode_decimals(
    row: Mapping[str, str], columns: Iterable[str], *, decimal_separator: str = "."
) -> dict[str, object]:
    """``row`` with the named columns decoded to Decimal (blank → None); other columns stay text."""
    decoded: dict[str, object] = dict(row)
    for column in columns:
        if column not in row:
            raise RecordRejected(f"the export has no column {column!r} (columns: {', '.join(row)})")
        decoded[column] = parse_decimal(row[column], decimal_separator=decimal_separator)
    return decoded
