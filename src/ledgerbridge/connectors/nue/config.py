"""Typed connection settings for one Nue tenant.

The workspace file (``ledgerbridge.config.NueConnection``) resolves the API key; this is what the connector
needs at run time. Where Nue's public material leaves a shape unverified (reference notes §1), the setting
here matches the emulator's default and can be flipped for a tenant that behaves otherwise.
"""

from __future__ import annotations

import re
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

#: Nue's list endpoints accept ``limit`` 1..500 (reference notes §1.5)
MAX_PAGE_SIZE = 500
DEFAULT_BASE_URL = "https://api.nue.io"
_PREFIX_RE = re.compile(r"^(/[A-Za-z0-9._-]+)*$")


class NueSettings(BaseModel):
    """Everything the connector needs to talk to one Nue tenant."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: scheme + host (+ port); the sandbox is ``http://127.0.0.1:8702``
    base_url: str = DEFAULT_BASE_URL
    api_key: SecretStr
    #: a version prefix in front of every path ("" as in the public guides)
    api_prefix: str = ""

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    write_timeout: float = Field(default=60.0, gt=0)
    pool_timeout: float = Field(default=60.0, gt=0)
    http2: bool = True

    #: records per list request
    page_size: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE)
    #: applications per pay/apply request
    write_batch_size: int = Field(default=50, ge=1, le=200)

    # --- unverified shapes (see docs/connectors/nue.md) --------------------------------------------------
    #: ``/billing/invoices:pay`` (":") or ``/billing/invoices-pay`` ("-")
    action_separator: Literal[":", "-"] = ":"
    #: the list parameter that orders by a field (``sort=lastModifiedDate``)
    sort_param: str = "sort"
    #: whether lists accept ``lastModifiedDate>=`` filters; False reads every page and filters locally
    last_modified_filter: bool = True
    #: "keyset": ask for records ordered by (lastModifiedDate, id) from the cursor, restarting at page 1 from
    #: each page's last record (no loss when records change during the read). "scan": read every page in the
    #: default (creation) order and sort locally — for a tenant that ignores ``sort``; use a lookback at least
    #: as long as one scan.
    incremental_mode: Literal["keyset", "scan"] = "keyset"

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {value!r}")
        return value.rstrip("/")

    @field_validator("api_prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        value = value.rstrip("/")
        if not _PREFIX_RE.fullmatch(value):
            raise ValueError(f"api_prefix must be empty or like '/v1', got {value!r}")
        return value

    @property
    def root(self) -> str:
        """``<base_url><api_prefix>`` — every path the connector builds is relative to this."""
        return f"{self.base_url}{self.api_prefix}"

    def action_path(self, collection: str, verb: str) -> str:
        """``/billing/invoices:pay`` and friends, in this tenant's punctuation."""
        return f"/billing/{collection}{self.action_separator}{verb}"

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.write_timeout,
            pool=self.pool_timeout,
        )
