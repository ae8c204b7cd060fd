"""Cursors: where an incremental read stopped, as a full datetime plus a tie-breaker (DESIGN §4.2).

A cursor is ``(moment, tie)`` ordered by moment then tie. The moment is always a timezone-aware datetime
(never a date: a date-only cursor re-reads or skips everything that changed the same day); the tie is the
source's record id, which orders records that share a timestamp. Ties compare as strings, so a source
whose ids are numbers should zero-pad them — or rely on the lookback overlap, which re-reads from before
the moment and makes the tie irrelevant to *where* the next read starts.

The encoded form keeps the source's UTC offset (``2026-03-01T09:15:00.000000-08:00|INV-000123``),
because incremental queries are written in the source account's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import total_ordering

SEPARATOR = "|"


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class Cursor:
    """A position in a stream ordered by (moment, tie)."""

    moment: datetime
    tie: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.moment, datetime):
            kind = "a date" if isinstance(self.moment, date) else type(self.moment).__name__
            raise TypeError(f"a cursor needs a full datetime, not {kind}")
        if self.moment.tzinfo is None or self.moment.utcoffset() is None:
            raise ValueError("a cursor needs a timezone-aware datetime (interpret naive ones with as_aware)")
        if not isinstance(self.tie, str):
            raise TypeError("the cursor tie-breaker is a string (the source record id)")

    @property
    def _key(self) -> tuple[datetime, str]:
        # compare instants in UTC: Python never calls an ambiguous local time (the repeated hour at a DST
        # change) equal to anything in another zone, which would break the total order
        return (self.moment.astimezone(UTC), self.tie)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cursor):
            return NotImplemented
        return self._key == other._key

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Cursor):
            return NotImplemented
        return self._key < other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def encode(self) -> str:
        """The string stored in the hub's checkpoint table."""
        return f"{self.moment.isoformat(timespec='microseconds')}{SEPARATOR}{self.tie}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse ``encode``'s output; refuses date-only and naive values."""
        moment_text, separator, tie = text.partition(SEPARATOR)
        if not separator:
            raise ValueError(f"not a cursor (expected '<datetime>{SEPARATOR}<tie>'): {text!r}")
        if "T" not in moment_text:
            raise ValueError(f"a cursor needs a full datetime, not {moment_text!r}")
        return cls(datetime.fromisoformat(moment_text), tie)

    def minus(self, lookback: timedelta) -> Cursor:
        """The cursor ``lookback`` earlier, before every tie at that moment (the start of an overlap)."""
        if lookback < timedelta(0):
            raise ValueError("a lookback cannot be negative")
        return Cursor(self.moment - lookback, "")
