"""How the CLI prints: rich tables for people, ``--json`` for scripts, and the exit codes of DESIGN §5.

Every read command takes ``--json``; its output is one JSON document on stdout and nothing else, so it can be
piped. Values that JSON has no type for (datetimes, Decimals) are written as strings — never as floats.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.log import redact

EXIT_OK = 0
EXIT_RECORDS_FAILED = 1
EXIT_FATAL = 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, datetimes and Decimals into plain JSON types (Decimal as an exact string)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    return value


def print_json(value: Any) -> None:
    """One JSON document on stdout, secrets redacted."""
    typer.echo(redact(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Enum):
        return str(value.value)
    return redact(str(value))


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    out.print(table)


def fail(message: str, *, hint: str | None = None, code: int = EXIT_FATAL) -> NoReturn:
    """Print a one-line error (no traceback, ever) and exit with ``code``."""
    text = f"error: {redact(message)}"
    if hint:
        text = f"{text}\n  hint: {redact(hint)}"
    err.print(text, markup=False)
    raise typer.Exit(code)


def fail_with(exc: LedgerbridgeError) -> NoReturn:
    """Exit for one of our own errors: Fatal and config problems are exit 2."""
    fail(exc.message if not exc.vendor_code else f"{exc.message} [{exc.vendor_code}]", hint=exc.hint)
