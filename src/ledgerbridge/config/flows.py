"""Flow entries: which business flow runs, between which connections, when, and in what batches.

Flow names are the stable ones of DESIGN §5. The table below says which systems each flow can read from
and write to, so that "billing-to-erp from a Slack connection" fails at ``config check``, not at 2 a.m.
The later flows list the systems they will speak (Salesforce, Workday, …); until those connection types
exist, configuring them reports which connection type is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from ledgerbridge.config.base import StrictModel, invalid, one_of, suggest
from ledgerbridge.config.triggers import Batch, Trigger


@dataclass(frozen=True)
class FlowSystems:
    """The systems a flow accepts at each end."""

    source: tuple[str, ...]
    target: tuple[str, ...]


FLOW_SYSTEMS: dict[str, FlowSystems] = {
    "billing-to-erp": FlowSystems(source=("nue",), target=("netsuite",)),
    "erp-payments-to-billing": FlowSystems(source=("netsuite",), target=("nue",)),
    "gl-actuals-to-planning": FlowSystems(source=("netsuite",), target=("pigment",)),
    "period-close": FlowSystems(source=("netsuite",), target=("pigment",)),
    "ar-ap-to-planning": FlowSystems(source=("netsuite",), target=("pigment",)),
    "hierarchy-to-planning": FlowSystems(source=("netsuite",), target=("pigment",)),
    "revenue-to-planning": FlowSystems(source=("netsuite", "nue"), target=("pigment",)),
    "budget-writeback": FlowSystems(source=("pigment",), target=("netsuite",)),
    "crm-pipeline-to-planning": FlowSystems(source=("salesforce", "hubspot"), target=("pigment",)),
    "hris-headcount-to-planning": FlowSystems(source=("workday", "bamboohr"), target=("pigment",)),
    "planning-to-warehouse": FlowSystems(source=("pigment",), target=("warehouse",)),
    "forecast-digest": FlowSystems(source=("pigment",), target=("slack", "email")),
}

FLOW_NAMES: tuple[str, ...] = tuple(FLOW_SYSTEMS)


def check_flow_name(value: str) -> str:
    if value not in FLOW_SYSTEMS:
        raise invalid(
            f"unknown flow '{value}'", suggest(value, FLOW_NAMES) or f"use one of {one_of(FLOW_NAMES)}"
        )
    return value


def _exact_numbers(value: Any) -> Any:
    """Floats in ``params`` become Decimals read from their YAML text, so ``0.1`` means exactly 0.1.

    Params are free-form (each flow validates its own), but an amount must never be a binary float.
    """
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {key: _exact_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact_numbers(item) for item in value]
    return value


class FlowConfig(StrictModel):
    """One enabled (or disabled) flow between a source and a target connection."""

    name: str = Field(description="one of the flow names, e.g. billing-to-erp")
    enabled: bool = True
    source: str = Field(description="name of the connection the flow reads from")
    target: str = Field(description="name of the connection the flow writes to")
    params: Annotated[dict[str, Any], BeforeValidator(_exact_numbers)] = Field(default_factory=dict)
    trigger: Trigger = Field(default_factory=lambda: Trigger(manual=True), description="default: manual")
    batch: Batch = Field(default_factory=Batch)

    @field_validator("name")
    @classmethod
    def _known_flow(cls, value: str) -> str:
        return check_flow_name(value)

    @property
    def systems(self) -> FlowSystems:
        return FLOW_SYSTEMS[self.name]
