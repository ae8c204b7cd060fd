"""NetSuite dimension values → Pigment items, through the workspace's versioned mapping tables.

Four tables, each optional except accounts, found by kind (or named in the flow's params):

| kind | key column | value column | NetSuite key |
|---|---|---|---|
| ``accounts`` | ``netsuite_account`` | ``pigment_account`` | the account number, else its id |
| ``subsidiaries`` | ``netsuite_subsidiary`` | ``pigment_entity`` | the subsidiary's internal id |
| ``departments`` | ``netsuite_department`` | ``pigment_department`` | the department's internal id |
| ``classes`` | ``netsuite_class`` | ``pigment_class`` | the class's internal id |

A value of ``-`` deliberately leaves the NetSuite value out of planning (balance-sheet accounts in a P&L
model). A missing row is ``ActionNeeded`` naming the key and the table: the slice waits for a person, and
after the row is added ``ledgerbridge hub retry`` loads it. Without a subsidiaries / departments / classes
table the NetSuite value passes through unchanged (its internal id); a line with no department maps to the
flow's ``unassigned_department`` (blank by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledgerbridge.errors import ActionNeeded, ConfigError
from ledgerbridge.mapping import MappingTable, MappingTables, combined_version

#: a mapping value that means "not planned": the NetSuite value is left out on purpose
EXCLUDED = "-"


@dataclass(frozen=True, slots=True)
class _Spec:
    kind: str
    key_column: str
    value_column: str
    what: str


ACCOUNTS = _Spec("accounts", "netsuite_account", "pigment_account", "Pigment account")
SUBSIDIARIES = _Spec("subsidiaries", "netsuite_subsidiary", "pigment_entity", "Pigment entity")
DEPARTMENTS = _Spec("departments", "netsuite_department", "pigment_department", "Pigment department")
CLASSES = _Spec("classes", "netsuite_class", "pigment_class", "Pigment class")


class MissingMappings(ActionNeeded):
    """One or more NetSuite values have no row in their mapping table; ``missing`` lists (table, key)."""

    def __init__(self, missing: list[tuple[str, str, str]]) -> None:
        self.missing = tuple(sorted(set(missing)))
        named = "; ".join(f"{what} for '{key}' (mapping '{table}')" for table, key, what in self.missing)
        super().__init__(
            f"no {named}",
            hint="add the rows to the named mappings in ledgerbridge.yaml, then `ledgerbridge hub retry` the "
            "record",
        )


@dataclass(frozen=True, slots=True)
class PlanningDimensions:
    """The four tables of one run, frozen with their versions."""

    accounts: MappingTable
    subsidiaries: MappingTable | None
    departments: MappingTable | None
    classes: MappingTable | None
    unassigned_department: str = ""

    @classmethod
    def from_mappings(
        cls, mappings: Mapping[str, Any], params: Mapping[str, Any] | None = None
    ) -> PlanningDimensions:
        """The tables from the workspace (``FlowContext.mappings``); ``params`` may name each one:
        ``account_mapping``, ``subsidiary_mapping``, ``department_mapping``, ``class_mapping``."""
        tables = MappingTables(mappings)
        chosen = params or {}

        def table(spec: _Spec, param: str) -> MappingTable | None:
            name = chosen.get(param)
            return tables.table(spec.kind, key_column=spec.key_column, name=str(name) if name else None)

        accounts = table(ACCOUNTS, "account_mapping")
        if accounts is None:
            raise ConfigError(
                "planning flows need an accounts mapping (NetSuite account number → Pigment account)",
                hint="add mappings.<name> with kind: accounts and rows {netsuite_account, pigment_account}",
            )
        return cls(
            accounts=accounts,
            subsidiaries=table(SUBSIDIARIES, "subsidiary_mapping"),
            departments=table(DEPARTMENTS, "department_mapping"),
            classes=table(CLASSES, "class_mapping"),
            unassigned_department=str(chosen.get("unassigned_department", "")),
        )

    @property
    def version(self) -> str | None:
        """The combined mapping version the hub records on each row."""
        return combined_version(
            t.version for t in (self.accounts, self.subsidiaries, self.departments, self.classes) if t
        )

    def lookup(self, spec: _Spec, key: str | None, missing: list[tuple[str, str, str]]) -> str | None:
        """The Pigment value of ``key``; None when excluded (``-``) or missing (then noted in ``missing``).

        ``missing`` collects every gap so one error can name them all, instead of one per retry.
        """
        table = self._table(spec)
        if key is None or key == "":
            return self.unassigned_department if spec is DEPARTMENTS else ""
        if table is None:
            return key
        value = table.value(key, spec.value_column)
        if value is None:
            missing.append((table.name, key, spec.what))
            return None
        return None if value == EXCLUDED else value

    def is_excluded(self, spec: _Spec, key: str) -> bool:
        """True when ``key`` is mapped to ``-`` (left out of planning on purpose)."""
        table = self._table(spec)
        return table is not None and table.value(key, spec.value_column) == EXCLUDED

    def _table(self, spec: _Spec) -> MappingTable | None:
        return {
            ACCOUNTS.kind: self.accounts,
            SUBSIDIARIES.kind: self.subsidiaries,
            DEPARTMENTS.kind: self.departments,
            CLASSES.kind: self.classes,
        }[spec.kind]
