"""The flow's settings, read from ``ctx.params`` (the workspace's ``flows[].params`` plus source/target).

A wrong value stops the run with a message naming the parameter, before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.planning.months import DEFAULT_MONTH_FORMAT

FLOW_NAME = "gl-actuals-to-planning"
DEFAULT_CONFIGURATION = "gl-actuals-to-planning · Actuals"


def _number(params: Mapping[str, Any], name: str, default: float, *, minimum: float) -> float:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be at least {minimum}, got {value!r}")
    return number


def _from_period(params: Mapping[str, Any]) -> date | None:
    raw = params.get("from_period")
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw.replace(day=1)
    text = str(raw).strip()
    try:
        # "2026-01" or "2026-01-01": the first month to load
        return date.fromisoformat(text if len(text) > 7 else f"{text}-01").replace(day=1)
    except ValueError:
        raise ConfigError(
            f"{FLOW_NAME}: params.from_period must be a month like '2025-01', got {raw!r}",
            hint="leave it out to load every period with posted lines",
        ) from None


def _periods(params: Mapping[str, Any]) -> tuple[str, ...]:
    raw = params.get("periods")
    if raw in (None, "", []):
        return ()
    items = [raw] if isinstance(raw, str | int) else raw
    if not isinstance(items, list | tuple) or not all(
        isinstance(i, str | int) and not isinstance(i, bool) and str(i).strip().isdigit() for i in items
    ):
        raise ConfigError(
            f"{FLOW_NAME}: params.periods must be a list of NetSuite accounting period internal ids, "
            f"got {raw!r}"
        )
    return tuple(dict.fromkeys(str(i).strip() for i in items))


@dataclass(frozen=True, slots=True)
class GlActualsParams:
    """Resolved settings of one run."""

    source: str
    target: str
    #: the Pigment import configuration (name or id) every month is pushed to
    import_configuration: str
    #: how far before the saved checkpoint each detection query starts (late-committed NetSuite changes)
    lookback: timedelta
    #: on the first run, only periods starting on or after this month (None: every period)
    from_period: date | None
    #: load exactly these NetSuite accounting periods now, whatever the checkpoint says (period-close)
    periods: tuple[str, ...]
    #: periods per executor batch
    batch_size: int
    #: periods loaded (queried and pushed) at the same time
    concurrency: int
    lease_seconds: float
    max_attempts: int
    month_format: str

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> GlActualsParams:
        return cls(
            source=str(params.get("source") or "netsuite"),
            target=str(params.get("target") or "pigment"),
            import_configuration=str(params.get("import_configuration") or DEFAULT_CONFIGURATION),
            lookback=timedelta(minutes=_number(params, "lookback_minutes", 24 * 60, minimum=0)),
            from_period=_from_period(params),
            periods=_periods(params),
            batch_size=int(_number(params, "batch_size", 6, minimum=1)),
            concurrency=int(_number(params, "concurrency", 3, minimum=1)),
            lease_seconds=_number(params, "lease_seconds", 600, minimum=0.1),
            max_attempts=int(_number(params, "max_attempts", 8, minimum=1)),
            month_format=str(params.get("month_format") or DEFAULT_MONTH_FORMAT),
        )
