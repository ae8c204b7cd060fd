"""The contract every flow implements: what it is given (:class:`FlowContext`) and what it returns
(:class:`RunOutcome`).

A flow is pure business logic over connectors and the hub. It does not know who runs it (CLI, scheduler,
event, a later Temporal worker), does not open connections (they arrive ready, each behind its connection's
limiter), and reports progress through a :class:`ProgressSink` rather than printing. In a dry run it goes
through every step but the write and puts the exact payloads it would send in
:attr:`RunOutcome.dry_run_payloads`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from ledgerbridge.errors import Fatal
from ledgerbridge.money import Period

if TYPE_CHECKING:
    from ledgerbridge.engine.executor import ExecutorReport
    from ledgerbridge.hub import HubStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@runtime_checkable
class ProgressSink(Protocol):
    """Where a flow reports progress (a rich bar in the CLI, counters in the console, nothing in tests)."""

    def start(self, total: int | None, label: str) -> None:
        """A new phase begins (``total`` None when unknown, e.g. while paging a source)."""

    def advance(self, n: int = 1) -> None:
        """``n`` more records are done in the current phase."""

    def throttled(self, n: int = 1) -> None:
        """A vendor answered 429 ``n`` times (the runner reports these; flows need not)."""

    def finish(self) -> None:
        """The current phase is over."""


class CountingProgress:
    """A :class:`ProgressSink` that only counts: the default when nobody watches, and handy in tests."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.total: int | None = None
        self.done = 0
        self.throttled_total = 0
        self.phases: list[str] = []
        self.finished = 0

    def start(self, total: int | None, label: str) -> None:
        self.label, self.total, self.done = label, total, 0
        self.phases.append(label)

    def advance(self, n: int = 1) -> None:
        self.done += n

    def throttled(self, n: int = 1) -> None:
        self.throttled_total += n

    def finish(self) -> None:
        self.finished += 1


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened, published on the runtime's bus; flows with an event trigger receive it.

    ``key`` identifies the occurrence (e.g. the period ``2026-03`` for ``netsuite.period.closed``): the same
    key twice is the same event, so it triggers one run.
    """

    name: str
    key: str
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class FlowContext:
    """Everything one run of a flow may use. Built by the runtime for each run."""

    run_id: int | None
    flow: str
    params: Mapping[str, Any]
    #: the Transaction Hub
    hub: HubStore
    #: connector clients by connection name, each already behind its connection's limiter
    connections: Mapping[str, Any]
    dry_run: bool = False
    period: Period | None = None
    progress: ProgressSink = field(default_factory=CountingProgress)
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger] = field(
        default_factory=lambda: logging.getLogger("ledgerbridge.flows")
    )
    clock: Callable[[], datetime] = utc_now
    #: what started the run: "cron", "interval", "event" or "manual"
    trigger: str = "manual"
    #: the event that triggered the run, when ``trigger == "event"``
    event: Event | None = None
    #: the workspace's mapping tables by name (``ledgerbridge.config.mappings.MappingConfig`` values)
    mappings: Mapping[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        """The current time (aware). Flows use this, never ``datetime.now()``, so tests can fix the clock."""
        return self.clock()

    def connection(self, name: str) -> Any:
        """The client of connection ``name``; a missing one is a configuration error, so the run stops."""
        try:
            return self.connections[name]
        except KeyError:
            known = ", ".join(sorted(self.connections)) or "none"
            raise Fatal(
                f"flow {self.flow!r} needs connection {name!r}, which is not configured "
                f"(configured: {known})",
                hint="add it under `connections:` in ledgerbridge.yaml or fix the flow's source/target",
            ) from None


#: the counters every run reports, in display order
COUNTER_NAMES: tuple[str, ...] = ("extracted", "staged", "transferred", "failed", "action_needed", "skipped")


@dataclass(slots=True)
class RunOutcome:
    """What a run did. ``exit_code`` is 0 when every record went through, 1 when some need attention."""

    extracted: int = 0
    staged: int = 0
    transferred: int = 0
    failed: int = 0
    action_needed: int = 0
    skipped: int = 0
    #: in a dry run: one dict per write that would have happened (see :meth:`add_dry_run_payload`)
    dry_run_payloads: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.action_needed else 0

    def counters(self) -> dict[str, int]:
        """The counters as a mapping (for the hub's run row and ``--json`` output)."""
        return {name: int(getattr(self, name)) for name in COUNTER_NAMES}

    def add(self, **counts: int) -> None:
        """Add to counters by name, e.g. ``outcome.add(transferred=report.transferred)``."""
        for name, value in counts.items():
            if name not in COUNTER_NAMES:
                raise ValueError(f"unknown counter {name!r}; expected one of {', '.join(COUNTER_NAMES)}")
            setattr(self, name, getattr(self, name) + value)

    def add_dry_run_payload(
        self, *, target_system: str, target_type: str, external_id: str, payload: Mapping[str, Any]
    ) -> None:
        self.dry_run_payloads.append(
            {
                "target_system": target_system,
                "target_type": target_type,
                "external_id": external_id,
                "payload": dict(payload),
            }
        )

    def add_executor_report(self, report: ExecutorReport) -> None:
        """Fold what one executor pass did (its outcomes and, in a dry run, its payloads) into the run's."""
        self.add(
            transferred=report.transferred,
            failed=report.failed,
            action_needed=report.action_needed,
            skipped=report.skipped,
        )
        self.dry_run_payloads.extend(report.dry_run_payloads)

    def merge(self, other: RunOutcome) -> None:
        """Fold another outcome (e.g. one stage of a multi-stage flow) into this one."""
        self.add(**other.counters())
        self.dry_run_payloads.extend(other.dry_run_payloads)
        self.notes.extend(other.notes)


class Flow(Protocol):
    """A business flow. Implementations are registered with ``ledgerbridge.flows.registry.register`` and
    constructed with no arguments; everything a run needs comes through the :class:`FlowContext`."""

    name: ClassVar[str]

    async def run(self, ctx: FlowContext) -> RunOutcome: ...
