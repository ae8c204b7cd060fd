"""Reading a pushed CSV the way its import configuration says: encoding, delimiter, quote, header.

Every pushed file "must have the same headers and delimiter" as the sample the configuration was saved
from (notes §1.5). A header that does not match fails the whole import (``Failed`` with an
``errorsDetails`` entry naming the missing and unexpected columns); nothing is loaded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .model import ImportConfiguration

_DELIMITER_NAMES = {";": "semicolon (;)", ",": "comma (,)", "\t": "tab", "|": "pipe (|)"}


class ImportFailure(Exception):
    """A problem with the whole file: the import ends ``Failed`` with this ``{name, description}``."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(f"{name}: {description}")
        self.name = name
        self.description = description


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    fields: list[str]


@dataclass(frozen=True, slots=True)
class CsvTable:
    header: list[str]
    rows: list[CsvRow]
    delimiter: str

    def index(self, header: str) -> int:
        return self.header.index(header)


def decode(body: bytes) -> str:
    """UTF-8, with or without a byte-order mark."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailure(
            "InvalidEncoding", f"The file is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and retry."
        ) from None


def read_csv(body: bytes, config: ImportConfiguration) -> CsvTable:
    """Parse ``body`` with the configuration's format and check its header (ImportFailure otherwise)."""
    text = decode(body)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=config.delimiter, quotechar=config.quote)
    records: list[CsvRow] = []
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue  # blank lines carry nothing
            records.append(CsvRow(line=reader.line_num, fields=fields))
    except csv.Error as exc:
        raise ImportFailure(
            "InvalidCsv", f"The file is not valid CSV at line {reader.line_num}: {exc}."
        ) from None
    if not records:
        raise ImportFailure("EmptyFile", "The file has no header row.")
    header = [name.strip() for name in records[0].fields]
    check_header(header, config)
    return CsvTable(header=header, rows=records[1:], delimiter=config.delimiter)


def check_header(header: list[str], config: ImportConfiguration) -> None:
    expected = list(config.expected_header)
    duplicates = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    if not (missing or unexpected or duplicates):
        return
    problems = []
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected columns: {', '.join(unexpected)}")
    if duplicates:
        problems.append(f"repeated columns: {', '.join(duplicates)}")
    delimiter = _DELIMITER_NAMES.get(config.delimiter, repr(config.delimiter))
    hint = ""
    if len(header) == 1 and len(expected) > 1:
        others = [
            name for sep, name in _DELIMITER_NAMES.items() if sep != config.delimiter and sep in header[0]
        ]
        if others:
            hint = (
                f" The file seems to be separated by {others[0]}, but the configuration expects {delimiter}."
            )
    raise ImportFailure(
        "HeaderMismatch",
        f"The file's header does not match the import configuration {config.name!r} "
        f"({'; '.join(problems)}). Expected the columns {config.delimiter.join(expected)} "
        f"separated by {delimiter}.{hint}",
    )
