"""The flow's settings, read from ``ctx.params`` (the workspace's ``flows[].params``, source, target,
batch).

Every setting has a default that suits a NetSuite account of ordinary size; a wrong value stops the run
with a message naming the parameter, before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ledgerbridge.errors import ConfigError

#: the trigger the docs recommend (the trigger itself lives in the workspace file, not here)
DEFAULT_INTERVAL = "5m"


def _number(params: Mapping[str, Any], name: str, default: float, *, minimum: float) -> float:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"erp-payments-to-billing: params.{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"erp-payments-to-billing: params.{name} must be a number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"erp-payments-to-billing: params.{name} must be at least {minimum}, got {value!r}")
    return number


def _start_from(params: Mapping[str, Any]) -> datetime | None:
    raw = params.get("start_from")
    if raw is None:
        return None
    try:
        moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    except ValueError:
        raise ConfigError(
            f"erp-payments-to-billing: params.start_from must be an ISO datetime, got {raw!r}",
            hint="e.g. start_from: '2026-11-01T00:00:00-08:00'",
        ) from None
    if moment.tzinfo is None:
        raise ConfigError(
            "erp-payments-to-billing: params.start_from needs a UTC offset (e.g. -08:00)",
            hint="a naive datetime is ambiguous across the account and workspace time zones",
        )
    return moment


@dataclass(frozen=True, slots=True)
class PaymentsParams:
    """Resolved settings of one run."""

    source: str
    target: str
    #: how far before the saved cursor each read starts (catches late-committed NetSuite changes)
    lookback: timedelta
    #: application lines per Nue request (and per hub claim)
    batch_size: int
    #: how long a claimed line may stay in flight before recovery looks it up in Nue
    lease_seconds: float
    #: rows per SuiteQL page
    page_size: int
    #: transactions fetched and staged per hub transaction (each commit moves the checkpoint)
    commit_every: int
    #: on the very first run, ignore NetSuite transactions modified before this moment (None: read all)
    start_from: datetime | None
    max_attempts: int

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> PaymentsParams:
        batch = params.get("batch")
        batch_size = batch.get("size", 100) if isinstance(batch, Mapping) else 100
        return cls(
            source=str(params.get("source") or "netsuite"),
            target=str(params.get("target") or "nue"),
            lookback=timedelta(minutes=_number(params, "lookback_minutes", 10, minimum=0)),
            batch_size=int(_number(params, "batch_size", batch_size, minimum=1)),
            lease_seconds=_number(params, "lease_seconds", 300, minimum=0.1),
            page_size=int(_number(params, "page_size", 1000, minimum=1)),
            commit_every=int(_number(params, "commit_every", 50, minimum=1)),
            start_from=_start_from(params),
            max_attempts=int(_number(params, "max_attempts", 8, minimum=1)),
        )
