"""The account's date-format preference (a Java-style pattern such as ``M/d/yyyy`` or ``dd.MM.yyyy``).

NetSuite shows SuiteQL dates and reads ``q`` date literals in this format; anything else is refused with
``Parse of date/time "<value>" failed with date format "<pattern>" in time zone <tz>``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_TOKEN = re.compile(r"y+|M+|d+|[^yMd]+")


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    parts: list[str] = []
    fields: list[str] = []
    for token in _TOKEN.findall(pattern):
        letter = token[0]
        if letter == "y":
            parts.append(r"(\d{4})" if len(token) >= 3 else r"(\d{2})")
            fields.append("y4" if len(token) >= 3 else "y2")
        elif letter == "M":
            parts.append(r"(\d{1,2})")
            fields.append("M")
        elif letter == "d":
            parts.append(r"(\d{1,2})")
            fields.append("d")
        else:
            parts.append(re.escape(token))
    return re.compile("^" + "".join(parts) + "$"), tuple(fields)


def parse(text: str, pattern: str) -> date:
    """A bare date in the account format; ValueError when it does not match."""
    regex, fields = _compiled(pattern)
    match = regex.match(text.strip())
    if not match:
        raise ValueError(text)
    year = month = day = 0
    for name, value in zip(fields, match.groups(), strict=True):
        if name == "y4":
            year = int(value)
        elif name == "y2":
            year = 2000 + int(value)
        elif name == "M":
            month = int(value)
        else:
            day = int(value)
    return date(year, month, day)


def format_date(day: date, pattern: str) -> str:
    """Render a date in the account format (``M/d/yyyy`` → ``3/5/2026``)."""
    out = []
    for token in _TOKEN.findall(pattern):
        letter = token[0]
        if letter == "y":
            out.append(f"{day.year:04d}" if len(token) >= 3 else f"{day.year % 100:02d}")
        elif letter == "M":
            out.append(f"{day.month:02d}" if len(token) == 2 else str(day.month))
        elif letter == "d":
            out.append(f"{day.day:02d}" if len(token) == 2 else str(day.day))
        else:
            out.append(token)
    return "".join(out)


def parse_failure(text: str, pattern: str, zone: str) -> str:
    return f'Parse of date/time "{text}" failed with date format "{pattern}" in time zone {zone}'
