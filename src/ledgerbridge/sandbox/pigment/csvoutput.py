"""Writing export CSVs: delimiter, decimal separator, date format, encoding (notes §2.4).

Numbers are written from the ``Decimal`` digit for digit (``format(value, "f")``: no exponent, no float),
with ``,`` as decimal separator when asked — the CSV writer then quotes the field if the delimiter is
also a comma. Dates: ``Iso8601`` → ``2024-10-25``; ``Legacy`` → ``10/25/2024`` in list exports and
``10/25/2024 00:00:00 +00:00`` in metric and table exports. Booleans are ``true``/``false``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from starlette.responses import Response

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv"


@dataclass(frozen=True, slots=True)
class CsvOptions:
    delimiter: str = ";"
    decimal_separator: str = "."
    date_format: Literal["Legacy", "Iso8601"] = "Iso8601"
    with_bom: bool = True
    friendly_headers: bool = False

    @classmethod
    def from_request(
        cls,
        *,
        field_delimiter: str | None,
        decimal_separator: str | None,
        date_format: Literal["Legacy", "Iso8601"] | None,
        default_date_format: Literal["Legacy", "Iso8601"],
        encoding: str | None,
        default_encoding: str,
        friendly_headers: bool | None,
    ) -> CsvOptions:
        return cls(
            delimiter="," if field_delimiter == "Comma" else ";",
            decimal_separator="," if decimal_separator == "Comma" else ".",
            date_format=date_format or default_date_format,
            with_bom=(encoding or default_encoding) == "Utf8WithBom",
            friendly_headers=bool(friendly_headers),
        )


Cell = str | Decimal | date | bool | None


def format_cell(value: Cell, options: CsvOptions, *, list_dates: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if options.decimal_separator == "," else text
    if isinstance(value, date):
        if options.date_format == "Iso8601":
            return value.isoformat()
        us = value.strftime("%m/%d/%Y")
        return us if list_dates else f"{us} 00:00:00 +00:00"
    return value


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], options: CsvOptions, *, list_dates: bool
) -> bytes:
    buffer = io.StringIO()
    if options.with_bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=options.delimiter, quotechar='"', lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([format_cell(value, options, list_dates=list_dates) for value in row])
    return buffer.getvalue().encode("utf-8")


def csv_response(body: bytes) -> Response:
    # Starlette adds "; charset=utf-8" to text/* media types.
    return Response(content=body, media_type=CSV_MEDIA_TYPE)
