"""Everything one emulated workspace holds, reachable from each route as ``request.app.state.slack``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request

from .._kit.middleware import SandboxKit
from .limits import ChannelRateLimiter
from .settings import SlackSettings
from .store import SlackStore

TokenCheck = str | None


@dataclass(slots=True)
class SlackEmulator:
    """The workspace: settings, state, the kit's fault knobs and counters, the per-channel limiter."""

    settings: SlackSettings
    store: SlackStore
    kit: SandboxKit
    limiter: ChannelRateLimiter

    def check_token(self, token: str | None) -> TokenCheck:
        """None when ``token`` is the bot token; otherwise Slack's error code for it."""
        if not token:
            return "not_authed"
        if any(secrets.compare_digest(token, r.get_secret_value()) for r in self.settings.revoked_tokens):
            return "token_revoked"
        if not secrets.compare_digest(token, self.settings.token.get_secret_value()):
            return "invalid_auth"
        return None


def emulator_of(request: Request) -> SlackEmulator:
    found = request.app.state.slack
    if not isinstance(found, SlackEmulator):
        raise TypeError("the app was not made by ledgerbridge.sandbox.slack.app.create_app")
    return found
