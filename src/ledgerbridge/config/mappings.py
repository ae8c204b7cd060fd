"""Mapping tables (source value → target value), written inline or kept in a CSV file beside the config.

Every cell is text. CSV files are read with the csv module (never a dataframe library that guesses types),
so ``0100`` stays ``0100`` and ``12.50`` is never a float. Inline YAML rows get the same guarantee by refusing
unquoted decimals, which YAML would otherwise read as binary floats.

``key_columns`` (optional) name the columns that identify a row; they must be present in every row and
unique across rows. The :attr:`MappingConfig.fingerprint` changes whenever the content does, so the hub can
record which version of a mapping produced a record.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from ledgerbridge.config.base import LoadContext, StrictModel, invalid, load_context
from ledgerbridge.config.problems import format_path

MappingKind = Literal[
    "accounts", "departments", "subsidiaries", "classes", "item_types", "gl_accounts", "custom"
]

#: where a row came from, for error messages: ``(at, location)`` as :func:`invalid` takes them
_RowPlace = Callable[[int], tuple[tuple[str | int, ...], str | None]]


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, float):
        raise invalid(
            f"{value!r} is written as a bare decimal number, which YAML reads as a binary float",
            f"quote it ('{value}') so the value stays exact",
        )
    return value


#: one mapping cell: always text
Cell = Annotated[str, BeforeValidator(_cell)]


def _read_csv(path: Path, shown: str) -> tuple[list[dict[str, str]], list[int]]:
    """Rows as text and the line each row starts on; errors name the CSV file and line."""
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise invalid(
                    "the CSV file is empty", "put the column names on the first line", location=f"{shown}:1"
                )
            columns = [name.strip() for name in header]
            if any(not name for name in columns) or len(set(columns)) != len(columns):
                raise invalid(
                    "the header has an empty or repeated column name",
                    "give every column a distinct name",
                    location=f"{shown}:1",
                )
            start = reader.line_num + 1
            for record in reader:
                if record and len(record) != len(columns):
                    raise invalid(
                        f"this row has {len(record)} fields but the header has {len(columns)}",
                        "fix the row (quote values that contain commas)",
                        location=f"{shown}:{start}",
                    )
                if record:
                    rows.append({name: cell.strip() for name, cell in zip(columns, record, strict=True)})
                    lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError:
        raise invalid("the CSV file is not UTF-8 text", "save it as CSV UTF-8", location=shown) from None
    except csv.Error as exc:
        raise invalid(f"the CSV file cannot be parsed: {exc}", "fix the CSV syntax", location=shown) from None
    return rows, lines


def _inline_place(index: int) -> tuple[tuple[str | int, ...], str | None]:
    return ("rows", index), None


def _load_file(file: str, ctx: LoadContext) -> tuple[list[dict[str, str]], _RowPlace]:
    path = ctx.resolve(file)
    if not path.is_file():
        raise invalid(
            f"mapping file '{file}' not found",
            f"create it or fix the path (relative to the workspace file's folder: {ctx.base_dir})",
            at=("file",),
        )
    rows, lines = _read_csv(path, file)
    return rows, lambda index: ((), f"{file}:{lines[index]}")


def _check_keys(rows: Sequence[Any], key_columns: Sequence[str], place: _RowPlace) -> None:
    """Key columns present in every row, and no two rows with the same key."""
    seen: dict[tuple[str, ...], int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            return  # shape errors are reported by field validation
        missing = [column for column in key_columns if column not in row]
        at, location = place(index)
        if missing:
            raise invalid(
                f"row has no key column '{missing[0]}'",
                "add the column to every row, or change key_columns",
                at=at,
                location=location,
            )
        key = tuple(str(row[column]) for column in key_columns)
        if key in seen:
            first_at, first_location = place(seen[key])
            first = f"line {first_location.rpartition(':')[2]}" if first_location else format_path(first_at)
            raise invalid(
                f"duplicate key {', '.join(key)} (first seen at {first})",
                "each key may appear once; remove or merge the duplicate rows",
                at=at,
                location=location,
            )
        seen[key] = index


class MappingConfig(StrictModel):
    """A named mapping table. After loading, ``rows`` holds the rows whether they were inline or in a CSV."""

    kind: MappingKind
    key_columns: list[str] | None = Field(default=None, min_length=1)
    rows: list[dict[str, Cell]] = Field(default_factory=list)
    file: Path | None = Field(default=None, description="CSV file, relative to the workspace file")

    @model_validator(mode="before")
    @classmethod
    def _load_rows(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, Mapping):
            return data
        has_rows, file = "rows" in data, data.get("file")
        if has_rows and file is not None:
            raise invalid("a mapping has either rows: or file:, not both", "keep one of them")
        if not has_rows and file is None:
            raise invalid(
                "a mapping needs rows: or file:", "list the rows inline, or give file: path/to/mapping.csv"
            )
        rows: Any
        place: _RowPlace
        if isinstance(file, str):
            ctx = load_context(info)
            rows, place = _load_file(file, ctx)
            data = {**data, "rows": rows, "file": ctx.resolve(file)}
        else:
            rows, place = data.get("rows"), _inline_place

        keys = data.get("key_columns")
        if isinstance(rows, list) and isinstance(keys, list) and all(isinstance(key, str) for key in keys):
            _check_keys(rows, keys, place)
        return data

    @property
    def fingerprint(self) -> str:
        """A short content hash: same rows and keys ⇒ same fingerprint (the mapping version in the hub)."""
        canonical = json.dumps(
            {"kind": self.kind, "key_columns": self.key_columns, "rows": self.rows},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
