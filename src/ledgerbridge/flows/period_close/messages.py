"""The close summary as a Slack message and an email, and the reopen notice.

Written for a finance reader at a glance: one totals line, then a fixed-width table of the largest
variances (account, department, actual, budget, variance, %). The Slack text is also the notification
fallback; the email carries the same content as text/plain and text/html.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from ledgerbridge.connectors.email.records import OutgoingEmail
from ledgerbridge.connectors.slack.records import SlackMessage, divider, header, section

from .periods import AccountingPeriod
from .report import CloseReport, VarianceLine


def money(amount: Decimal) -> str:
    """``1,234,567.89`` (two decimals; Decimal formatting, never float)."""
    return f"{amount:,.2f}"


def pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:+}%"


def title(report: CloseReport) -> str:
    revision = f" (revision {report.revision})" if report.revision > 1 else ""
    prefix = "INCOMPLETE: " if report.incomplete else ""
    return f"{prefix}{report.period_name} closed{revision}: budget vs actual"


def totals_line(report: CloseReport) -> str:
    return (
        f"Actual {money(report.actual)} | Budget {money(report.budget)} ({report.budget_version}) | "
        f"Variance {money(report.variance)} ({pct(report.variance_pct)})"
    )


def line_text(line: VarianceLine) -> str:
    """One table row; the test suite finds each line by account and department in this shape."""
    return (
        f"{line.account[:30]:<30} {line.department[:26]:<26} {money(line.actual):>16} "
        f"{money(line.budget):>16} {money(line.variance):>16} {pct(line.percent):>9}"
    )


def table_text(report: CloseReport) -> str:
    head = f"{'Account':<30} {'Department':<26} {'Actual':>16} {'Budget':>16} {'Variance':>16} {'%':>9}"
    return "\n".join([head, *(line_text(line) for line in report.lines)])


def _incomplete_text(report: CloseReport) -> str:
    return "ACTUALS INCOMPLETE — " + "; ".join(report.incomplete) if report.incomplete else ""


def slack_escape(text: str) -> str:
    """Slack reads ``&``, ``<`` and ``>`` as markup (links, mentions): names must carry them escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(report: CloseReport) -> SlackMessage:
    top = f"Top {len(report.lines)} variances by amount ({report.month}, Pigment {report.budget_version})"
    warning = _incomplete_text(report)
    switchover = (
        f"{report.forecast_version} switchover month: {report.switchover_month}"
        if report.switchover_month
        else ""
    )
    text = "\n".join(
        part
        for part in (
            f"*{title(report)}*",
            warning,
            totals_line(report),
            top,
            f"```\n{table_text(report)}\n```",
        )
        if part
    )
    blocks = [header(title(report))]
    if warning:
        blocks.append(section(f":warning: *{warning}*"))
    blocks += [section(f"*{totals_line(report)}*"), divider(), section(f"{top}\n```{table_text(report)}```")]
    if switchover:
        blocks.append(section(f"_{switchover}_"))
    return SlackMessage(
        text=slack_escape(text)[:39000],
        blocks=tuple(_escape_block(block) for block in blocks),
    )


def _escape_block(block: dict[str, Any]) -> dict[str, Any]:
    text = block.get("text")
    if isinstance(text, dict) and text.get("type") == "mrkdwn":
        return {**block, "text": {**text, "text": slack_escape(str(text["text"]))}}
    return block


def email(report: CloseReport, external_id: str) -> OutgoingEmail:
    warning = _incomplete_text(report)
    switchover = (
        f"{report.forecast_version} switchover month: {report.switchover_month}"
        if report.switchover_month
        else ""
    )
    text = "\n".join(
        part
        for part in (
            title(report),
            warning,
            "",
            totals_line(report),
            "",
            f"Top {len(report.lines)} variances by amount ({report.month}, {report.budget_version}):",
            table_text(report),
            "",
            switchover,
            "Figures: Pigment's Budget vs Actual export. Sent by ledgerbridge period-close.",
        )
        if part is not None
    )
    rows = "".join(
        "<tr>"
        f"<td>{escape(line.account)}</td><td>{escape(line.department)}</td>"
        f'<td align="right">{money(line.actual)}</td><td align="right">{money(line.budget)}</td>'
        f'<td align="right">{money(line.variance)}</td><td align="right">{pct(line.percent)}</td>'
        "</tr>"
        for line in report.lines
    )
    html = (
        f"<html><body><h2>{escape(title(report))}</h2>"
        + (f'<p style="color:#b00"><strong>{escape(warning)}</strong></p>' if warning else "")
        + f"<p><strong>{escape(totals_line(report))}</strong></p>"
        f'<table border="1" cellpadding="4" cellspacing="0"><thead><tr><th>Account</th><th>Department</th>'
        "<th>Actual</th><th>Budget</th><th>Variance</th><th>%</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        + (f"<p><em>{escape(switchover)}</em></p>" if switchover else "")
        + "<p>Figures: Pigment's Budget vs Actual export. Sent by ledgerbridge period-close.</p>"
        + "</body></html>"
    )
    return OutgoingEmail(
        subject=title(report), text=text, html=html, headers=(("X-Ledgerbridge-Id", external_id),)
    )


def reopen_text(period: AccountingPeriod, revision: int) -> str:
    return (
        f"{period.name} was reopened in NetSuite after ledgerbridge saw it closed "
        f"(close revision {revision}). Its actuals in Pigment were NOT reloaded; a new close report goes "
        "out when it closes again."
    )


def reopen_message(period: AccountingPeriod, revision: int) -> SlackMessage:
    text = reopen_text(period, revision)
    return SlackMessage(text=f":warning: {text}", blocks=(section(f":warning: *{text}*"),))
