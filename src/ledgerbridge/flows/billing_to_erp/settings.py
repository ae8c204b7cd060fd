"""The ``billing-to-erp`` flow's parameters (``flows[].params`` in ledgerbridge.yaml), validated."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from ledgerbridge.config.triggers import parse_duration
from ledgerbridge.errors import ConfigError

Mode = Literal["realtime", "scheduled"]
#: how often a scheduled batch is sent when ``batch.interval`` is not set
DEFAULT_SEND_INTERVAL = timedelta(minutes=10)


class BillingParams(BaseModel):
    """What a finance-systems engineer sets for the flow; everything has a working default."""

    # the runtime adds source/target/batch; unknown keys are refused so a typo is not silently ignored
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = "nue"
    target: str = "netsuite"
    batch: Mapping[str, Any] = Field(default_factory=dict)
    #: realtime: send what changed in the same run; scheduled: park it as pending and send every
    #: ``batch.interval``. Unset: the flow's ``batch.mode`` (default realtime)
    mode: Mode | None = None
    #: NetSuite subsidiary internal id for new customers (None: the account's root subsidiary)
    subsidiary: str | None = None
    #: NetSuite tax schedule internal id set on new items
    tax_schedule: str | None = None
    #: Nue customer field (snake_case or camelCase) → NetSuite custom field id (``custentity_...``)
    customer_fields: dict[str, str] = Field(default_factory=dict)
    #: leave invoices of amount 0 in Nue (recorded as skipped in the hub)
    skip_zero_invoices: bool = False
    #: send invoices of orders cancelled in Nue anyway (off: they wait in action_needed for a person)
    transfer_cancelled_order_invoices: bool = False
    #: renewal lines join the original sales order (only new products form a new one); off: a renewal is
    #: a new sales order
    merge_renewal_orders: bool = False
    #: NetSuite item internal id for credit memo lines that name no product (a plain amount credited by
    #: hand in Nue). Unset: such a credit memo waits in action_needed, naming this setting
    credit_item: str | None = None
    #: go-live: invoices dated before this stay in Nue (history the ERP already has). Unset: the first
    #: day of the month of the flow's first run, remembered in the hub so it never moves
    transfer_invoices_from: date | None = None
    #: names of the mappings to use when the workspace has several of a kind
    record_type_mapping: str | None = None
    gl_account_mapping: str | None = None
    #: how far before the saved cursor each read starts (catches late-committed changes)
    lookback_minutes: float = Field(default=5, ge=0)

    @property
    def lookback(self) -> timedelta:
        return timedelta(minutes=self.lookback_minutes)

    @property
    def batch_size(self) -> int:
        size = self.batch.get("size", 100)
        return max(1, min(int(size), 100))

    @property
    def send_mode(self) -> Mode:
        if self.mode is not None:
            return self.mode
        return "scheduled" if self.batch.get("mode") == "scheduled" else "realtime"

    @property
    def send_interval(self) -> timedelta:
        """The scheduled batch interval: ``batch.interval`` (a timedelta from the workspace, or text)."""
        raw = self.batch.get("interval")
        if raw is None:
            return DEFAULT_SEND_INTERVAL
        try:
            return parse_duration(raw)
        except PydanticCustomError as exc:
            raise ConfigError(
                f"billing-to-erp batch.interval: {exc.message()}", hint="set batch.interval to e.g. '10m'"
            ) from None

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> BillingParams:
        """Validated params; an invalid one stops the run with the parameter's name."""
        try:
            return cls.model_validate(dict(params))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "params"
            raise ConfigError(
                f"billing-to-erp param {where}: {first['msg']}",
                hint="fix the flow's params in ledgerbridge.yaml (see docs/flows/billing-to-erp.md)",
            ) from None
