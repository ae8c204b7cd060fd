"""period-close's pure parts: what a poll decides, the report's arithmetic, the messages and the params."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.period_close import messages
from ledgerbridge.flows.period_close.params import CloseParams
from ledgerbridge.flows.period_close.periods import AccountingPeriod, PeriodHistory, decide, parse_period
from ledgerbridge.flows.period_close.report import (
    CloseReport,
    VarianceLine,
    aggregate,
    largest,
    percent,
    totals,
)
from ledgerbridge.flows.period_close.rows import close_external_id, reopen_external_id

D = Decimal


def period(closed: bool, month: int = 10) -> AccountingPeriod:
    return AccountingPeriod("49", f"M{month} 2026", date(2026, month, 1), date(2026, month, 28), closed)


def history(closes: tuple[int, ...] = (), reopened: tuple[int, ...] = ()) -> PeriodHistory:
    found = PeriodHistory()
    for revision in closes:
        found.closes[revision] = object()  # type: ignore[assignment]
    found.reopened.update(reopened)
    return found


@pytest.mark.parametrize(
    ("closed", "closes", "reopened", "first_run", "report_from", "expected"),
    [
        (True, (), (), False, None, ("report", 1)),
        (True, (), (), True, None, ("baseline", 1)),
        (True, (), (), True, "2026-10", ("report", 1)),
        (True, (), (), True, "2026-11", ("baseline", 1)),
        (True, (1,), (), False, None, None),
        (False, (1,), (), False, None, ("reopened", 1)),
        (False, (1,), (1,), False, None, None),
        (True, (1,), (1,), False, None, ("report", 2)),
        (True, (1, 2), (1,), False, None, None),
        (False, (), (), False, None, None),
    ],
)
def test_decide(
    closed: bool,
    closes: tuple[int, ...],
    reopened: tuple[int, ...],
    first_run: bool,
    report_from: str | None,
    expected: tuple[str, int] | None,
) -> None:
    found = decide(period(closed), history(closes, reopened), first_run=first_run, report_from=report_from)
    assert (None if found is None else (found.kind, found.revision)) == expected


def test_parse_period_reads_suiteql_text() -> None:
    parsed = parse_period(
        {
            "id": "49",
            "periodname": "Oct 2026",
            "startdate": "2026-10-01",
            "enddate": "2026-10-31",
            "closed": "T",
        }
    )
    assert (parsed.key, parsed.closed, parsed.closed_on) == ("2026-10", True, None)


def test_external_ids() -> None:
    assert close_external_id("2026-10", 1) == "lb-close-2026-10"
    assert close_external_id("2026-10", 1, "slack") == "lb-close-2026-10-slack"
    assert close_external_id("2026-10", 2, "email") == "lb-close-2026-10-r2-email"
    assert reopen_external_id("2026-10", 1) == "lb-close-2026-10-r1-reopened"


def test_aggregate_keeps_the_month_and_version_and_sums_repeats() -> None:
    rows = [
        {"Month": "Oct 26", "Version": "Budget FY26", "Account": "Hosting", "Department": "Eng",
         "Actuals": "10.10", "Budget": "20.00", "Variance": "-9.90"},
        {"Month": "Oct 26", "Version": "Budget FY26", "Account": "Hosting", "Department": "Eng",
         "Actuals": "", "Budget": "5.00", "Variance": "-5.00"},
        {"Month": "Oct 26", "Version": "Budget FY27", "Account": "Hosting", "Department": "Eng",
         "Actuals": "1", "Budget": "1", "Variance": "0"},
        {"Month": "Sep 26", "Version": "Budget FY26", "Account": "Hosting", "Department": "Eng",
         "Actuals": "1", "Budget": "1", "Variance": "0"},
        {"Month": "Oct 26", "Version": "Budget FY26", "Account": "Rent", "Department": "G&A",
         "Actuals": "100", "Budget": "", "Variance": "100"},
    ]  # fmt: skip
    lines = aggregate(rows, month="Oct 26", version="Budget FY26")
    assert lines == [
        VarianceLine("Hosting", "Eng", D("10.10"), D("25.00"), D("-14.90")),
        VarianceLine("Rent", "G&A", D("100"), D("0"), D("100")),
    ]
    assert totals(lines) == (D("110.10"), D("25.00"), D("85.10"))
    assert [line.percent for line in lines] == [D("-59.6"), None]


def test_largest_is_by_absolute_variance_then_name() -> None:
    lines = [VarianceLine(f"A{i}", "D", D(0), D(1), D(v)) for i, v in enumerate([5, -50, 7, 50, -1])]
    assert [line.account for line in largest(lines, 3)] == ["A1", "A3", "A2"]


def test_percent_rounds_half_up() -> None:
    assert percent(D("1"), D("8")) == D("12.5")
    assert percent(D("-1"), D("16")) == D("-6.3")
    assert percent(D("1"), D("0")) is None


def report(incomplete: tuple[str, ...] = (), revision: int = 1) -> CloseReport:
    lines = tuple(
        VarianceLine(f"Account {i}", "R&D <lab>", D(1000 * i), D(900 * i), D(100 * i)) for i in range(1, 11)
    )
    actual, budget, variance = totals(lines)
    return CloseReport(
        period="2026-10", period_id="49", period_name="Oct 2026", month="Oct 26", revision=revision,
        budget_version="Budget FY26", forecast_version="Forecast FY26", switchover_month="Oct 26",
        actual=actual, budget=budget, variance=variance, lines=lines, line_count=12, incomplete=incomplete,
    )  # fmt: skip


def test_slack_message_has_the_totals_and_ten_lines() -> None:
    message = messages.slack_message(report())
    assert "Actual 55,000.00 | Budget 49,500.00 (Budget FY26) | Variance 5,500.00 (+11.1%)" in message.text
    table = [line for line in message.text.splitlines() if "R&amp;D &lt;lab&gt;" in line]
    assert len(table) == 10
    assert table[-1].split()[-4:] == ["10,000.00", "9,000.00", "1,000.00", "+11.1%"]
    assert message.blocks[0]["type"] == "header" and "INCOMPLETE" not in message.text


def test_incomplete_and_revised_reports_say_so() -> None:
    message = messages.slack_message(report(incomplete=("1 actuals slice(s) need action",), revision=2))
    assert message.text.startswith("*INCOMPLETE: Oct 2026 closed (revision 2)")
    assert "ACTUALS INCOMPLETE" in message.text


def test_email_has_text_and_escaped_html() -> None:
    mail = messages.email(report(), "lb-close-2026-10-email")
    assert mail.subject == "Oct 2026 closed: budget vs actual"
    assert "R&D <lab>" in mail.text and mail.html is not None
    assert "R&amp;D &lt;lab&gt;" in mail.html and "R&D <lab>" not in mail.html
    assert ("X-Ledgerbridge-Id", "lb-close-2026-10-email") in mail.headers


def test_payload_is_json_ready_with_decimal_strings() -> None:
    payload = report().payload()
    assert payload["totals"] == {
        "actual": "55000",
        "budget": "49500",
        "variance": "5500",
        "variance_pct": "11.1",
    }
    assert len(payload["top_variances"]) == 10 and payload["top_variances"][0]["variance_pct"] == "11.1"


def test_params_defaults_and_versions() -> None:
    params = CloseParams.from_mapping({"source": "ns", "target": "pg", "unassigned_department": "000"})
    assert (params.source, params.target, params.top, params.on_incomplete) == ("ns", "pg", 10, "hold")
    assert params.shared == {"unassigned_department": "000"}
    assert params.version(params.budget_version, 2026) == "Budget FY26"
    assert params.version(params.forecast_version, 2031) == "Forecast FY31"


@pytest.mark.parametrize(
    "bad",
    [
        {"on_incomplete": "maybe"},
        {"report_from": "2026-13"},
        {"top": 0},
        {"load_actuals": "yes"},
        {"gl_actuals": 3},
    ],
)
def test_params_refuse_bad_values(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        CloseParams.from_mapping(bad)
