"""Settings of one emulated Slack workspace: who the bot is, its token, the seed, the posting limit."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from .._kit.faults import FaultSettings

SeedName = Literal["demo", "empty"]


def new_bot_token() -> SecretStr:
    """A random bot token in Slack's shape (``xoxb-…``), so clients that check the prefix accept it."""
    return SecretStr(f"xoxb-sandbox-{secrets.token_hex(16)}")


class SlackSettings(BaseModel):
    """How the emulated workspace behaves. Every default mirrors Slack's documented behaviour."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the bot token clients send (``Authorization: Bearer`` or the ``token`` parameter)
    token: SecretStr = Field(default_factory=new_bot_token)
    #: tokens answered ``token_revoked`` (a real workspace's uninstalled app)
    revoked_tokens: tuple[SecretStr, ...] = ()
    team_id: str = "T0LBSANDBX"
    team_name: str = "ledgerbridge sandbox"
    team_domain: str = "ledgerbridge-sandbox"
    bot_user_id: str = "U0LBBOT001"
    bot_id: str = "B0LBBOT001"
    bot_name: str = "ledgerbridge"
    seed: SeedName = "demo"

    #: chat.postMessage's special tier: about one message per second per channel (api.slack.com rate limits)
    messages_per_second: float = Field(default=1.0, gt=0)
    #: messages a channel may take at once before the per-second pace applies ("short bursts"); 1 = none
    burst: int = Field(default=1, ge=1)
    #: Slack truncates/refuses text over 40,000 characters (``msg_too_long``)
    max_text_length: int = Field(default=40_000, ge=1)
    #: Block Kit allows at most 50 blocks per message (``invalid_blocks`` beyond)
    max_blocks: int = Field(default=50, ge=1)

    faults: FaultSettings = FaultSettings()
