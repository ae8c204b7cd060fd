"""IANA time zones, validated against the tz database that ships with Python (or ``tzdata``)."""

from __future__ import annotations

import difflib
import zoneinfo
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator

from ledgerbridge.config.base import invalid


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(value: str) -> str:
    """``value`` if it names an IANA zone (``Europe/Paris``, ``UTC``), else an error with a suggestion."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, _known_zones(), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?" if close else "use an IANA name such as 'America/New_York' or 'UTC'"
        )
        raise invalid(f"unknown time zone '{value}'", hint) from None
    return value


#: an IANA time-zone name (kept as text; ``zoneinfo.ZoneInfo(name)`` gives the zone)
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
