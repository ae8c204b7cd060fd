"""Typed records the Slack connector takes and returns, and small Block Kit builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """A message to post: ``text`` is the notification/fallback text, ``blocks`` the Block Kit layout."""

    text: str
    blocks: tuple[Block, ...] = ()
    #: reply in this thread (a parent message's ``ts``)
    thread_ts: str | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text}
        if self.blocks:
            body["blocks"] = list(self.blocks)
        if self.thread_ts is not None:
            body["thread_ts"] = self.thread_ts
        return body


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """Slack's receipt: the channel id and the message ``ts`` (the message's id within the channel)."""

    channel: str
    ts: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class AuthIdentity:
    """What ``auth.test`` says about the token."""

    team_id: str
    team: str
    user_id: str
    bot_id: str | None


def header(text: str) -> Block:
    """A header block (plain text, at most 150 characters in Slack)."""
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def section(markdown: str) -> Block:
    """A section block with mrkdwn text (Slack caps it at 3,000 characters)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": markdown[:3000]}}


def fields(*pairs: tuple[str, str]) -> Block:
    """A section of up to ten ``*label*\\nvalue`` fields (a compact two-column table)."""
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in pairs[:10]]}


def divider() -> Block:
    return {"type": "divider"}
