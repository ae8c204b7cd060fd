"""GL accounts for items (a ``gl_accounts`` mapping).

Columns: ``name`` (the key) and ``account`` (a NetSuite account internal id). Names are
``<product type>_income`` and ``<product type>_deferred_revenue`` in lower case (``subscription_income``,
``entitlement_deferred_revenue``, ``asset_income`` ...) and ``clearing`` for the clearing account.

With no ``gl_accounts`` mapping, items carry no accounts and NetSuite's preferences decide. With one, every
product type must have its income account (a missing one is ActionNeeded naming the row to add), and the
deferred revenue account is optional (without it revenue is recognised on the invoice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ledgerbridge.mapping.table import MappingTable

KEY_COLUMN: Final = "name"
VALUE_COLUMN: Final = "account"


def _prefix(product_type: str | None) -> str:
    return (product_type or "").strip().lower() or "(none)"


@dataclass(frozen=True, slots=True)
class GlAccountMapping:
    """Income / deferred revenue accounts per product type, and the clearing account."""

    table: MappingTable | None

    @property
    def version(self) -> str | None:
        return self.table.version if self.table is not None else None

    def income_account(self, product_type: str | None) -> str | None:
        """The income account id; None without a mapping, ActionNeeded when the mapping lacks it."""
        if self.table is None:
            return None
        return self.table.require(f"{_prefix(product_type)}_income", VALUE_COLUMN, what="income account")

    def deferred_revenue_account(self, product_type: str | None) -> str | None:
        """The deferred revenue account id, or None (optional even with a mapping)."""
        if self.table is None:
            return None
        return self.table.value(f"{_prefix(product_type)}_deferred_revenue", VALUE_COLUMN)

    def clearing_account(self) -> str | None:
        """The clearing account id, or None."""
        if self.table is None:
            return None
        return self.table.value("clearing", VALUE_COLUMN)
