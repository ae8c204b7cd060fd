"""When a flow runs: cron, interval, event or manual triggers, their fire times and their run keys.

Fire times are deterministic (a cron expression in the workspace time zone; an interval counted from a fixed
anchor, the Unix epoch by default), so every process computes the same fire time and therefore the same run
key. The hub refuses a second run with a key it has seen: that is what makes a duplicate fire — two
schedulers, a restart in the middle of a minute — a no-op.

Missed fires coalesce: after downtime (or while a long run was busy) only the *latest* due fire runs, once.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.base import Event

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: the hub's run_key column is 255 characters; longer event keys are hashed to fit
MAX_RUN_KEY = 255

_NUMBER_RE = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
# the config's duration grammar: "90s", "5m", "1h30m", "1d"
_DURATION_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*(?:sec|min|s|m|h|d)\s*)+$", re.IGNORECASE)
_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(sec|min|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"trigger times must be timezone-aware, got naive {moment.isoformat()}")
    return moment


@dataclass(frozen=True, slots=True)
class CronTrigger:
    """A cron expression evaluated in ``timezone`` (the workspace's IANA zone), via croniter."""

    kind: ClassVar[str] = "cron"
    expression: str
    timezone: str = "UTC"
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.expression):
            raise ConfigError(
                f"not a valid cron expression {self.expression!r}",
                hint='use five fields, e.g. "*/5 * * * *"',
            )
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"unknown time zone {self.timezone!r}", hint="use an IANA name such as Europe/Paris"
            ) from None
        object.__setattr__(self, "_zone", zone)

    def next_fire(self, after: datetime) -> datetime:
        """The first fire strictly after ``after`` (in the trigger's zone)."""
        local = _aware(after).astimezone(self._zone)
        result: datetime = croniter(self.expression, local).get_next(datetime)
        return result

    def latest_fire(self, now: datetime) -> datetime:
        """The last fire at or before ``now``."""
        local = _aware(now).astimezone(self._zone)
        previous: datetime = croniter(self.expression, local).get_prev(datetime)
        # croniter's get_prev is strictly before; ``now`` itself may be a fire time
        following = self.next_fire(previous)
        return following if following <= local else previous

    def describe(self) -> str:
        return f"cron {self.expression} ({self.timezone})"


@dataclass(frozen=True, slots=True)
class IntervalTrigger:
    """Every ``seconds`` seconds, counted from ``anchor`` so that fire times are the same in every process."""

    kind: ClassVar[str] = "interval"
    seconds: float
    anchor: datetime = EPOCH

    def __post_init__(self) -> None:
        if not (self.seconds > 0 and math.isfinite(self.seconds)):
            raise ConfigError(f"interval must be a positive number of seconds, got {self.seconds!r}")
        _aware(self.anchor)

    def latest_fire(self, now: datetime) -> datetime:
        elapsed = (_aware(now) - self.anchor).total_seconds()
        return self.anchor + timedelta(seconds=math.floor(elapsed / self.seconds) * self.seconds)

    def next_fire(self, after: datetime) -> datetime:
        latest = self.latest_fire(after)
        return latest + timedelta(seconds=self.seconds)

    def describe(self) -> str:
        return f"every {self.seconds:g}s"


@dataclass(frozen=True, slots=True)
class EventTrigger:
    """Runs on events whose name matches ``pattern`` (shell-style: ``netsuite.period.*``)."""

    kind: ClassVar[str] = "event"
    pattern: str

    def __post_init__(self) -> None:
        if not self.pattern.strip():
            raise ConfigError(
                "an event trigger needs an event name or pattern", hint="e.g. netsuite.period.closed"
            )

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.pattern)

    def describe(self) -> str:
        return f"on event {self.pattern}"


@dataclass(frozen=True, slots=True)
class ManualTrigger:
    """Runs only when someone asks (``ledgerbridge run``, the console)."""

    kind: ClassVar[str] = "manual"

    def describe(self) -> str:
        return "manual"


TimedTrigger = CronTrigger | IntervalTrigger
Trigger = CronTrigger | IntervalTrigger | EventTrigger | ManualTrigger


def due_fire(trigger: TimedTrigger, *, last_fire: datetime | None, now: datetime) -> datetime | None:
    """The fire to run now, or None. Every fire missed since ``last_fire`` coalesces into the latest one."""
    latest = trigger.latest_fire(now)
    if last_fire is not None and latest <= last_fire:
        return None
    return latest


def parse_interval(value: float | int | str | timedelta) -> float:
    """Seconds from ``300``, ``"300"``, ``"90s"``, ``"5m"``, ``"1h30m"``, ``"1d"`` or a timedelta."""
    hint = 'use seconds or a duration such as "5m" or "1h30m"'
    if isinstance(value, bool):
        raise ConfigError(f"not an interval: {value!r}", hint=hint)
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float):
        seconds = float(value)
    elif _NUMBER_RE.match(value):
        seconds = float(value)
    elif _DURATION_RE.match(value):
        seconds = sum(
            float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in _DURATION_PART_RE.findall(value)
        )
    else:
        raise ConfigError(f"not an interval: {value!r}", hint=hint)
    if not seconds > 0:
        raise ConfigError(f"an interval must be positive, got {value!r}")
    return seconds


def trigger_from_spec(spec: Mapping[str, Any], *, timezone: str = "UTC") -> Trigger:
    """A trigger from its configuration form: exactly one of ``{cron}``, ``{interval}``, ``{event}``,
    ``{manual: true}`` (the config models dump to this shape)."""
    present = {key: value for key, value in spec.items() if value not in (None, False)}
    if len(present) != 1:
        raise ConfigError(
            f"a trigger needs exactly one of cron, interval, event, manual; got {sorted(present) or 'none'}"
        )
    ((kind, value),) = present.items()
    if kind == "cron":
        return CronTrigger(str(value), timezone)
    if kind == "interval":
        return IntervalTrigger(parse_interval(value))
    if kind == "event":
        return EventTrigger(str(value))
    if kind == "manual":
        return ManualTrigger()
    raise ConfigError(f"unknown trigger kind {kind!r}", hint="use cron, interval, event or manual")


def _bounded(key: str, flow: str, kind: str, detail: str) -> str:
    if len(key) <= MAX_RUN_KEY:
        return key
    digest = hashlib.sha256(detail.encode("utf-8")).hexdigest()
    return f"{flow}:{kind}:sha256:{digest}"


def schedule_run_key(flow: str, fire_time: datetime) -> str:
    """``{flow}:schedule:{fire time, UTC ISO}`` — UTC so every process and zone spells it the same."""
    return f"{flow}:schedule:{_aware(fire_time).astimezone(UTC).isoformat()}"


def event_run_key(flow: str, event: Event) -> str:
    """``{flow}:event:{event name}:{event key}``: one run per occurrence, however often it is published."""
    detail = f"{event.name}:{event.key}"
    return _bounded(f"{flow}:event:{detail}", flow, "event", detail)


def manual_run_key(flow: str) -> str:
    """A fresh key: every manual run is a new run."""
    return f"{flow}:manual:{uuid.uuid4().hex}"
