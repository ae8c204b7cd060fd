"""Triggers (exactly one of cron / interval / event / manual), durations and batch policies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from ledgerbridge.config import Batch, Trigger, parse_duration

from .helpers import load, one_problem

FLOW = """\
connections:
  pigment: {system: pigment, export_key: {env: LB_T_PIG}}
  slack: {system: slack, token: {env: LB_T_PIG}, default_channel: "#fpa"}
flows:
  - name: forecast-digest
    source: pigment
    target: slack
"""
ENV = {"LB_T_PIG": "pigment-key-test-2a9e"}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        ("2d", 172800),
        (" 1h 5s ", 3605),
        ("90", 90),
        (45, 45),
        (1.5, 1.5),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["5 minutes", "m5", "", "-5m", "0s", 0.5, True, "1.5h"])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match=r"duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("trigger", "kind"),
    [
        ({"cron": "*/5 * * * *"}, "cron"),
        ({"interval": "5m"}, "interval"),
        ({"event": "netsuite.period.closed"}, "event"),
        ({"manual": True}, "manual"),
    ],
)
def test_each_trigger_kind(trigger: dict[str, object], kind: str) -> None:
    assert Trigger.model_validate(trigger).kind == kind


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ({}, "exactly one kind, found none"),
        ({"cron": "0 * * * *", "event": "nue.invoice.posted"}, "found cron and event"),
        ({"manual": False}, "manual: false is not a trigger"),
        ({"cron": "0 0 * * * *"}, "not a valid cron expression"),  # six fields (seconds) are not accepted
        ({"cron": "61 * * * *"}, "not a valid cron expression"),
        ({"cron": "0 0 30 2 *"}, "never fires"),
        ({"event": "Period Closed"}, "is not an event name"),
        ({"interval": "soon"}, "is not a duration"),
        ({"every": "5m"}, "Extra inputs are not permitted"),
    ],
)
def test_trigger_errors(trigger: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Trigger.model_validate(trigger)


def test_batch_modes() -> None:
    assert Batch().mode == "realtime" and Batch().size == 100
    scheduled = Batch.model_validate({"mode": "scheduled", "interval": "10m", "size": 1000})
    assert scheduled.interval == timedelta(minutes=10)
    with pytest.raises(ValidationError, match="a scheduled batch needs an interval"):
        Batch.model_validate({"mode": "scheduled"})
    with pytest.raises(ValidationError, match="interval only applies to mode: scheduled"):
        Batch.model_validate({"interval": "10m"})
    with pytest.raises(ValidationError):
        Batch.model_validate({"size": 0})


def test_flow_defaults_to_manual_and_realtime(tmp_path: Path) -> None:
    flow = load(tmp_path, FLOW, ENV).flows[0]
    assert flow.enabled and flow.trigger.kind == "manual" and flow.batch.mode == "realtime"
    assert flow.params == {}


@pytest.mark.parametrize(
    ("extra", "line", "field", "message"),
    [
        ("    trigger: {manual: false}\n", 10, "flows[0].trigger.manual", "manual: false"),
        ("    batch:\n      mode: scheduled\n", 10, "flows[0].batch.interval", "needs an interval"),
        ("    batch:\n      mode: hourly\n", 11, "flows[0].batch.mode", "'hourly' is not allowed here"),
        ("    trigger:\n      interval: 0s\n", 11, "flows[0].trigger.interval", "at least one second"),
    ],
)
def test_flow_level_errors_are_located(
    tmp_path: Path, extra: str, line: int, field: str, message: str
) -> None:
    problem = one_problem(tmp_path, FLOW + extra, ENV)
    assert (problem.line, problem.field) == (line, field)
    assert message in problem.message
