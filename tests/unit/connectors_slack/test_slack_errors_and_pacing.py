"""Slack error classification and the per-channel pacer (fake clock, no network)."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from ledgerbridge.connectors.slack.config import SlackSettings
from ledgerbridge.connectors.slack.errors import api_error, error_for_code, webhook_error
from ledgerbridge.connectors.slack.pacing import ChannelPacer
from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("invalid_auth", Fatal),
        ("not_authed", Fatal),
        ("token_revoked", Fatal),
        ("channel_not_found", ActionNeeded),
        ("not_in_channel", ActionNeeded),
        ("ratelimited", Retriable),
        ("internal_error", Retriable),
        ("msg_too_long", RecordRejected),
        ("invalid_blocks", RecordRejected),
    ],
)
def test_codes_map_to_classes(code: str, expected: type[Exception]) -> None:
    error = error_for_code(code)
    assert type(error) is expected
    assert error.vendor_code == code


def test_api_error_reads_429_retry_after_and_ok_true() -> None:
    limited = httpx.Response(429, headers={"Retry-After": "3"}, json={"ok": False, "error": "ratelimited"})
    fine = httpx.Response(200, json={"ok": True, "channel": "C1", "ts": "1.2"})
    gateway = httpx.Response(502, text="<html>bad gateway</html>")

    error = api_error(limited)
    assert isinstance(error, Retriable) and error.retry_after == 3.0
    assert api_error(fine) is None
    assert isinstance(api_error(gateway), Retriable)


def test_webhook_errors() -> None:
    assert webhook_error(httpx.Response(200, text="ok")) is None
    assert isinstance(webhook_error(httpx.Response(404, text="channel_not_found")), ActionNeeded)
    assert isinstance(webhook_error(httpx.Response(403, text="invalid_token")), Fatal)
    assert isinstance(webhook_error(httpx.Response(400, text="invalid_payload")), RecordRejected)
    assert isinstance(webhook_error(httpx.Response(410, text="channel_is_archived")), ActionNeeded)


def test_settings_need_a_credential_and_hide_the_webhook_url() -> None:
    with pytest.raises(ValidationError, match="bot token"):
        SlackSettings()
    with pytest.raises(ValidationError) as bad:
        SlackSettings(webhook_url="ftp://hooks.example/services/T/B/secret-part")  # type: ignore[arg-type]
    assert "secret-part" not in str(bad.value)
    assert SlackSettings(token="xoxb-1", base_url="http://127.0.0.1:1/api").base_url.endswith("/api/")  # type: ignore[arg-type]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_pacer_spaces_sends_from_the_previous_answer() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)

    for _ in range(3):
        async with pacer.slot("C1"):
            time.now += 0.25  # the round trip
    async with pacer.slot("C2"):
        pass

    assert time.sleeps == [1.0, 1.0]  # C2 never waits for C1


async def test_pacer_honours_retry_after_and_aliases() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)

    async with pacer.slot("#finance") as slot:
        pacer.alias("#finance", "C1")
        slot.retry_after = 5.0

    assert pacer.wait_time("C1") == 5.0 and pacer.wait_time("#finance") == 5.0
    async with pacer.slot("C1"):
        pass
    assert time.sleeps == [5.0]
