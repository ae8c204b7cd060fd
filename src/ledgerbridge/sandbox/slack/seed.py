"""The workspaces the emulator starts with, and the JSON fixture format of ``POST /_sandbox/seed``.

Fixture: ``{"channels": [{"id", "name", "is_private"?, "is_archived"?, "is_member"?}],
"webhooks": [{"team", "bot", "secret", "channel_id"}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .settings import SeedName
from .store import Channel, SlackStore, Webhook

#: the demo workspace: where close notifications go, plus the channels that exercise each posting error
DEMO_CHANNELS: tuple[Channel, ...] = (
    Channel("C0LBGENRL1", "general", purpose="Company-wide announcements"),
    Channel("C0LBFINAN1", "finance", purpose="Close status, variance reports"),
    Channel("C0LBREVOP1", "revops", purpose="Billing and CRM sync alerts"),
    # the bot was never invited: posting answers not_in_channel (an admin must /invite it)
    Channel("C0LBEXECS1", "exec-private", is_private=True, is_member=False),
    Channel("C0LBOLDCL1", "old-close", is_archived=True),
)
#: the incoming webhook of the demo workspace posts to #finance
DEMO_WEBHOOKS: tuple[Webhook, ...] = (
    Webhook(team="T0LBSANDBX", bot="B0LBHOOK01", secret="sandboxwebhooksecret01", channel_id="C0LBFINAN1"),
)
EMPTY_CHANNELS: tuple[Channel, ...] = (Channel("C0LBGENRL1", "general"),)


def load_seed(store: SlackStore, name: SeedName | str) -> None:
    """Replace the workspace with a named seed; LookupError for an unknown name."""
    if name == "demo":
        store.replace(DEMO_CHANNELS, DEMO_WEBHOOKS)
    elif name == "empty":
        store.replace(EMPTY_CHANNELS, ())
    else:
        raise LookupError(f"unknown Slack seed {name!r}; choose demo or empty")


def load_fixture(store: SlackStore, document: Mapping[str, Any]) -> Mapping[str, int]:
    """Replace the workspace with a JSON fixture; ValueError naming the bad entry."""
    unknown = set(document) - {"channels", "webhooks"}
    if unknown:
        raise ValueError(f"unknown fixture key(s): {', '.join(sorted(unknown))}")
    channels = [_channel(index, entry) for index, entry in enumerate(document.get("channels", []))]
    webhooks = [_webhook(index, entry) for index, entry in enumerate(document.get("webhooks", []))]
    store.replace(channels, webhooks)
    return {"channels": len(channels), "webhooks": len(webhooks)}


def _channel(index: int, entry: Any) -> Channel:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str) or not entry.get("name"):
        raise ValueError(f"channels[{index}] needs string 'id' and 'name'")
    try:
        return Channel(
            id=entry["id"],
            name=str(entry["name"]).removeprefix("#"),
            is_private=bool(entry.get("is_private", False)),
            is_archived=bool(entry.get("is_archived", False)),
            is_member=bool(entry.get("is_member", True)),
        )
    except TypeError as exc:
        raise ValueError(f"channels[{index}]: {exc}") from exc


def _webhook(index: int, entry: Any) -> Webhook:
    fields = ("team", "bot", "secret", "channel_id")
    if not isinstance(entry, Mapping) or not all(isinstance(entry.get(key), str) for key in fields):
        raise ValueError(f"webhooks[{index}] needs string {', '.join(fields)}")
    return Webhook(*(entry[key] for key in fields))
