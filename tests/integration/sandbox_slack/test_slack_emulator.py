"""The Slack emulator over HTTP: argument forms, every posting error, webhooks, limits, control routes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from ledgerbridge.sandbox._kit.emulator import EmulatorContext
from ledgerbridge.sandbox.slack.app import create_app, sandbox_emulator
from ledgerbridge.sandbox.slack.limits import ChannelRateLimiter
from ledgerbridge.sandbox.slack.settings import SlackSettings
from tests.support.servers import serve

TOKEN = "xoxb-emulator-test-token"
REVOKED = "xoxb-revoked-test-token"


@pytest.fixture()
def url() -> Iterator[str]:
    settings = SlackSettings(token=TOKEN, revoked_tokens=(REVOKED,))  # type: ignore[arg-type]
    with serve(create_app(settings)) as base:
        yield base


@pytest.fixture()
def api(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{url}/api/", headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def _error(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is False
    return str(body["error"])


def test_form_body_with_token_parameter_and_json_string_blocks(url: str) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*AR* 10.05"}}]
    response = httpx.post(
        f"{url}/api/chat.postMessage",
        data={"token": TOKEN, "channel": "finance", "text": "t", "blocks": json.dumps(blocks)},
    )
    body = response.json()
    assert body["ok"] is True and body["message"]["blocks"] == blocks
    assert body["channel"] == "C0LBFINAN1"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "not_authed"),
        ({"Authorization": "Bearer xoxb-nope"}, "invalid_auth"),
        ({"Authorization": f"Bearer {REVOKED}"}, "token_revoked"),
    ],
)
def test_token_errors(url: str, headers: dict[str, str], expected: str) -> None:
    response = httpx.post(
        f"{url}/api/chat.postMessage", json={"channel": "#finance", "text": "x"}, headers=headers
    )
    assert _error(response) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"channel": "#missing", "text": "x"}, "channel_not_found"),
        ({"channel": "#old-close", "text": "x"}, "is_archived"),
        ({"channel": "C0LBEXECS1", "text": "x"}, "channel_not_found"),
        ({"channel": "#finance"}, "no_text"),
        ({"channel": "#finance", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "#finance", "blocks": [{"text": "no type"}]}, "invalid_blocks"),
        ({"channel": "#finance", "blocks": "not json"}, "invalid_blocks_format"),
        ({"channel": "#finance", "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
    ],
)
def test_posting_errors_are_ok_false_at_http_200(
    api: httpx.Client, url: str, payload: dict[str, object], expected: str
) -> None:
    assert _error(api.post("chat.postMessage", json=payload)) == expected
    assert httpx.get(f"{url}/_sandbox/slack/messages").json()["messages"] == []


def test_not_in_channel_for_a_public_channel_the_bot_left(api: httpx.Client, url: str) -> None:
    fixture = {"channels": [{"id": "C0LBPUB001", "name": "board", "is_member": False}]}
    assert httpx.post(f"{url}/_sandbox/seed", json=fixture).json() == {
        "status": "loaded",
        "loaded": {"channels": 1, "webhooks": 0},
    }
    assert _error(api.post("chat.postMessage", json={"channel": "#board", "text": "x"})) == "not_in_channel"


def test_thread_reply_and_unknown_method(api: httpx.Client) -> None:
    parent = api.post("chat.postMessage", json={"channel": "#general", "text": "parent"}).json()
    api_error = api.post("chat.nonexistent", json={})

    # a thread lives in its own channel: the same ts on another channel names no thread
    reply_elsewhere = api.post(
        "chat.postMessage", json={"channel": "#finance", "text": "r", "thread_ts": parent["ts"]}
    )

    assert _error(reply_elsewhere) == "thread_not_found"
    assert _error(api_error) == "unknown_method"


def test_rate_limit_is_per_channel_with_retry_after(api: httpx.Client, url: str) -> None:
    assert api.post("chat.postMessage", json={"channel": "#finance", "text": "1"}).json()["ok"] is True
    limited = api.post("chat.postMessage", json={"channel": "#finance", "text": "2"})

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert limited.json() == {"ok": False, "error": "ratelimited"}
    stats = httpx.get(f"{url}/_sandbox/stats").json()
    assert stats["throttled_total"] == 1
    assert stats["requests_by_route"]["POST /api/chat.postMessage"] == 2
    assert stats["workspace"]["messages"] == 1


def test_webhook_errors(url: str) -> None:
    fixture = {
        "channels": [{"id": "C0LBARCH01", "name": "archived", "is_archived": True}],
        "webhooks": [{"team": "T1", "bot": "B1", "secret": "s1", "channel_id": "C0LBARCH01"}],
    }
    httpx.post(f"{url}/_sandbox/seed", json=fixture).raise_for_status()

    archived = httpx.post(f"{url}/services/T1/B1/s1", json={"text": "x"})
    invalid = httpx.post(
        f"{url}/services/T1/B1/s1", content=b"{not json", headers={"content-type": "application/json"}
    )
    empty = httpx.post(f"{url}/hooks/T1/B1/s1", json={})

    assert (archived.status_code, archived.text) == (410, "channel_is_archived")
    assert (invalid.status_code, invalid.text) == (400, "invalid_payload")
    assert (empty.status_code, empty.text) == (400, "no_text")


def test_reset_restores_the_seed_and_clears_history_and_counters(api: httpx.Client, url: str) -> None:
    api.post("chat.postMessage", json={"channel": "#finance", "text": "before reset"})
    httpx.post(f"{url}/_sandbox/seed", json={"channels": []}).raise_for_status()

    httpx.post(f"{url}/_sandbox/reset").raise_for_status()

    assert httpx.get(f"{url}/_sandbox/slack/messages").json() == {"messages": []}
    assert httpx.get(f"{url}/_sandbox/stats").json()["requests_total"] == 0
    # the limiter was reset too: the channel takes a message at once
    assert api.post("chat.postMessage", json={"channel": "#finance", "text": "after"}).json()["ok"] is True


def test_injected_faults_use_slack_shapes(api: httpx.Client, url: str) -> None:
    httpx.post(f"{url}/_sandbox/faults", json={"error_rate": 1.0, "seed": 1}).raise_for_status()
    failed = api.post("auth.test")
    httpx.post(f"{url}/_sandbox/faults", json={"error_rate": 0.0, "throttle_rate": 1.0}).raise_for_status()
    throttled = api.post("auth.test")

    assert failed.status_code in (500, 503) and failed.json()["ok"] is False
    assert throttled.status_code == 429 and throttled.json()["error"] == "ratelimited"
    assert throttled.headers["Retry-After"] == "1"


def test_bad_fixture_is_a_400_naming_the_entry(url: str) -> None:
    response = httpx.post(f"{url}/_sandbox/seed", json={"channels": [{"name": "x"}]})
    assert response.status_code == 400
    assert "channels[0]" in response.json()["error"]


def test_sandbox_factory_reports_connection_facts() -> None:
    build = sandbox_emulator(EmulatorContext(seed="demo", tls=False, credentials={"token": TOKEN}))

    assert build.info["token"] == TOKEN
    assert build.info["webhook_path"].startswith("/services/")
    with pytest.raises(ValueError, match="unknown seed"):
        sandbox_emulator(EmulatorContext(seed="nope", tls=False))


def test_limiter_refills_at_the_configured_pace() -> None:
    now = [100.0]
    limiter = ChannelRateLimiter(per_second=1.0, burst=2, clock=lambda: now[0])

    taken = [limiter.try_acquire("C1"), limiter.try_acquire("C1"), limiter.try_acquire("C1")]
    now[0] += 0.5
    still_waiting = limiter.try_acquire("C1")
    now[0] += 0.5
    refilled = limiter.try_acquire("C1")

    assert taken == [None, None, 1]
    assert still_waiting == 1
    assert refilled is None
    assert limiter.try_acquire("C2") is None
