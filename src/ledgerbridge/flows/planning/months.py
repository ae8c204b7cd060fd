"""Pigment month item names and NetSuite accounting periods.

Pigment names month items ``Jan 26`` (``strftime("%b %y")`` in English; reference notes §1.5); the demo
application and most customer models follow it. A model that names months differently sets the flow
param ``month_format`` (a ``strftime`` pattern, English month names).
"""

from __future__ import annotations

from datetime import date

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_MONTH_FORMAT = "%b %y"


def month_label(start: date, month_format: str = DEFAULT_MONTH_FORMAT) -> str:
    """The Pigment month item for the month that starts on (or contains) ``start``.

    Formatted without the C locale's help (``%b`` would follow the process locale), so a German server
    still writes ``Mar 26``.
    """
    pattern = month_format.replace("%b", _MONTHS[start.month - 1])
    return start.replace(day=1).strftime(pattern)
