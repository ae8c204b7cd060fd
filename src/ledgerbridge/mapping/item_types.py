"""Which NetSuite item record type a Nue product type becomes (an ``item_types`` mapping).

Columns: ``product_type`` (the key) and ``record_type``. A row whose product type is ``*`` is the default
for every type the table does not name. With no ``item_types`` mapping in the workspace, the standard
mapping applies (Subscription → noninventorysaleitem, Entitlement → servicesaleitem, Asset →
inventoryitem; no default), because that is how NetSuite models each kind of thing sold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ledgerbridge.errors import ActionNeeded
from ledgerbridge.mapping.table import MappingTable

STANDARD_ITEM_TYPES: Final[dict[str, str]] = {
    "Subscription": "noninventorysaleitem",
    "Entitlement": "servicesaleitem",
    "Asset": "inventoryitem",
}
#: the item record types a mapping may name (the REST record service's names)
ITEM_RECORD_TYPES: Final[frozenset[str]] = frozenset(
    {
        "noninventorysaleitem",
        "noninventoryresaleitem",
        "servicesaleitem",
        "serviceresaleitem",
        "inventoryitem",
        "otherchargesaleitem",
        "discountitem",
    }
)
DEFAULT_KEY: Final = "*"
KEY_COLUMN: Final = "product_type"
VALUE_COLUMN: Final = "record_type"


@dataclass(frozen=True, slots=True)
class RecordTypeMapping:
    """Product type → item record type, from a workspace mapping or the standard one."""

    table: MappingTable | None

    @property
    def name(self) -> str:
        return self.table.name if self.table is not None else "standard item types"

    @property
    def version(self) -> str | None:
        return self.table.version if self.table is not None else None

    def record_type(self, product_type: str | None) -> str:
        """The record type for ``product_type``; ActionNeeded when neither it nor a default is mapped."""
        key = (product_type or "").strip() or "(none)"
        if self.table is None:
            found = STANDARD_ITEM_TYPES.get(key)
            if found is None:
                raise ActionNeeded(
                    f"no NetSuite item record type for product type '{key}' (standard item types only "
                    "cover Subscription, Entitlement and Asset)",
                    hint=(
                        "add an item_types mapping with product_type/record_type rows (product_type '*' "
                        "sets the default) to ledgerbridge.yaml, then retry the record"
                    ),
                )
            return found
        found = self.table.value(key, VALUE_COLUMN) or self.table.value(DEFAULT_KEY, VALUE_COLUMN)
        if found is None:
            self.table.require(key, VALUE_COLUMN, what="NetSuite item record type")
        assert found is not None  # require() raised otherwise
        record_type = found.strip().lower()
        if record_type not in ITEM_RECORD_TYPES:
            raise ActionNeeded(
                f"mapping '{self.table.name}' maps product type '{key}' to '{found}', which is not an "
                "item record type",
                hint=f"use one of {', '.join(sorted(ITEM_RECORD_TYPES))}, then retry the record",
            )
        return record_type
