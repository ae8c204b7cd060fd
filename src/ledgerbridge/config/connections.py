"""Connections: one account in one system (``system:`` picks the model).

These models describe what the *workspace file* says about an account. The connectors build their own
run-time settings from them (``connectors`` may import ``config``, never the other way round), so nothing
here knows how a system is spoken to — only what must be true before we try.

Limits have per-system defaults (NetSuite's base concurrency tier, Pigment's 500 requests / 5 minutes,
Slack's one message a second); a partial ``limits:`` block only overrides the keys it names.
"""

from __future__ import annotations

import math
import re
from abc import abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from ledgerbridge.config.base import StrictModel, invalid, load_context
from ledgerbridge.config.secrets import Secret
from ledgerbridge.config.urls import check_base_url, is_loopback, is_valid_host
from ledgerbridge.config.zones import TimeZoneName

SYSTEMS: tuple[str, ...] = ("netsuite", "nue", "pigment", "slack", "email")

# Production accounts are digits; sandboxes and release previews add a suffix (`_SB1`, `-sb2`, `_RP`).
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]+(?:[_-][0-9A-Za-z]+)?$")
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_CHANNEL_RE = re.compile(r"^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{2,})$")


def _check_email(value: str) -> str:
    if not _EMAIL_RE.fullmatch(value) and not (value.count("@") == 1 and value.endswith("@localhost")):
        raise invalid(f"'{value}' is not an e-mail address", "write it as name@example.com")
    return value


EmailAddress = Annotated[str, AfterValidator(_check_email)]


class Limits(StrictModel):
    """How hard ledgerbridge may push one account. Shared by every flow that uses the connection."""

    concurrency: int = Field(default=4, ge=1, le=100, description="requests in flight at once")
    requests_per_minute: int | None = Field(
        default=None, ge=1, le=100_000, description="request budget per sliding minute (none: unlimited)"
    )
    headroom: float = Field(
        default=0.0,
        ge=0.0,
        le=0.9,
        description="share of the account's concurrency left unused for other integrations (NetSuite)",
    )

    @property
    def effective_concurrency(self) -> int:
        """Concurrency after headroom, never below one request."""
        return max(1, math.floor(self.concurrency * (1.0 - self.headroom)))


