"""When a flow runs (``trigger``) and how its records are grouped (``batch``).

A trigger is exactly one of ``cron`` (five-field expression, in the workspace time zone), ``interval``
(``"90s"``, ``"5m"``, ``"1h30m"`` or a number of seconds), ``event`` (``netsuite.period.closed``) or
``manual: true``. Allowing two at once would make "why did this run?" unanswerable, so it is an error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from croniter import croniter
from pydantic import BeforeValidator, Field, field_validator, model_validator

from ledgerbridge.config.base import StrictModel, invalid

_DURATION_PART_RE = re.compile(r"(\d+)\s*([smhd])")
_DURATION_RE = re.compile(r"^\s*(?:\d+\s*[smhd]\s*)+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVENT_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_DURATION_HINT = "write a duration such as '30s', '5m', '1h30m' or a number of seconds"
_CRON_EXAMPLE = 'use five fields (minute hour day-of-month month day-of-week), e.g. "*/5 * * * *"'
TRIGGER_KINDS: tuple[str, ...] = ("cron", "interval", "event", "manual")


def parse_duration(value: object) -> timedelta:
    """``"5m"``, ``"1h30m"``, ``90`` or ``"90"`` → timedelta; at least one second."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool):
        raise invalid("a duration cannot be true/false", _DURATION_HINT)
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip().isdigit():
        seconds = float(value.strip())
    elif isinstance(value, str) and _DURATION_RE.fullmatch(value):
        seconds = float(sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART_RE.findall(value)))
    else:
        raise invalid(f"'{value}' is not a duration", _DURATION_HINT)
    if seconds < 1:
        raise invalid("a duration must be at least one second", _DURATION_HINT)
    return timedelta(seconds=seconds)


#: a duration written as text or seconds
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def check_cron(expression: str) -> str:
    """A five-field cron expression that fires at least once (``0 0 30 2 *`` never does)."""
    text = " ".join(expression.split())
    if len(text.split(" ")) != 5 or not croniter.is_valid(text):
        raise invalid(f"not a valid cron expression '{expression}'", _CRON_EXAMPLE)
    try:
        croniter(text, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except Exception:  # croniter signals "no match within its search horizon" with several exception types
        raise invalid(
            f"cron expression '{expression}' never fires", "check the day-of-month and month fields"
        ) from None
    return text


class Trigger(StrictModel):
    """What starts a run. Exactly one key is set."""

    cron: str | None = Field(default=None, description="five-field cron, in the workspace time zone")
    interval: Duration | None = Field(default=None, description="run every so often, e.g. 5m")
    event: str | None = Field(default=None, description="an event name such as netsuite.period.closed")
    manual: bool | None = Field(default=None, description="true: only `ledgerbridge run` starts it")

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @field_validator("event")
    @classmethod
    def _check_event(cls, value: str | None) -> str | None:
        if value is not None and not _EVENT_RE.fullmatch(value):
            raise invalid(
                f"'{value}' is not an event name",
                "write system.subject.verb in lower case, e.g. netsuite.period.closed",
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        given = [kind for kind in TRIGGER_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none"
            raise invalid(
                f"a trigger has exactly one kind, found {found}",
                "keep one of cron:, interval:, event: or manual: true",
            )
        if self.manual is False:
            raise invalid(
                "manual: false is not a trigger",
                "write manual: true, or give cron:, interval: or event: instead",
                at=("manual",),
            )
        return self

    @property
    def kind(self) -> Literal["cron", "interval", "event", "manual"]:
        if self.cron is not None:
            return "cron"
        if self.interval is not None:
            return "interval"
        if self.event is not None:
            return "event"
        return "manual"


class Batch(StrictModel):
    """How records are grouped: ``realtime`` sends as they arrive (up to ``size`` per request);
    ``scheduled`` collects them and sends every ``interval``."""

    mode: Literal["realtime", "scheduled"] = "realtime"
    interval: Duration | None = None
    size: int = Field(default=100, ge=1, le=1000, description="records per batch")

    @model_validator(mode="after")
    def _interval_matches_mode(self) -> Batch:
        if self.mode == "scheduled" and self.interval is None:
            raise invalid(
                "a scheduled batch needs an interval",
                "add interval: '10m' (how often to send)",
                at=("interval",),
            )
        if self.mode == "realtime" and self.interval is not None:
            raise invalid(
                "interval only applies to mode: scheduled",
                "remove interval:, or set mode: scheduled",
                at=("interval",),
            )
        return self
