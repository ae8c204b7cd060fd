"""Pigment codes → NetSuite keys, by reading the planning mapping tables backwards.

The tables map NetSuite → Pigment and are many-to-one (a planning chart is coarser than the ERP's), so
going back can be ambiguous: several NetSuite accounts (or departments, subsidiaries) map to one Pigment
code. The mapping row may then carry ``budget_target: "true"`` to choose the NetSuite value that receives the
budget. No row, or several candidates and not exactly one chosen, is ``ActionNeeded`` naming the Pigment code
and the candidates: those lines wait for a person, the rest are written.
"""

from __future__ import annotations

from ledgerbridge.errors import ActionNeeded
from ledgerbridge.flows.planning.dimensions import EXCLUDED
from ledgerbridge.mapping import MappingTable

BUDGET_TARGET = "budget_target"
_TRUE = {"true", "yes", "1", "y", "x"}


class ReverseMap:
    """One mapping table read from its Pigment value back to its NetSuite key."""

    def __init__(self, table: MappingTable | None, value_column: str, what: str) -> None:
        self.table = table
        self.what = what
        self._candidates: dict[str, list[tuple[str, bool]]] = {}
        if table is None:
            return
        for row in table.rows:
            key = str(row.get(table.key_column, "") or "").strip()
            value = str(row.get(value_column, "") or "").strip()
            if not key or not value or value == EXCLUDED:
                continue
            chosen = str(row.get(BUDGET_TARGET, "") or "").strip().lower() in _TRUE
            self._candidates.setdefault(value.casefold(), []).append((key, chosen))

    def resolve(self, code: str) -> str:
        """The NetSuite key for Pigment ``code``; ``ActionNeeded`` when there is none or no single choice."""
        if self.table is None:
            return code  # no table: Pigment uses the NetSuite value itself
        candidates = self._candidates.get(code.strip().casefold(), [])
        if len(candidates) == 1:
            return candidates[0][0]
        if not candidates:
            raise ActionNeeded(
                f"no row of mapping '{self.table.name}' maps to Pigment {self.what} '{code}', "
                "so its budget has no NetSuite target",
                hint=f"add a row for it to mappings.{self.table.name}, "
                "then `ledgerbridge hub retry` the lines",
            )
        chosen = [key for key, flag in candidates if flag]
        if len(chosen) == 1:
            return chosen[0]
        keys = ", ".join(key for key, _ in candidates)
        problem = "several rows are" if chosen else "no row is"
        raise ActionNeeded(
            f"Pigment {self.what} '{code}' is ambiguous: NetSuite {keys} all map to it in mapping "
            f"'{self.table.name}' and {problem} marked {BUDGET_TARGET}",
            hint=f'set {BUDGET_TARGET}: "true" on exactly one of those rows of mappings.{self.table.name}, '
            "then `ledgerbridge hub retry` the lines",
            vendor_code="AMBIGUOUS_MAPPING",
        )
