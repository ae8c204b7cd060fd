"""The settings of ``revenue-to-planning``, read from ``ctx.params`` (the workspace's ``flows[].params``,
plus ``source`` / ``target`` filled from the flow entry). A wrong value stops the run naming the param."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.planning.months import DEFAULT_MONTH_FORMAT

FLOW_NAME = "revenue-to-planning"
DEFAULT_REVENUE_CONFIGURATION = "revenue-to-planning · Revenue"
DEFAULT_SAAS_CONFIGURATION = "revenue-to-planning · SaaS metrics"


def _int(params: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be at least {minimum}, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class RevenueParams:
    """Resolved settings of one run."""

    source: str
    target: str
    #: the Pigment import configuration of recognized / deferred revenue (name or id)
    revenue_configuration: str
    #: the Pigment import configuration of MRR / active subscriptions (name or id)
    saas_configuration: str
    #: strftime pattern of Pigment's month items (``Oct 26``)
    month_format: str
    #: the Pigment list of months: months it lacks (beyond the model's horizon) are not loaded
    month_list: str
    #: NetSuite account number for plan items that name no income account (NetSuite then posts to the
    #: accounting preference's default income account; SuiteQL cannot read that preference)
    default_income_account: str | None
    #: month slices per Pigment push (each push replaces the months it carries)
    batch_size: int
    page_size: int
    lease_seconds: float
    max_attempts: int

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> RevenueParams:
        batch = params.get("batch")
        batch_size = batch.get("size", 24) if isinstance(batch, Mapping) else 24
        return cls(
            source=str(params.get("source") or "netsuite"),
            target=str(params.get("target") or "pigment"),
            revenue_configuration=str(params.get("revenue_configuration") or DEFAULT_REVENUE_CONFIGURATION),
            saas_configuration=str(params.get("saas_configuration") or DEFAULT_SAAS_CONFIGURATION),
            month_format=str(params.get("month_format") or DEFAULT_MONTH_FORMAT),
            month_list=str(params.get("month_list") or "Month"),
            default_income_account=str(params["default_income_account"])
            if params.get("default_income_account")
            else None,
            batch_size=_int(params, "batch_size", int(batch_size), minimum=1),
            page_size=_int(params, "page_size", 1000, minimum=1),
            lease_seconds=float(_int(params, "lease_seconds", 300, minimum=1)),
            max_attempts=_int(params, "max_attempts", 8, minimum=1),
        )
