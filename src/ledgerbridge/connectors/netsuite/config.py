"""Typed connection settings for one NetSuite account.

The workspace file is validated by ``ledgerbridge.config``; this module holds what the connector needs at run
time: the account id (from which hosts and the OAuth realm are derived), resolved credentials as
:class:`pydantic.SecretStr`, an optional ``base_url`` override (the sandbox, a proxy), timeouts and the
batch/paging/governance knobs.

Host and realm rules (reference notes §1.1, §3.1): the host uses the account id lower-cased with ``_``
replaced by ``-`` (``1234567_SB1`` → ``1234567-sb1.suitetalk.api.netsuite.com``); the realm keeps
NetSuite's spelling, upper case with an underscore (``1234567_SB1``). A realm/host mismatch is the classic
cause of ``InvalidSignature``, so both are derived here and nowhere else.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# Production accounts are digits; sandboxes/release previews add a suffix (`_SB1`, `-sb2`, `_RP`).
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]+(?:[_-][0-9A-Za-z]+)?$")

#: NetSuite's batch operations accept at most this many records per request (notes §1.10).
MAX_BATCH_SIZE = 100
#: SuiteQL and record lists return at most this many rows per page (notes §1.5, §2.2).
MAX_PAGE_SIZE = 1000

JwtAlgorithm = Literal["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


def account_slug(account_id: str) -> str:
    """The host label of an account: ``1234567_SB1`` → ``1234567-sb1``."""
    return account_id.strip().lower().replace("_", "-")


def account_realm(account_id: str) -> str:
    """The OAuth realm of an account, as NetSuite spells it: ``1234567-sb1`` → ``1234567_SB1``."""
    return account_id.strip().upper().replace("-", "_")


class TbaCredentials(BaseModel):
    """Token-based authentication (OAuth 1.0a, HMAC-SHA256): integration record + access token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["tba"] = "tba"
    consumer_key: SecretStr
    consumer_secret: SecretStr
    token_id: SecretStr
    token_secret: SecretStr


class OAuth2ClientCredentials(BaseModel):
    """OAuth 2.0 client credentials (machine to machine): a JWT assertion signed with the private key whose
    certificate was uploaded to NetSuite; ``certificate_id`` goes into the JWT header as ``kid``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["oauth2_client_credentials"] = "oauth2_client_credentials"
    client_id: SecretStr
    certificate_id: SecretStr
    private_key_pem: SecretStr
    algorithm: JwtAlgorithm = "PS256"
    scopes: tuple[str, ...] = ("rest_webservices",)
    #: NetSuite refuses assertions whose exp is more than 3600 s after iat
    assertion_lifetime_seconds: int = Field(default=300, ge=30, le=3600)
    #: renew the access token this long before NetSuite says it expires (clock skew, long requests)
    refresh_margin_seconds: int = Field(default=120, ge=0, le=1800)


NetSuiteAuth = Annotated[TbaCredentials | OAuth2ClientCredentials, Field(discriminator="type")]


class NetSuiteSettings(BaseModel):
    """Everything the connector needs to talk to one NetSuite account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str
    auth: NetSuiteAuth
    #: scheme + host (+ port) to use instead of the account's SuiteTalk host, e.g. the sandbox
    #: ``http://127.0.0.1:8701``. The realm stays the account id.
    base_url: str | None = None

    connect_timeout: float = Field(default=10.0, gt=0)
    # SuiteQL calls may run for minutes and the metadata catalog is notoriously slow (notes §7.5)
    read_timeout: float = Field(default=300.0, gt=0)
    write_timeout: float = Field(default=60.0, gt=0)
    pool_timeout: float = Field(default=60.0, gt=0)
    http2: bool = True

    batch_size: int = Field(default=MAX_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    #: how many requests one call may have in flight (batch fan-out); the engine's limiter is the global cap
    concurrency: int = Field(default=5, ge=1, le=1000)
    #: share of the governance concurrency limit left unused for other integrations (0..0.9)
    governance_headroom: float = Field(default=0.2, ge=0.0, le=0.9)
    #: the account's date format preference, used to decode SuiteQL dates (Java pattern)
    date_format: str = "M/d/yyyy"
    time_format: str = "h:mm a"
    #: the account's time zone (IANA name); SuiteQL datetimes are decoded as aware values in it when set
    timezone: str | None = None

    #: async job polling: first wait, cap per wait, and the give-up time (NetSuite's own limit is 15 min)
    poll_initial_seconds: float = Field(default=0.25, ge=0)
    poll_max_seconds: float = Field(default=5.0, gt=0)
    poll_timeout_seconds: float = Field(default=900.0, gt=0)
    #: attempts for a batch submission; safe to repeat because every chunk carries its idempotency key
    submit_attempts: int = Field(default=4, ge=1, le=20)

    @field_validator("account_id")
    @classmethod
    def _check_account(cls, value: str) -> str:
        value = value.strip()
        if not _ACCOUNT_RE.fullmatch(value):
            raise ValueError(
                f"not a NetSuite account id: {value!r} (expected digits with an optional suffix such as "
                "1234567 or 1234567_SB1)"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {value!r}")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {value!r} (use an IANA name such as America/New_York)"
                ) from None
        return value

    @property
    def realm(self) -> str:
        return account_realm(self.account_id)

    @property
    def host(self) -> str:
        """The account's SuiteTalk REST host."""
        return f"{account_slug(self.account_id)}.suitetalk.api.netsuite.com"

    @property
    def restlets_host(self) -> str:
        return f"{account_slug(self.account_id)}.restlets.api.netsuite.com"

    @property
    def app_host(self) -> str:
        return f"{account_slug(self.account_id)}.app.netsuite.com"

    @property
    def origin(self) -> str:
        """Scheme and host every request goes to (the override if one is set)."""
        return self.base_url or f"https://{self.host}"

    @property
    def rest_root(self) -> str:
        """``<origin>/services/rest`` — every path the connector builds is relative to this."""
        return f"{self.origin}/services/rest"

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint (also the JWT ``aud``)."""
        return f"{self.rest_root}/auth/oauth2/v1/token"

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.write_timeout,
            pool=self.pool_timeout,
        )
