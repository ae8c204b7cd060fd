"""Column types that keep the hub's rules at the database boundary.

``UTCDateTime``: code only ever sees timezone-aware UTC datetimes. PostgreSQL stores ``timestamptz``;
SQLite has no time zone type, so the value is stored as naive UTC text, whose lexical order is its time
order — which is what lets ``lease_until <= :now`` work on both.

``JSONText``: a JSON object stored as canonical text (Decimals as strings, see ``payloads``), identical on
both databases, instead of the dialects' JSON types whose encoders reject Decimals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

from ledgerbridge.hub.payloads import canonical_json, load_object


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; naive datetimes are refused on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the hub; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONText(TypeDecorator[dict[str, Any]]):
    """A JSON object kept as canonical text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else canonical_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else load_object(value)
