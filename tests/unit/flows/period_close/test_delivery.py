"""Messages go out at most once: a message row a crashed run left in flight is never re-sent on its own;
it becomes action_needed for a person. The flow's send step on a real (SQLite) hub, a recording Slack."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ledgerbridge.connectors.slack.records import PostedMessage, SlackMessage
from ledgerbridge.errors import Retriable
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.period_close.flow import PeriodClose, _Clients
from ledgerbridge.flows.period_close.params import FLOW_NAME, CloseParams
from ledgerbridge.flows.period_close.periods import AccountingPeriod
from ledgerbridge.flows.period_close.rows import slack_row
from ledgerbridge.hub import HubStore, State


class RecordingSlack:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.sent: list[tuple[SlackMessage, str | None]] = []
        self.fail_with = fail_with

    async def post_message(self, message: SlackMessage, *, channel: str | None = None) -> PostedMessage:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((message, channel))
        return PostedMessage(channel="C1", ts=f"1700000000.{len(self.sent):06d}")


def month(number: int) -> AccountingPeriod:
    return AccountingPeriod(
        str(40 + number), f"P{number}", date(2026, number, 1), date(2026, number, 28), True
    )


async def send(hub: HubStore, slack: RecordingSlack) -> RunOutcome:
    ctx = FlowContext(run_id=None, flow=FLOW_NAME, params={}, hub=hub, connections={})
    clients: Any = _Clients(netsuite=None, pigment=None, slack=slack, email=None)  # type: ignore[arg-type]
    outcome = RunOutcome()
    await PeriodClose()._send(ctx, CloseParams.from_mapping({}), clients, "this-run", outcome)
    return outcome


async def test_a_message_left_in_flight_is_not_sent_again(tmp_path: Path) -> None:
    hub = HubStore.open(f"sqlite:///{tmp_path / 'hub.db'}")
    rows = [slack_row(month(n), 1, SlackMessage(text=f"close {n}"), "#finance") for n in (9, 10)]
    crashed_id, due_id = hub.stage(FLOW_NAME, rows).ids
    # a run claimed the September message and died before recording Slack's answer; its lease has expired
    past = hub.now() - timedelta(hours=1)
    claimed = hub.claim(FLOW_NAME, owner="dead-run", limit=1, lease_seconds=60, now=past)
    assert [record.id for record in claimed] == [crashed_id]

    slack = RecordingSlack()
    outcome = await send(hub, slack)
    assert [message.text for message, _ in slack.sent] == ["close 10"]
    assert (outcome.transferred, outcome.action_needed) == (1, 1)
    crashed, sent = hub.require(crashed_id), hub.require(due_id)
    assert crashed.state is State.ACTION_NEEDED and "may have been sent" in (crashed.error_message or "")
    assert sent.state is State.TRANSFERRED and sent.target_id == "C1:1700000000.000001"

    # nothing is due any more: another run sends nothing
    await send(hub, slack)
    assert len(slack.sent) == 1
    # a person decides it never arrived: retry sends it, once
    hub.retry([crashed_id], actor="controller", reason="not in #finance")
    await send(hub, slack)
    await send(hub, slack)
    assert [message.text for message, _ in slack.sent] == ["close 10", "close 9"]
    hub.close()


async def test_a_throttled_send_is_retried_later_not_now(tmp_path: Path) -> None:
    hub = HubStore.open(f"sqlite:///{tmp_path / 'hub.db'}")
    (row_id,) = hub.stage(FLOW_NAME, [slack_row(month(10), 1, SlackMessage(text="close"), None)]).ids
    outcome = await send(hub, RecordingSlack(fail_with=Retriable("ratelimited", retry_after=30)))
    record = hub.require(row_id)
    assert outcome.failed == 1 and record.state is State.FAILED
    assert record.next_attempt_at is not None and record.next_attempt_at >= hub.now() + timedelta(seconds=29)
    hub.close()
