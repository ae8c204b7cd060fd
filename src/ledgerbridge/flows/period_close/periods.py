"""NetSuite accounting periods, polled, and what changed since the hub last saw them.

NetSuite sends no event when a period closes, so each run reads every month period (``closed`` and
``closedondate``) and compares it with the hub's close rows: a closed month without a close report is newly
closed; a month whose latest close report was not followed by a reopen notice but is open again was
reopened. Quarters, years and adjustment periods are left out: FP&A closes months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.errors import RecordRejected
from ledgerbridge.hub import RecordView, State

PERIODS_QUERY = (
    "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS startdate, "
    "TO_CHAR(enddate, 'YYYY-MM-DD') AS enddate, closed, TO_CHAR(closedondate, 'YYYY-MM-DD') AS closedondate "
    "FROM accountingperiod WHERE isquarter = 'F' AND isyear = 'F' AND isadjust = 'F' ORDER BY startdate, id"
)

#: hub source types of this flow's rows (one row per period x revision x kind)
CLOSE = "close_report"
SLACK = "slack_message"
EMAIL = "email_message"
REOPEN = "reopen_notice"


@dataclass(frozen=True, slots=True)
class AccountingPeriod:
    id: str
    name: str
    start: date
    end: date
    closed: bool
    closed_on: date | None = None

    @property
    def key(self) -> str:
        """The month as ``YYYY-MM`` (external ids, report rows, ``report_from``)."""
        return f"{self.start.year:04d}-{self.start.month:02d}"


def _date(value: Any, what: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecordRejected(f"accountingperiod: {what} {value!r} is not a YYYY-MM-DD date") from None


def parse_period(row: Mapping[str, Any]) -> AccountingPeriod:
    start = _date(row.get("startdate"), "startdate")
    end = _date(row.get("enddate"), "enddate")
    if start is None or end is None:
        raise RecordRejected(f"accountingperiod {row.get('id')!r} has no start or end date")
    return AccountingPeriod(
        id=str(row["id"]),
        name=str(row.get("periodname") or start.strftime("%b %Y")),
        start=start,
        end=end,
        closed=str(row.get("closed", "F")).upper() in ("T", "TRUE", "1"),
        closed_on=_date(row.get("closedondate"), "closedondate"),
    )


async def poll_periods(netsuite: NetSuiteClient) -> list[AccountingPeriod]:
    """Every month period, oldest first."""
    return [parse_period(row) async for row in netsuite.suiteql(PERIODS_QUERY)]


@dataclass(slots=True)
class PeriodHistory:
    """What the hub knows of one period: its close reports by revision, and the revisions reopened."""

    closes: dict[int, RecordView] = field(default_factory=dict)
    reopened: set[int] = field(default_factory=set)

    @property
    def latest(self) -> int:
        return max(self.closes, default=0)


def source_id(period_id: str, revision: int) -> str:
    return f"{period_id}#r{revision}"


def split_source_id(value: str) -> tuple[str, int]:
    period_id, _, revision = value.partition("#r")
    return period_id, int(revision or 1)


def histories(rows: Iterable[RecordView]) -> dict[str, PeriodHistory]:
    found: dict[str, PeriodHistory] = {}
    for row in rows:
        if row.source_type not in (CLOSE, REOPEN):
            continue
        period_id, revision = split_source_id(row.source_id)
        history = found.setdefault(period_id, PeriodHistory())
        if row.source_type == CLOSE:
            history.closes[revision] = row
        else:
            history.reopened.add(revision)
    return found


@dataclass(frozen=True, slots=True)
class Decision:
    """What this run does about one period: report a close (``report``), record it as already closed
    before the flow watched (``baseline``), or report that a closed period was reopened (``reopened``)."""

    kind: Literal["report", "baseline", "reopened"]
    period: AccountingPeriod
    revision: int


def decide(
    period: AccountingPeriod, history: PeriodHistory | None, *, first_run: bool, report_from: str | None
) -> Decision | None:
    """The one thing to do about ``period`` now, if any. Pure: the hub and NetSuite are read by the caller."""
    latest = history.latest if history else 0
    reopened = history.reopened if history else set()
    if period.closed:
        if latest == 0:
            if first_run and (report_from is None or period.key < report_from):
                return Decision("baseline", period, 1)
            return Decision("report", period, 1)
        if latest in reopened:
            return Decision("report", period, latest + 1)
        return None
    if latest > 0 and latest not in reopened:
        return Decision("reopened", period, latest)
    return None


def still_current(history: PeriodHistory | None, period: AccountingPeriod | None, revision: int) -> bool:
    """A close report may go out only while its period is closed and that revision was not reopened."""
    if period is None or not period.closed:
        return False
    return history is None or revision not in history.reopened


def is_pending(row: RecordView) -> bool:
    return row.state in (State.PENDING, State.FAILED)