class ConnectionBase(StrictModel):
    """Settings every connection has."""

    #: per-system defaults for ``limits``; a partial block in the file is merged over these
    default_limits: ClassVar[dict[str, Any]] = {}

    timeout_seconds: float = Field(default=30.0, gt=0, le=3600, description="per-request timeout")
    limits: Limits

    @model_validator(mode="before")
    @classmethod
    def _merge_default_limits(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        given = data.get("limits")
        if given is None:
            return {**data, "limits": dict(cls.default_limits)}
        if isinstance(given, Mapping):
            return {**data, "limits": {**cls.default_limits, **given}}
        return data


class HttpConnection(ConnectionBase):
    """A system reached over HTTPS (http only on loopback, for the sandbox)."""

    base_url: Annotated[str, AfterValidator(check_base_url)] | None = Field(
        default=None, description="override the vendor's URL (the sandbox, a proxy)"
    )
    ca_file: Path | None = Field(
        default=None, description="extra CA bundle to trust (PEM), e.g. the sandbox's --tls certificate"
    )

    @field_validator("ca_file")
    @classmethod
    def _check_ca_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        path = load_context(info).resolve(value)
        if not path.is_file():
            raise invalid(
                f"CA file '{value}' not found",
                "give a PEM file's path (relative to the workspace file), e.g. .ledgerbridge/sandbox-ca.pem",
            )
        return path

    @abstractmethod
    def default_base_url(self) -> str:
        """The vendor's production URL, used when ``base_url`` is not set."""

    @property
    def url(self) -> str:
        """The URL requests go to: the override if set, else the vendor's."""
        return self.base_url or self.default_base_url()


class TbaAuth(StrictModel):
    """NetSuite token-based authentication (OAuth 1.0a, HMAC-SHA256)."""

    type: Literal["tba"]
    consumer_key: Secret
    consumer_secret: Secret
    token_id: Secret
    token_secret: Secret


class OAuth2ClientCredentialsAuth(StrictModel):
    """NetSuite OAuth 2.0 client credentials: a JWT signed with the certificate's private key (PEM)."""

    type: Literal["oauth2_client_credentials"]
    client_id: Secret
    certificate_id: Secret
    private_key: Secret


NetSuiteAuth = Annotated[TbaAuth | OAuth2ClientCredentialsAuth, Field(discriminator="type")]


class NetSuiteConnection(HttpConnection):
    """A NetSuite account (production or sandbox) over SuiteTalk REST."""

    default_limits: ClassVar[dict[str, Any]] = {"concurrency": 5, "headroom": 0.2}

    system: Literal["netsuite"]
    account_id: str = Field(description="NetSuite account id, e.g. 1234567 or 1234567_SB1")
    auth: NetSuiteAuth
    timezone: TimeZoneName | None = Field(
        default=None, description="the account's time zone (cursors); default: the workspace's"
    )

    @field_validator("account_id")
    @classmethod
    def _check_account_id(cls, value: str) -> str:
        value = value.strip()
        if not _ACCOUNT_RE.fullmatch(value):
            raise invalid(
                f"'{value}' is not a NetSuite account id",
                "copy it from Setup > Company > Company Information, e.g. 1234567 or 1234567_SB1",
            )
        return value

    @property
    def realm(self) -> str:
        """The OAuth realm: upper case with an underscore (``1234567_SB1``)."""
        return self.account_id.upper().replace("-", "_")

    def default_base_url(self) -> str:
        return f"https://{self.account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"


class NueConnection(HttpConnection):
    """A Nue (billing) tenant."""

    default_limits: ClassVar[dict[str, Any]] = {"concurrency": 4}

    system: Literal["nue"]
    api_key: Secret
    timezone: TimeZoneName | None = Field(
        default=None, description="the tenant's time zone (cursors); default: the workspace's"
    )

    def default_base_url(self) -> str:
        return "https://api.nue.io"


class PigmentConnection(HttpConnection):
    """A Pigment organisation; each API key type is optional, but at least one is needed."""

    # Pigment allows 500 requests per 5 minutes per IP: 100 in any minute keeps every 5-minute window legal.
    default_limits: ClassVar[dict[str, Any]] = {"concurrency": 4, "requests_per_minute": 100}

    system: Literal["pigment"]
    import_key: Secret | None = None
    export_key: Secret | None = None
    metadata_key: Secret | None = None

    @model_validator(mode="after")
    def _needs_a_key(self) -> PigmentConnection:
        if self.import_key is None and self.export_key is None and self.metadata_key is None:
            raise invalid(
                "a Pigment connection needs at least one API key",
                "add import_key, export_key and/or metadata_key as {env: NAME} references",
            )
        return self

    def default_base_url(self) -> str:
        return "https://pigment.app"


class SlackConnection(HttpConnection):
    """A Slack workspace reached with a bot token."""

    # chat.postMessage allows about one message per second per channel
    default_limits: ClassVar[dict[str, Any]] = {"concurrency": 1, "requests_per_minute": 60}

    system: Literal["slack"]
    token: Secret
    default_channel: str = Field(description="'#finance-close' or a channel id such as C0123ABC")

    @field_validator("default_channel")
    @classmethod
    def _check_channel(cls, value: str) -> str:
        if not _CHANNEL_RE.fullmatch(value):
            raise invalid(
                f"'{value}' is not a Slack channel",
                "write '#channel-name' (lower case) or a channel id such as C0123ABC",
            )
        return value

    def default_base_url(self) -> str:
        return "https://slack.com/api"


class EmailConnection(ConnectionBase):
    """An SMTP server that sends the notifications."""

    default_limits: ClassVar[dict[str, Any]] = {"concurrency": 2}

    system: Literal["email"]
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (port 465) or none (loopback only)"
    )
    username: str | None = None
    password: Secret | None = None
    sender: EmailAddress
    recipients: list[EmailAddress] = Field(min_length=1)

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        if not is_valid_host(value):
            raise invalid(
                f"'{value}' is not a host name", "write the SMTP server's name, e.g. smtp.example.com"
            )
        return value

    @model_validator(mode="after")
    def _check_security(self) -> EmailConnection:
        if self.security == "none" and not is_loopback(self.host):
            raise invalid(
                f"unencrypted SMTP is only allowed for loopback hosts, not '{self.host}'",
                "use security: starttls (or tls on port 465)",
                at=("security",),
            )
        if self.password is not None and self.username is None:
            raise invalid(
                "a password needs a username", "add username: or remove password:", at=("username",)
            )
        return self


Connection = Annotated[
    NetSuiteConnection | NueConnection | PigmentConnection | SlackConnection | EmailConnection,
    Field(discriminator="system"),
]
