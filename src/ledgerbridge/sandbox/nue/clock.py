"""The tenant's clock: write stamps that never go backwards, and "today" in the tenant's zone.

Incremental readers filter on ``lastModifiedDate``; if two writes could share a stamp, or a later write got an
earlier stamp, a reader resuming from a cursor could skip one. So every write takes :meth:`TenantClock.stamp`,
which is at least 1 ms after the previous one (unless ``unique`` is off, to rehearse vendors whose writes
share timestamps). The clock can be frozen at a moment (seeding history, tests about dates); stamps still
advance.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_TICK = timedelta(milliseconds=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_timestamp(moment: datetime) -> str:
    """Nue's timestamp form: UTC with milliseconds and ``Z`` (``2025-07-01T12:34:56.789Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    """An ISO timestamp (``Z`` or an offset; a date alone means midnight UTC) as an aware datetime."""
    value = text.strip()
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class TenantClock:
    """Monotonic write stamps (ms resolution) and the tenant's business date."""

    def __init__(self, zone: str, *, unique: bool = True, source: Callable[[], datetime] = utc_now) -> None:
        self._zone = ZoneInfo(zone)
        self._unique = unique
        self._source = source
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._last: datetime | None = None

    def freeze(self, moment: datetime | None) -> None:
        """Stop the clock at ``moment`` (aware), or let it run again with ``None``."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("freeze the clock at a timezone-aware moment")
        with self._lock:
            self._frozen = moment.astimezone(UTC) if moment is not None else None

    @property
    def frozen(self) -> datetime | None:
        return self._frozen

    def now(self) -> datetime:
        """The current moment (the frozen one if frozen), UTC, without taking a stamp."""
        moment = self._frozen if self._frozen is not None else self._source().astimezone(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def today(self) -> date:
        """The business date in the tenant's zone."""
        return self.now().astimezone(self._zone).date()

    def stamp(self) -> datetime:
        """A write stamp: now, but never before the previous stamp (and 1 ms after it when unique)."""
        with self._lock:
            candidate = self.now()
            if self._last is not None:
                floor = self._last + _TICK if self._unique else self._last
                candidate = max(candidate, floor)
            self._last = candidate
            return candidate

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._last = None
