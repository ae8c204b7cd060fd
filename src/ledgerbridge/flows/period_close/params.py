"""The flow's settings, read from ``ctx.params`` (the workspace's ``flows[].params``, source and target).

A wrong value stops the run with a message naming the parameter, before anything is read or written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ledgerbridge.errors import ConfigError

FLOW_NAME = "period-close"
DEFAULT_SWITCHOVER_CONFIGURATION = "period-close · Forecast switchover"
DEFAULT_EXPORT_TABLE = "Budget vs Actual"
#: params the gl-actuals flow shares with this one (mapping tables and how months are named): passed on
#: when period-close loads a period's actuals, so both flows map the GL the same way
SHARED_PLANNING_PARAMS = (
    "account_mapping",
    "subsidiary_mapping",
    "department_mapping",
    "class_mapping",
    "unassigned_department",
    "month_format",
)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

OnIncomplete = Literal["hold", "send"]


def _text(params: Mapping[str, Any], name: str, default: str | None) -> str | None:
    value = params.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a non-empty text, got {value!r}")
    return str(value).strip()


def _int(params: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be at least {minimum}, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class CloseParams:
    """Resolved settings of one run."""

    source: str
    target: str
    #: the Slack and email connections the close summary goes to (None: that channel is not used)
    slack_connection: str | None
    email_connection: str | None
    #: Slack channel (None: the connection's default channel)
    slack_channel: str | None
    #: Pigment version names; ``{yy}`` is the closed period's two-digit year
    forecast_version: str
    budget_version: str
    switchover_configuration: str
    export_table: str
    #: how many variance lines the summary lists
    top: int
    #: a close whose actuals did not load completely: held as action_needed, or sent marked INCOMPLETE
    on_incomplete: OnIncomplete
    #: load the period's actuals through gl-actuals-to-planning first (off: someone else loads them)
    load_actuals: bool
    #: on the first run, closed periods starting in this month or later are reported; earlier ones (or all,
    #: when None) are recorded as the baseline and never reported
    report_from: str | None
    lease_seconds: int
    #: extra params for the gl-actuals run (override the shared ones)
    gl_actuals: Mapping[str, Any] = field(default_factory=dict)
    shared: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> CloseParams:
        on_incomplete = str(params.get("on_incomplete", "hold"))
        if on_incomplete not in ("hold", "send"):
            raise ConfigError(
                f"{FLOW_NAME}: params.on_incomplete must be 'hold' or 'send', got {on_incomplete!r}"
            )
        report_from = _text(params, "report_from", None)
        if report_from is not None and not _MONTH.fullmatch(report_from):
            raise ConfigError(
                f"{FLOW_NAME}: params.report_from must be a month YYYY-MM, got {report_from!r}",
                hint="e.g. report_from: '2026-10'",
            )
        gl_actuals = params.get("gl_actuals") or {}
        if not isinstance(gl_actuals, Mapping):
            raise ConfigError(f"{FLOW_NAME}: params.gl_actuals must be a mapping of gl-actuals params")
        load_actuals = params.get("load_actuals", True)
        if not isinstance(load_actuals, bool):
            raise ConfigError(f"{FLOW_NAME}: params.load_actuals must be true or false, got {load_actuals!r}")
        return cls(
            source=str(params.get("source") or "netsuite"),
            target=str(params.get("target") or "pigment"),
            slack_connection=_text(params, "slack_connection", None),
            email_connection=_text(params, "email_connection", None),
            slack_channel=_text(params, "slack_channel", None),
            forecast_version=_text(params, "forecast_version", "Forecast FY{yy}") or "",
            budget_version=_text(params, "budget_version", "Budget FY{yy}") or "",
            switchover_configuration=_text(
                params, "switchover_configuration", DEFAULT_SWITCHOVER_CONFIGURATION
            )
            or "",
            export_table=_text(params, "export_table", DEFAULT_EXPORT_TABLE) or "",
            top=_int(params, "top", 10, minimum=1),
            on_incomplete="send" if on_incomplete == "send" else "hold",
            load_actuals=load_actuals,
            report_from=report_from,
            lease_seconds=_int(params, "lease_seconds", 600, minimum=1),
            gl_actuals=dict(gl_actuals),
            shared={key: params[key] for key in SHARED_PLANNING_PARAMS if key in params},
        )

    def version(self, pattern: str, year: int) -> str:
        """A version name for the period's year (``Budget FY{yy}`` → ``Budget FY26``)."""
        return pattern.replace("{yy}", f"{year % 100:02d}").replace("{yyyy}", f"{year:04d}")
