"""The local runtime: run flows in this process — now, on cron or interval, or on an in-process event."""

from ledgerbridge.runtimes.local.bus import EventBus
from ledgerbridge.runtimes.local.runner import FlowRunner, RunRequest, RunResult, StaticContextFactory
from ledgerbridge.runtimes.local.scheduler import ScheduleEntry, Scheduler
from ledgerbridge.runtimes.local.triggers import (
    CronTrigger,
    EventTrigger,
    IntervalTrigger,
    ManualTrigger,
    Trigger,
    trigger_from_spec,
)

__all__ = [
    "CronTrigger",
    "EventBus",
    "EventTrigger",
    "FlowRunner",
    "IntervalTrigger",
    "ManualTrigger",
    "RunRequest",
    "RunResult",
    "ScheduleEntry",
    "Scheduler",
    "StaticContextFactory",
    "Trigger",
    "trigger_from_spec",
]
