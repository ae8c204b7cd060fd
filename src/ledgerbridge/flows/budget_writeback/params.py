"""The settings of ``budget-writeback``, read from ``ctx.params`` (the workspace's ``flows[].params``, plus
``source`` (the Pigment connection) and ``target`` (the NetSuite connection) from the flow entry)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.planning.months import DEFAULT_MONTH_FORMAT

FLOW_NAME = "budget-writeback"
#: NetSuite's async batch takes at most 100 records per request
MAX_BATCH = 100


def _int(
    params: Mapping[str, Any], name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    value = params.get(name, default)
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        number = int(value)
    except ValueError:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be {bound}, got {value!r}")
    return number


def _text(params: Mapping[str, Any], name: str, default: str) -> str:
    return str(params.get(name) or default)


@dataclass(frozen=True, slots=True)
class BudgetParams:
    """Resolved settings of one run."""

    source: str
    target: str
    #: the Pigment list of versions, its approval flag, type and code properties
    version_list: str
    approved_property: str
    type_property: str
    #: only versions of these types are written back (the demo marks Actuals approved too)
    version_types: tuple[str, ...]
    version_code_property: str
    #: an optional Version property naming who approved it (recorded in the audit event when present)
    approver_property: str
    #: the view exporting the Budget metric (all versions; the flow keeps the approved version's rows)
    budget_view: str
    #: the dimension lists whose ``code_property`` the mapping tables use
    account_list: str
    entity_list: str
    department_list: str
    code_property: str
    #: the NetSuite budget category written to
    budget_category: str
    month_format: str
    unassigned_department: str
    batch_size: int
    lease_seconds: float
    max_attempts: int

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> BudgetParams:
        types = params.get("version_types") or ["Budget"]
        if isinstance(types, str):
            types = [types]
        return cls(
            source=_text(params, "source", "pigment"),
            target=_text(params, "target", "netsuite"),
            version_list=_text(params, "version_list", "Version"),
            approved_property=_text(params, "approved_property", "Approved"),
            type_property=_text(params, "type_property", "Type"),
            version_types=tuple(str(t) for t in types),
            version_code_property=_text(params, "version_code_property", "Code"),
            approver_property=_text(params, "approver_property", "Approved By"),
            budget_view=_text(params, "budget_view", "budget-writeback · Budget export"),
            account_list=_text(params, "account_list", "Account"),
            entity_list=_text(params, "entity_list", "Entity"),
            department_list=_text(params, "department_list", "Department"),
            code_property=_text(params, "code_property", "Code"),
            budget_category=_text(params, "budget_category", "Budget"),
            month_format=_text(params, "month_format", DEFAULT_MONTH_FORMAT),
            unassigned_department=str(params.get("unassigned_department", "000")),
            batch_size=_int(params, "batch_size", MAX_BATCH, minimum=1, maximum=MAX_BATCH),
            lease_seconds=float(_int(params, "lease_seconds", 300, minimum=1)),
            max_attempts=_int(params, "max_attempts", 8, minimum=1),
        )
