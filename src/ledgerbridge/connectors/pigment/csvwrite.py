"""CSV bodies for ``import/push/csv``: exactly the header and delimiter a configuration was saved with.

Pigment rejects a file whose headers or delimiter differ from the sample the configuration was made from
(notes §1.5), and it reports the problem only asynchronously, as a Failed import. So every row is checked
against the declared :class:`ImportLayout` here, before its bytes leave, and a missing or extra column is a
:class:`RecordRejected` naming the columns.

Values are written exactly: ``Decimal`` digit for digit (never an exponent, never a float), dates ISO,
booleans ``true``/``false``. A ``float`` is refused, because its decimal text is already a rounding.
The body is produced lazily in chunks so a million-row file never sits in memory as one string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from ledgerbridge.errors import RecordRejected

from .config import ImportLayout

#: rows encoded per yielded chunk (about a few hundred kB for typical GL rows)
ROWS_PER_CHUNK = 2000


class ColumnMismatchError(RecordRejected):
    """A row's keys differ from the configuration's header; ``missing``/``extra`` name the columns."""

    def __init__(self, row_number: int, missing: tuple[str, ...], extra: tuple[str, ...], name: str) -> None:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(repr(c) for c in missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(repr(c) for c in extra)}")
        super().__init__(
            f"row {row_number} does not match the header of import configuration {name}: " + "; ".join(parts),
            hint="the file must have exactly the columns the configuration was saved with",
        )
        self.row_number = row_number
        self.missing = missing
        self.extra = extra


class InvalidValueError(RecordRejected):
    """A cell value the connector refuses to write (a float, or a type with no exact CSV form)."""


def format_value(value: object, layout: ImportLayout, *, column: str, row_number: int) -> str:
    """The exact text of one cell."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, float):
        raise InvalidValueError(
            f"row {row_number}, column {column!r}: refusing the float {value!r}",
            hint="pass amounts as decimal.Decimal (money is never a float)",
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(f"row {row_number}, column {column!r}: {value} is not a number")
        text = format(value, "f")
        return text.replace(".", layout.decimal_separator) if layout.decimal_separator != "." else text
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise InvalidValueError(
        f"row {row_number}, column {column!r}: cannot write a {type(value).__name__} to CSV",
        hint="pass str, int, Decimal, bool, date or datetime values",
    )


def check_columns(row: Mapping[str, object], layout: ImportLayout, row_number: int, name: str) -> None:
    """Raise :class:`ColumnMismatchError` unless the row has exactly the layout's columns."""
    if len(row) == len(layout.columns) and all(column in row for column in layout.columns):
        return
    expected = set(layout.columns)
    missing = tuple(column for column in layout.columns if column not in row)
    extra = tuple(str(key) for key in row if key not in expected)
    raise ColumnMismatchError(row_number, missing, extra, name)


class CsvEncoder:
    """Turns rows into UTF-8 CSV lines of one layout (no BOM: Pigment accepts both, notes §2.3)."""

    def __init__(self, layout: ImportLayout, name: str) -> None:
        self.layout = layout
        self.name = name
        self._buffer = io.StringIO()
        # QUOTE_MINIMAL quotes only fields holding the delimiter, quote or a newline, as Pigment writes them
        self._writer = csv.writer(
            self._buffer, delimiter=layout.delimiter, quotechar=layout.quote, lineterminator="\n"
        )
        self.rows_written = 0

    def header(self) -> bytes:
        self._writer.writerow(self.layout.columns)
        return self._take()

    def add(self, row: Mapping[str, object]) -> None:
        number = self.rows_written + 1
        check_columns(row, self.layout, number, self.name)
        self._writer.writerow(
            [format_value(row[c], self.layout, column=c, row_number=number) for c in self.layout.columns]
        )
        self.rows_written = number

    def _take(self) -> bytes:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")

    def flush(self) -> bytes:
        return self._take()


def encode_rows(
    rows: Iterable[Mapping[str, object]],
    layout: ImportLayout,
    name: str,
    *,
    rows_per_chunk: int = ROWS_PER_CHUNK,
) -> Iterator[bytes]:
    """The CSV body as chunks: the header, then rows; raises on the first invalid row."""
    encoder = CsvEncoder(layout, name)
    yield encoder.header()
    for row in rows:
        encoder.add(row)
        if encoder.rows_written % rows_per_chunk == 0:
            yield encoder.flush()
    tail = encoder.flush()
    if tail:
        yield tail
