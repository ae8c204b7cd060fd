"""The real ``slack_sdk`` (unchanged, only ``base_url`` set) against the Slack emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookClient

from ledgerbridge.sandbox.slack.app import create_app
from ledgerbridge.sandbox.slack.seed import DEMO_WEBHOOKS
from ledgerbridge.sandbox.slack.settings import SlackSettings
from tests.support.servers import serve

TOKEN = "xoxb-contract-test-token"
BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Close: 2026-01"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Revenue* 1,234.56 USD"}},
]


@pytest.fixture()
def slack_url() -> Iterator[str]:
    # a fresh app per test: each posts to the same channels and the per-channel limit must not carry over
    with serve(create_app(SlackSettings(token=TOKEN))) as url:
        yield url


def _messages(url: str, channel: str | None = None) -> list[dict[str, object]]:
    params = {"channel": channel} if channel else {}
    response = httpx.get(f"{url}/_sandbox/slack/messages", params=params)
    response.raise_for_status()
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


def test_web_client_posts_blocks_and_the_message_is_stored(slack_url: str) -> None:
    client = WebClient(token=TOKEN, base_url=f"{slack_url}/api/")

    identity = client.auth_test()
    response = client.chat_postMessage(channel="#finance", text="Close summary", blocks=BLOCKS)

    assert identity["ok"] is True and identity["team_id"] == "T0LBSANDBX"
    assert response["ok"] is True
    assert response["channel"] == "C0LBFINAN1"
    assert response["message"]["blocks"] == BLOCKS
    stored = _messages(slack_url, "finance")
    assert [(m["ts"], m["text"], m["blocks"], m["source"]) for m in stored] == [
        (response["ts"], "Close summary", BLOCKS, "api")
    ]


def test_web_client_lists_channels_with_form_parameters(slack_url: str) -> None:
    client = WebClient(token=TOKEN, base_url=f"{slack_url}/api/")

    first = client.conversations_list(limit=2, exclude_archived=True)
    second = client.conversations_list(
        limit=2, exclude_archived=True, cursor=first["response_metadata"]["next_cursor"]
    )

    names = [c["name"] for c in first["channels"]] + [c["name"] for c in second["channels"]]
    assert set(names) == {"general", "finance", "revops"}
    assert second["response_metadata"]["next_cursor"] == ""


def test_web_client_raises_slack_api_error_for_errors(slack_url: str) -> None:
    bad_token = WebClient(token="xoxb-wrong", base_url=f"{slack_url}/api/")
    client = WebClient(token=TOKEN, base_url=f"{slack_url}/api/")

    with pytest.raises(SlackApiError) as auth_error:
        bad_token.chat_postMessage(channel="#finance", text="hi")
    with pytest.raises(SlackApiError) as channel_error:
        client.chat_postMessage(channel="#nope", text="hi")

    assert auth_error.value.response["error"] == "invalid_auth"
    assert channel_error.value.response.status_code == 200
    assert channel_error.value.response["error"] == "channel_not_found"
    assert _messages(slack_url) == []


def test_web_client_sees_the_per_channel_rate_limit(slack_url: str) -> None:
    client = WebClient(token=TOKEN, base_url=f"{slack_url}/api/")
    client.chat_postMessage(channel="C0LBFINAN1", text="first")

    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C0LBFINAN1", text="second, too soon")
    other_channel = client.chat_postMessage(channel="#revops", text="another channel is not limited")

    assert limited.value.response.status_code == 429
    assert limited.value.response["error"] == "ratelimited"
    assert int(limited.value.response.headers["Retry-After"][0]) >= 1
    assert other_channel["ok"] is True
    assert httpx.get(f"{slack_url}/_sandbox/stats").json()["throttled_total"] == 1


async def test_async_web_client_posts(slack_url: str) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=f"{slack_url}/api/")

    response = await client.chat_postMessage(channel="#general", text="from the async client", blocks=BLOCKS)

    assert response["ok"] is True
    assert [m["text"] for m in _messages(slack_url, "C0LBGENRL1")] == ["from the async client"]


def test_webhook_client_posts_and_unknown_urls_fail(slack_url: str) -> None:
    hook = WebhookClient(url=f"{slack_url}{DEMO_WEBHOOKS[0].path}")
    unknown = WebhookClient(url=f"{slack_url}/services/T0LBSANDBX/B0LBHOOK01/wrong")

    sent = hook.send(text="Period 2026-01 closed", blocks=BLOCKS)
    missing = unknown.send(text="lost")

    assert (sent.status_code, sent.body) == (200, "ok")
    assert (missing.status_code, missing.body) == (404, "no_service")
    stored = _messages(slack_url, "#finance")
    assert [(m["text"], m["source"]) for m in stored] == [("Period 2026-01 closed", "webhook")]
