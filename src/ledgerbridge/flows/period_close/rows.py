"""The hub rows of this flow: external ids and staged records.

One row per (period, revision, kind), all with source ``netsuite`` and source id ``<period id>#r<n>``:

| kind (source and target type) | target | external id (revision 1; later ``-r<n>`` after the month) |
|---|---|---|
| ``close_report`` | pigment | ``lb-close-2026-10`` — payload: the computed close report |
| ``slack_message`` | slack | ``lb-close-2026-10-slack`` — target id: the message ``ts`` |
| ``email_message`` | email | ``lb-close-2026-10-email`` — target id: the ``Message-ID`` |
| ``reopen_notice`` | netsuite | ``lb-close-2026-10-r1-reopened`` — action_needed, for a person |
| ``reopen_slack_message`` | slack | ``lb-close-2026-10-r1-reopened-slack`` |
"""

from __future__ import annotations

from typing import Any

from ledgerbridge.connectors.email.records import OutgoingEmail
from ledgerbridge.connectors.slack.records import SlackMessage
from ledgerbridge.hub import StagedRecord

from .periods import CLOSE, EMAIL, REOPEN, SLACK, AccountingPeriod, source_id

REOPEN_SLACK = "reopen_slack_message"


def close_external_id(period_key: str, revision: int, channel: str | None = None) -> str:
    base = f"lb-close-{period_key}" + (f"-r{revision}" if revision > 1 else "")
    return f"{base}-{channel}" if channel else base


def reopen_external_id(period_key: str, revision: int, channel: str | None = None) -> str:
    base = f"lb-close-{period_key}-r{revision}-reopened"
    return f"{base}-{channel}" if channel else base


def period_payload(period: AccountingPeriod, revision: int) -> dict[str, Any]:
    return {
        "period": period.key,
        "period_id": period.id,
        "period_name": period.name,
        "revision": revision,
        "closed_on": None if period.closed_on is None else period.closed_on.isoformat(),
    }


def close_row(period: AccountingPeriod, revision: int, payload: dict[str, Any]) -> StagedRecord:
    return StagedRecord(
        source_system="netsuite",
        source_type=CLOSE,
        source_id=source_id(period.id, revision),
        external_id=close_external_id(period.key, revision),
        target_system="pigment",
        target_type=CLOSE,
        payload=payload,
        source_version=None if period.closed_on is None else period.closed_on.isoformat(),
    )


def slack_row(
    period: AccountingPeriod,
    revision: int,
    message: SlackMessage,
    channel: str | None,
    *,
    reopen: bool = False,
) -> StagedRecord:
    kind = REOPEN_SLACK if reopen else SLACK
    external = (reopen_external_id if reopen else close_external_id)(period.key, revision, "slack")
    return StagedRecord(
        source_system="netsuite",
        source_type=kind,
        source_id=source_id(period.id, revision),
        external_id=external,
        target_system="slack",
        target_type=kind,
        payload={**period_payload(period, revision), "channel": channel, **message.payload()},
    )


def email_row(period: AccountingPeriod, revision: int, email: OutgoingEmail) -> StagedRecord:
    return StagedRecord(
        source_system="netsuite",
        source_type=EMAIL,
        source_id=source_id(period.id, revision),
        external_id=close_external_id(period.key, revision, "email"),
        target_system="email",
        target_type=EMAIL,
        payload={
            **period_payload(period, revision),
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
        },
    )


def reopen_row(period: AccountingPeriod, revision: int) -> StagedRecord:
    return StagedRecord(
        source_system="netsuite",
        source_type=REOPEN,
        source_id=source_id(period.id, revision),
        external_id=reopen_external_id(period.key, revision),
        target_system="netsuite",
        target_type=REOPEN,
        payload={**period_payload(period, revision), "kind": "reopened"},
    )


def slack_from_payload(payload: dict[str, Any]) -> tuple[SlackMessage, str | None]:
    blocks = tuple(payload.get("blocks") or ())
    channel = payload.get("channel")
    return SlackMessage(text=str(payload["text"]), blocks=blocks), None if channel is None else str(channel)


def email_from_payload(payload: dict[str, Any], external_id: str) -> OutgoingEmail:
    html = payload.get("html")
    return OutgoingEmail(
        subject=str(payload["subject"]),
        text=str(payload["text"]),
        html=None if html is None else str(html),
        headers=(("X-Ledgerbridge-Id", external_id),),
    )
