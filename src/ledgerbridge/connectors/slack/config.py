"""Typed connection settings for one Slack workspace (a bot token and/or an incoming-webhook URL)."""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

DEFAULT_BASE_URL = "https://slack.com/api/"


class SlackSettings(BaseModel):
    """What the connector needs: the Web API base URL and bot token, or a webhook URL, or both."""

    # hide_input_in_errors: a rejected webhook URL or password must not be echoed in the error
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    #: the Web API root, ending in ``/api/``; the sandbox is ``http://127.0.0.1:8704/api/``
    base_url: str = DEFAULT_BASE_URL
    #: the bot token (``xoxb-…``) for ``chat.postMessage``
    token: SecretStr | None = None
    #: an incoming-webhook URL; its path is the credential, so it is a secret too
    webhook_url: SecretStr | None = None
    #: the channel messages go to when the caller names none (``#finance`` or ``C…``)
    default_channel: str | None = None
    #: Slack allows about one message per second per channel; the client never goes faster
    messages_per_second: float = Field(default=1.0, gt=0, le=10)
    timeout: float = Field(default=10.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {value!r}")
        return value if value.endswith("/") else f"{value}/"

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            url = httpx.URL(value.get_secret_value())
            if url.scheme not in ("http", "https") or not url.host:
                # never echo the value: the URL path is the webhook's secret
                raise ValueError("webhook_url must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _check_credentials(self) -> SlackSettings:
        if self.token is None and self.webhook_url is None:
            raise ValueError("set a bot token, a webhook_url, or both")
        return self

    @property
    def min_interval(self) -> float:
        """Seconds between two messages to the same channel."""
        return 1.0 / self.messages_per_second
