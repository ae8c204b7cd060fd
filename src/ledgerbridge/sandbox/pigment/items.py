"""Finding list items from CSV values (with the on-missing-item policy) and removing items everywhere.

A dimension or Dimension-typed property column is matched on the referenced list's item name or on one
of its properties (``Code``). What happens to a value that matches no item is the configuration's
``on_missing_item`` (notes §1.5): ``skip`` the row, put it on the column's ``default`` item (or blank),
or ``auto_create`` the item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID, uuid4

from .model import Application, Column, Item, ListBlock, Metric
from .outcome import ImportOutcome
from .spec import OnMissingItem
from .values import parse_number


def match_text(item: Item, match: UUID | None) -> str | None:
    """The text an item is matched on: its name, or a property's value as text."""
    if match is None:
        return item.name
    value = item.values.get(match)
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Resolved:
    """An item was found or created (``item``), or the value went to the default / blank."""

    item: UUID | None
    outcome: Literal["found", "created", "default", "skip"]


class ItemResolver:
    """Caches value → item maps per (list, matched property) for the length of one import."""

    def __init__(self, application: Application, policy: OnMissingItem, outcome: ImportOutcome) -> None:
        self.application = application
        self.policy = policy
        self.outcome = outcome
        self._maps: dict[tuple[UUID, UUID | None], dict[str, UUID]] = {}

    def _map(self, list_id: UUID, match: UUID | None) -> dict[str, UUID]:
        key = (list_id, match)
        if key not in self._maps:
            block = self.application.list_block(list_id)
            found: dict[str, UUID] = {}
            for item in block.items.values():
                text = match_text(item, match)
                if text is not None:
                    found.setdefault(text, item.id)
            self._maps[key] = found
        return self._maps[key]

    def find(self, list_id: UUID, match: UUID | None, value: str) -> UUID | None:
        return self._map(list_id, match).get(value)

    def remember(self, list_id: UUID, item: Item) -> None:
        """Keep the caches right after an item was added or renamed during the import."""
        for (cached_list, match), found in self._maps.items():
            if cached_list == list_id:
                text = match_text(item, match)
                if text is not None:
                    found.setdefault(text, item.id)

    def resolve(self, column: Column, value: str) -> Resolved:
        """Apply the policy to ``value`` of ``column`` (whose ``ref_list`` is set)."""
        assert column.ref_list is not None
        found = self.find(column.ref_list, column.match, value) if value else None
        if found is not None:
            return Resolved(found, "found")
        if self.policy == "auto_create" and value:
            created = self._create(column.ref_list, column.match, value)
            if created is not None:
                return Resolved(created, "created")
        if self.policy == "default":
            default = None
            if column.default is not None:
                default = self.find(column.ref_list, None, column.default)
            return Resolved(default, "default")
        return Resolved(None, "skip")

    def _create(self, list_id: UUID, match: UUID | None, value: str) -> UUID | None:
        block = self.application.list_block(list_id)
        if not block.is_dimension or block.item_named(value) is not None:
            return None  # a name taken by another item cannot be created again: the row is skipped
        item = Item(id=uuid4(), name=value)
        if match is not None:
            prop = next(prop for prop in block.properties if prop.id == match)
            try:
                item.values[match] = parse_number(value) if prop.type == "Number" else value
            except ValueError:
                return None  # "12a" cannot become a Number code: the row is skipped instead
        block.add_item(item)
        self.remember(list_id, item)
        self.outcome.created(list_id)
        return item.id


def delete_items(application: Application, block: ListBlock, item_ids: Iterable[UUID]) -> int:
    """Remove items from ``block`` and everything that points at them: metric cells on that dimension
    and Dimension-typed property values in other lists. Returns how many items were removed."""
    doomed = {item_id for item_id in item_ids if item_id in block.items}
    if not doomed:
        return 0
    for item_id in doomed:
        block.remove_item(item_id)
    for other in application.blocks.values():
        if isinstance(other, Metric) and block.id in other.dimensions:
            position = other.dimensions.index(block.id)
            other.cells = {key: value for key, value in other.cells.items() if key[position] not in doomed}
        elif isinstance(other, ListBlock):
            referring = [prop.id for prop in other.properties if prop.list_id == block.id]
            for item in other.items.values():
                for prop_id in referring:
                    if item.values.get(prop_id) in doomed:
                        del item.values[prop_id]
    return len(doomed)
