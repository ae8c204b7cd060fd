"""The emulated workspace's state: channels, incoming-webhook URLs and every message posted.

Thread-safe: FastAPI routes and the ``/_sandbox`` callbacks (run in worker threads) share one store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

MessageSource = Literal["api", "webhook"]


@dataclass(frozen=True, slots=True)
class Channel:
    """A conversation the bot may (or may not) post to."""

    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    #: whether the bot user is a member; posting to a channel it is not in is ``not_in_channel``
    is_member: bool = True
    created: int = 1_700_000_000
    topic: str = ""
    purpose: str = ""

    def to_api(self) -> dict[str, Any]:
        """The channel object ``conversations.list`` returns (the fields clients read)."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_member": self.is_member,
            "created": self.created,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
        }


@dataclass(frozen=True, slots=True)
class Webhook:
    """An incoming-webhook URL ``/services/<team>/<bot>/<secret>`` bound to one channel."""

    team: str
    bot: str
    secret: str
    channel_id: str

    @property
    def path(self) -> str:
        return f"/services/{self.team}/{self.bot}/{self.secret}"


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One accepted message, as tests and the demo read it at ``/_sandbox/slack/messages``."""

    channel: str
    channel_name: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    source: MessageSource
    user: str
    received_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class SlackStore:
    """Channels by id, webhooks by path, messages in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, Channel] = {}
        self._webhooks: dict[str, Webhook] = {}
        self._messages: list[StoredMessage] = []
        self._last_ts = 0.0

    # --- channels and webhooks ---------------------------------------------------------------------------

    def replace(self, channels: Sequence[Channel], webhooks: Sequence[Webhook]) -> None:
        """Load a workspace: every channel and webhook replaced, the message history cleared."""
        by_id = {channel.id: channel for channel in channels}
        for hook in webhooks:
            if hook.channel_id not in by_id:
                raise ValueError(f"webhook {hook.path} names unknown channel {hook.channel_id!r}")
        with self._lock:
            self._channels = by_id
            self._webhooks = {hook.path: hook for hook in webhooks}
            self._messages = []

    def channels(self) -> list[Channel]:
        with self._lock:
            return sorted(self._channels.values(), key=lambda channel: channel.id)

    def find_channel(self, ref: str) -> Channel | None:
        """A channel by id (``C…``) or by name, with or without the leading ``#`` (as Slack accepts)."""
        with self._lock:
            if ref in self._channels:
                return self._channels[ref]
            name = ref.removeprefix("#")
            return next((channel for channel in self._channels.values() if channel.name == name), None)

    def webhook(self, path: str) -> Webhook | None:
        with self._lock:
            return self._webhooks.get(path)

    def webhooks(self) -> list[Webhook]:
        with self._lock:
            return list(self._webhooks.values())

    # --- messages -----------------------------------------------------------------------------------------

    def add_message(
        self,
        channel: Channel,
        *,
        text: str,
        blocks: list[Any] | None,
        thread_ts: str | None,
        source: MessageSource,
        user: str,
    ) -> StoredMessage:
        """Store a message under a fresh ``ts`` (unique and increasing, like Slack's message ids)."""
        with self._lock:
            now = time.time()
            # Slack's ts is "<epoch seconds>.<6 digits>" and unique per channel; never reuse or go backwards.
            stamp = max(now, self._last_ts + 0.000001)
            self._last_ts = stamp
            message = StoredMessage(
                channel=channel.id,
                channel_name=channel.name,
                ts=f"{stamp:.6f}",
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                source=source,
                user=user,
                received_at=now,
            )
            self._messages.append(message)
            return message

    def has_message(self, channel_id: str, ts: str) -> bool:
        with self._lock:
            return any(m.channel == channel_id and m.ts == ts for m in self._messages)

    def messages(self, channel: str | None = None) -> list[StoredMessage]:
        with self._lock:
            return [m for m in self._messages if channel is None or channel in (m.channel, m.channel_name)]

    def counts(self) -> Mapping[str, int]:
        with self._lock:
            return {
                "channels": len(self._channels),
                "webhooks": len(self._webhooks),
                "messages": len(self._messages),
            }
