"""Our Slack and email connectors against the Slack and SMTP emulators over real loopback HTTP/SMTP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledgerbridge.connectors.email.client import EmailClient
from ledgerbridge.connectors.email.config import EmailSettings
from ledgerbridge.connectors.email.records import OutgoingEmail
from ledgerbridge.connectors.slack.client import SlackClient
from ledgerbridge.connectors.slack.config import SlackSettings
from ledgerbridge.connectors.slack.records import SlackMessage, header, section
from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable
from ledgerbridge.sandbox.slack.app import create_app as create_slack
from ledgerbridge.sandbox.slack.seed import DEMO_WEBHOOKS
from ledgerbridge.sandbox.slack.settings import SlackSettings as SlackEmulatorSettings
from ledgerbridge.sandbox.smtp.app import create_app as create_smtp
from ledgerbridge.sandbox.smtp.settings import SmtpSettings
from tests.support.servers import serve

TOKEN = "xoxb-notify-connector-token"
SMTP_USER = "ledgerbridge"
SMTP_PASSWORD = "smtp-sandbox-password-1"
REFUSED = "nobody@example.com"


@pytest.fixture()
def slack_url() -> Iterator[str]:
    with serve(create_slack(SlackEmulatorSettings(token=TOKEN))) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture()
def smtp() -> Iterator[tuple[str, int]]:
    settings = SmtpSettings(
        username=SMTP_USER,
        password=SMTP_PASSWORD,  # type: ignore[arg-type]
        refused_recipients=(REFUSED,),
    )
    with serve(create_smtp(settings)) as url:
        port = httpx.get(f"{url}/_sandbox/mail/server").json()["port"]
        yield url, int(port)


async def _get(url: str, **params: str) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.get(url, params=params)
    response.raise_for_status()
    return response.json()


async def _post(url: str, body: dict[str, object] | None = None) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json=body)
    response.raise_for_status()


def _slack(url: str, **overrides: object) -> SlackClient:
    values: dict[str, object] = {"base_url": f"{url}/api/", "token": TOKEN, "default_channel": "#finance"}
    values.update(overrides)
    return SlackClient(SlackSettings.model_validate(values))


def _email(port: int, **overrides: object) -> EmailClient:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": SMTP_USER,
        "password": SMTP_PASSWORD,
        "sender": "close@ledgerbridge.example",
        "sender_name": "ledgerbridge",
        "recipients": ("controller@example.com", "fpa@example.com"),
        "local_hostname": "test.ledgerbridge.invalid",
    }
    values.update(overrides)
    return EmailClient(EmailSettings.model_validate(values))


async def test_slack_client_posts_blocks(slack_url: str) -> None:
    blocks = (header("Close 2026-01"), section("*Revenue* 1,234.56 USD"))
    async with _slack(slack_url) as client:
        identity = await client.auth_test()
        posted = await client.post_message(SlackMessage(text="Close 2026-01 done", blocks=blocks))

    stored = (await _get(f"{slack_url}/_sandbox/slack/messages"))["messages"]
    assert identity.team_id == "T0LBSANDBX"
    assert posted.channel == "C0LBFINAN1"
    assert [(m["ts"], m["blocks"]) for m in stored] == [(posted.ts, list(blocks))]


async def test_slack_client_paces_one_message_per_second_per_channel(slack_url: str) -> None:
    async with _slack(slack_url) as client:
        for number in range(3):
            await client.post_message(SlackMessage(text=f"message {number}"), channel="#finance")
        await client.post_message(SlackMessage(text="other channel"), channel="C0LBREVOP1")

    stats = await _get(f"{slack_url}/_sandbox/stats")
    stored = await _get(f"{slack_url}/_sandbox/slack/messages", channel="finance")
    # measured at the emulator: no 429s, and every message on the channel arrived >= 1 s after the last
    assert stats["throttled_total"] == 0
    assert [m["text"] for m in stored["messages"]] == ["message 0", "message 1", "message 2"]
    arrivals = [m["received_at"] for m in stored["messages"]]
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(arrivals))


async def test_slack_client_maps_errors(slack_url: str) -> None:
    async with _slack(slack_url, token="xoxb-wrong-token") as bad, _slack(slack_url) as client:
        with pytest.raises(Fatal) as auth:
            await bad.post_message(SlackMessage(text="x"))
        with pytest.raises(ActionNeeded) as archived:
            await client.post_message(SlackMessage(text="x"), channel="#old-close")
        with pytest.raises(ActionNeeded):
            await client.post_message(SlackMessage(text="x"), channel="#nowhere")
        with pytest.raises(RecordRejected) as empty:
            await client.post_message(SlackMessage(text=""), channel="#general")
        await _post(f"{slack_url}/_sandbox/faults", {"throttle_rate": 1.0})
        with pytest.raises(Retriable) as limited:
            await client.post_message(SlackMessage(text="x"), channel="#general")

    assert auth.value.vendor_code == "invalid_auth"
    assert TOKEN not in str(auth.value) and "xoxb-wrong-token" not in str(auth.value)
    assert archived.value.vendor_code == "is_archived"
    assert empty.value.vendor_code == "no_text"
    assert limited.value.retry_after == 1.0
    # the 429 pushed the channel's next slot out by Retry-After
    assert client.pacer.wait_time("#general") > 0.5


async def test_slack_webhook(slack_url: str) -> None:
    good = _slack(slack_url, token=None, webhook_url=f"{slack_url}{DEMO_WEBHOOKS[0].path}")
    wrong = _slack(slack_url, token=None, webhook_url=f"{slack_url}/services/T0/B0/nope")
    async with good, wrong:
        await good.post_webhook(SlackMessage(text="via webhook", blocks=(section("ok"),)))
        with pytest.raises(Fatal) as unknown:
            await wrong.post_webhook(SlackMessage(text="x"))
        with pytest.raises(RecordRejected) as empty:
            await good.post_webhook(SlackMessage(text=""))

    stored = (await _get(f"{slack_url}/_sandbox/slack/messages"))["messages"]
    assert [(m["channel_name"], m["source"]) for m in stored] == [("finance", "webhook")]
    assert unknown.value.vendor_code == "no_service" and "nope" not in str(unknown.value)
    assert empty.value.vendor_code == "no_text"


async def test_email_with_text_and_html_arrives_in_the_mailbox(smtp: tuple[str, int]) -> None:
    url, port = smtp
    email = OutgoingEmail(
        subject="Period 2026-01 closed",
        text="Actuals loaded. Revenue 1,234.56 USD.",
        html="<p>Actuals loaded. <b>Revenue</b> 1,234.56 USD.</p>",
        headers=(("X-Ledgerbridge-Run", "run-42"),),
    )

    sent = await _email(port).send(email)

    mail = (await _get(f"{url}/_sandbox/mail"))["messages"]
    assert len(mail) == 1
    received = mail[0]
    assert received["subject"] == "Period 2026-01 closed"
    assert received["from"] == ["close@ledgerbridge.example"]
    assert received["to"] == ["controller@example.com", "fpa@example.com"]
    assert received["text"].strip() == "Actuals loaded. Revenue 1,234.56 USD."
    assert received["html"].strip() == "<p>Actuals loaded. <b>Revenue</b> 1,234.56 USD.</p>"
    assert received["message_id"] == sent.message_id
    assert received["envelope"]["auth_user"] == SMTP_USER
    assert ["X-Ledgerbridge-Run", "run-42"] in received["headers"]
    assert sent.accepted == ("controller@example.com", "fpa@example.com") and sent.refused == {}


async def test_email_auth_failure_is_fatal_without_the_password(smtp: tuple[str, int]) -> None:
    _, port = smtp
    with pytest.raises(Fatal) as failed:
        await _email(port, password="wrong-password-123").send(OutgoingEmail(subject="s", text="t"))

    assert failed.value.vendor_code == "535"
    assert "wrong-password-123" not in str(failed.value) and SMTP_PASSWORD not in str(failed.value)


async def test_email_refused_recipients(smtp: tuple[str, int]) -> None:
    url, port = smtp
    client = _email(port)

    with pytest.raises(RecordRejected) as all_refused:
        await client.send(OutgoingEmail(subject="s", text="t", recipients=(REFUSED,)))
    partly = await client.send(OutgoingEmail(subject="s", text="t", recipients=(REFUSED, "ok@example.com")))

    assert all_refused.value.vendor_code == "550"
    assert partly.accepted == ("ok@example.com",)
    assert partly.refused[REFUSED].startswith("550 5.1.1")
    assert [m["envelope"]["rcpt_tos"] for m in (await _get(f"{url}/_sandbox/mail"))["messages"]] == [
        ["ok@example.com"]
    ]


async def test_email_temporary_failure_and_unreachable_server_are_retriable(smtp: tuple[str, int]) -> None:
    url, port = smtp
    await _post(f"{url}/_sandbox/faults", {"error_rate": 1.0})
    with pytest.raises(Retriable) as deferred:
        await _email(port).send(OutgoingEmail(subject="s", text="t"))
    await _post(f"{url}/_sandbox/reset")
    with pytest.raises(Retriable) as unreachable:
        await _email(1, timeout=2).send(OutgoingEmail(subject="s", text="t"))

    assert deferred.value.vendor_code == "451"
    assert unreachable.value.vendor_code == "network"
