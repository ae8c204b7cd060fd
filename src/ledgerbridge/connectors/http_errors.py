"""HTTP failure rules every connector shares: reading ``Retry-After`` and classifying a request that got no
(complete) response. Each connector keeps its own vendor error shapes in its ``errors.py``; these are the
parts that are the same for every vendor. The engine's limiter reads ``Retry-After`` with the same function.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ledgerbridge.errors import Retriable
from ledgerbridge.log import redact


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait per ``Retry-After``: delta-seconds or an HTTP date (RFC 9110 §10.2.3).

    None when absent or unreadable; a negative, NaN or infinite value is the server's bug and counts as "no
    advice" rather than "wait forever".
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def transport_error(system: str, exc: httpx.HTTPError, request: httpx.Request | None = None) -> Retriable:
    """A request that got no (complete) response: a timeout, a refused or dropped connection.

    Retriable by nature. A dropped response may follow a committed write, which is why every write is keyed
    by an external id and recovery looks the record up before re-sending. Only the method and path are
    named (the query may carry filters); httpx's text names the failure and never contains headers.
    """
    where = f"{system} {request.method} {request.url.path}" if request is not None else system
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
    reason = redact(str(exc)) or type(exc).__name__
    return Retriable(f"{where}: {kind}: {reason}", vendor_code=type(exc).__name__)
