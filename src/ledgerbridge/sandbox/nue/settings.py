"""Settings of one emulated Nue tenant: credentials, API shape, billing rules, webhooks, faults.

The public Nue material (reference notes §1) leaves several shapes unverified. Each one is a setting here with
the most likely default, so a test (or a user rehearsing against a tenant that behaves otherwise) can flip it;
``docs/connectors/nue.md`` lists them.
"""

from __future__ import annotations

import re
import secrets
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from .._kit.faults import FaultSettings

SeedName = Literal["empty", "demo"]
_PREFIX_RE = re.compile(r"^(/[A-Za-z0-9._-]+)*$")


def _secret() -> SecretStr:
    return SecretStr("nue-" + secrets.token_hex(24))


class NueEmulatorSettings(BaseModel):
    """Everything the Nue emulator needs to know; the API key is random unless given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- tenant and credentials -------------------------------------------------------------------
    api_key: SecretStr = Field(default_factory=_secret)
    #: a second key whose role may read but not write (answers 403 to writes); None = no such key
    read_only_api_key: SecretStr | None = None
    tenant_name: str = "Ledgerbridge Sandbox SaaS"
    currency: str = "USD"
    #: the tenant's zone: "today" for default dates (invoice date, effective date) is taken in it
    timezone: str = "America/Los_Angeles"
    seed: SeedName = "empty"

    # --- API shape (UNVERIFIED in the public material; notes §1.1, §1.2, §1.5) --------------------
    #: version prefix in front of every vendor path ("" = none, as in the public guides; e.g. "/v1")
    api_prefix: str = ""
    #: the success envelope's ``status`` value: the guides show both "success" and "SUCCESS"
    success_status: str = "success"
    #: the error envelope's ``status`` value (no error schema is documented)
    failure_status: str = "failure"
    #: the punctuation of action paths: ``/billing/invoices:pay`` (":") or ``/billing/invoices-pay`` ("-")
    action_separator: Literal[":", "-"] = ":"
    #: whether list endpoints accept ``lastModifiedDate`` comparison filters (False answers 400)
    last_modified_filter: bool = True
    #: the query parameter that orders a list (``sort=lastModifiedDate`` or ``-lastModifiedDate``)
    sort_param: str = "sort"
    default_page_size: int = Field(default=100, ge=1)
    max_page_size: int = Field(default=500, ge=1)
    max_customers_per_request: int = Field(default=200, ge=1)
    #: a repeated idempotency key with the same content: "replay" answers 200 with the first result
    #: (flagged ``duplicate: true``); "conflict" answers 409 DUPLICATE_REQUEST carrying the first result
    duplicate_key_behaviour: Literal["replay", "conflict"] = "replay"

    # --- billing rules ------------------------------------------------------------------------------
    #: an invoice run whose lines total below zero: a negative invoice, or a credit memo instead
    negative_invoices: Literal["invoice", "credit_memo"] = "invoice"
    #: Active documents without applications may be cancelled (tray.ai only documents cancelling drafts)
    cancel_active_documents: bool = True
    payment_term_days: int = Field(default=30, ge=0)
    #: every write gets a strictly later ``lastModifiedDate`` (1 ms apart); False lets writes share one
    unique_timestamps: bool = True

    # --- change feed and webhooks (GAP in the public material: notes §1.6) -------------------------
    webhooks_enabled: bool = True
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=3, ge=1)
    webhook_retry_seconds: float = Field(default=0.2, ge=0)
    #: HMAC-SHA256 of the body with the subscription's secret, as ``sha256=<hex>``
    webhook_signature_header: str = "X-Nue-Signature"
    #: events kept for the change feed; a cursor older than the oldest kept event answers 410
    event_retention: int = Field(default=100_000, ge=10)

    # --- faults at start (error_rate, throttle_rate, latency_ms, limits, ...) -----------------------
    faults: FaultSettings = Field(default_factory=FaultSettings)

    @field_validator("api_prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        value = value.rstrip("/")
        if not _PREFIX_RE.fullmatch(value):
            raise ValueError(f"api_prefix must be empty or like '/v1', got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def action(self, collection: str, verb: str) -> str:
        """An action path such as ``/billing/invoices:pay`` (without the version prefix)."""
        return f"{collection}{self.action_separator}{verb}"
