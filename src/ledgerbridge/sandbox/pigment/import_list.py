"""Loading a parsed CSV into a Dimension List or a Transaction List (notes §1.5).

* A dimension list's items are unique: a row updates the item with the same unique key (its name, or a
  property such as ``Code``) or creates it; a rename is a name change on the same key.
* A transaction list appends every row, unless a unique key is configured (then it upserts like above).
* Clear-before-import ``all`` deletes every item the file does not carry (without a unique key: the whole
  list is wiped first); ``scope`` does that only among items whose scope-property values appear in the
  file. Properties the file has no column for are left unchanged.
* A Dimension-typed property that refers to the list itself (an account's Parent) may name an item that
  comes later in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID, uuid4

from .csvinput import CsvRow, CsvTable
from .items import ItemResolver, delete_items, match_text
from .model import Application, Column, ImportConfiguration, Item, PropertyValue
from .outcome import ImportOutcome, SkipReason
from .values import parse_scalar

_UNSET = object()


@dataclass(slots=True)
class _RowPlan:
    line: int
    name: str | None
    key: str | None
    #: property id → new value (None = blank)
    values: dict[UUID, PropertyValue | None] = field(default_factory=dict)
    #: self-referencing Dimension properties, resolved once every row's item exists
    self_refs: dict[UUID, tuple[Column, str]] = field(default_factory=dict)


class _ListLoader:
    def __init__(
        self, application: Application, config: ImportConfiguration, table: CsvTable, outcome: ImportOutcome
    ) -> None:
        self.app = application
        self.config = config
        self.table = table
        self.outcome = outcome
        self.block = application.list_block(config.block_id)
        self.resolver = ItemResolver(application, config.on_missing_item, outcome)
        self.properties = {prop.id: prop for prop in self.block.properties}
        self.counts = outcome.block(self.block.id)

    def skip(self, reason: SkipReason, column: str | None, sample: str) -> None:
        self.outcome.skip(self.block.id, reason, column, sample)

    # --- phase 1: read every row into a plan ----------------------------------------------------------

    def plan(self) -> list[_RowPlan]:
        plans = [plan for row in self.table.rows if (plan := self._plan_row(row)) is not None]
        return self._check_self_refs(plans)

    def _plan_row(self, row: CsvRow) -> _RowPlan | None:
        if len(row.fields) != len(self.table.header):
            self.skip("ParsingError", None, self.table.delimiter.join(row.fields))
            return None
        plan = _RowPlan(line=row.line, name=None, key=None)
        for column in self.config.columns:
            raw = row.fields[self.table.index(column.header)].strip()
            if column.kind == "item":
                if not raw:
                    self.skip("ParsingError", column.header, raw)
                    return None
                plan.name = raw
            elif column.kind == "property" and column.target is not None:
                if not self._plan_property(plan, column, raw):
                    return None
        plan.key = self._key_of(plan)
        if plan.key is None and self._keyed:
            header = self._key_header()
            self.skip("ParsingError", header, "")
            return None
        return plan

    def _plan_property(self, plan: _RowPlan, column: Column, raw: str) -> bool:
        assert column.target is not None
        prop = self.properties[column.target]
        if raw == "":
            plan.values[prop.id] = None
            return True
        if column.ref_list is None:
            try:
                plan.values[prop.id] = parse_scalar(raw, prop.type, self.config.decimal_separator)
            except ValueError:
                self.skip("ParsingError", column.header, raw)
                return False
            return True
        if column.ref_list == self.block.id:
            plan.self_refs[prop.id] = (column, raw)
            return True
        resolved = self.resolver.resolve(column, raw)
        if resolved.outcome == "skip":
            self.skip("MissingModalitySkippedDataRow", column.header, raw)
            return False
        if resolved.outcome == "default":
            self.skip("MissingModalityUseDefaultOrNullModality", column.header, raw)
        plan.values[prop.id] = resolved.item
        return True

    @property
    def _keyed(self) -> bool:
        return self.config.unique_by_name or self.config.unique_property is not None

    def _key_header(self) -> str | None:
        for column in self.config.columns:
            if (self.config.unique_by_name and column.kind == "item") or (
                column.kind == "property" and column.target == self.config.unique_property
            ):
                return column.header
        return None

    def _key_of(self, plan: _RowPlan) -> str | None:
        if self.config.unique_by_name:
            return plan.name
        if self.config.unique_property is not None:
            value = plan.values.get(self.config.unique_property)
            return None if value is None else str(value)
        return None

    def _check_self_refs(self, plans: list[_RowPlan]) -> list[_RowPlan]:
        """Self references may name items created by this file; others follow the missing-item policy."""
        kept = []
        for plan in plans:
            ok = True
            for prop_id, (column, raw) in list(plan.self_refs.items()):
                if self.resolver.find(self.block.id, column.match, raw) or self._in_file(plans, column, raw):
                    continue
                if self.config.on_missing_item == "skip":
                    self.skip("MissingModalitySkippedDataRow", column.header, raw)
                    ok = False
                    break
                if self.config.on_missing_item == "default" or not self.block.is_dimension:
                    self.skip("MissingModalityUseDefaultOrNullModality", column.header, raw)
                    del plan.self_refs[prop_id]
                    default = column.default and self.block.item_named(column.default)
                    plan.values[prop_id] = default.id if default else None
            if ok:
                kept.append(plan)
        return kept

    def _in_file(self, plans: list[_RowPlan], column: Column, raw: str) -> bool:
        if column.match is None:
            return any(plan.name == raw for plan in plans)
        return any(str(plan.values.get(column.match)) == raw for plan in plans)

    # --- phase 2: apply ---------------------------------------------------------------------------------

    def apply(self, plans: list[_RowPlan]) -> None:
        touched: set[UUID] = set()
        inserted: set[UUID] = set()
        changed: set[UUID] = set()
        index = self._key_index()
        for plan in plans:
            item = (
                self.block.items.get(index[plan.key]) if plan.key is not None and plan.key in index else None
            )
            if item is None:
                item = self._insert(plan)
                if item is None:
                    continue
                inserted.add(item.id)
                if plan.key is not None:
                    index[plan.key] = item.id
            elif self._update(item, plan):
                changed.add(item.id)
            touched.add(item.id)
        for plan in plans:
            if plan.self_refs:
                item_id = index.get(plan.key) if plan.key is not None else None
                item = self.block.items.get(item_id) if item_id is not None else None
                if item is not None and self._resolve_self_refs(item, plan):
                    changed.add(item.id)
        self.counts.inserted += len(inserted)
        self.counts.updated += len(changed - inserted)
        self.counts.deleted += self._clear(touched, plans)

    def _key_index(self) -> dict[str, UUID]:
        if self.config.unique_by_name:
            return {item.name: item.id for item in self.block.items.values() if item.name is not None}
        if self.config.unique_property is not None:
            return {
                str(value): item.id
                for item in self.block.items.values()
                if (value := item.values.get(self.config.unique_property)) is not None
            }
        return {}

    def _insert(self, plan: _RowPlan) -> Item | None:
        name = plan.name
        if self.block.is_dimension:
            name = name or plan.key
            if name is None or self.block.item_named(name) is not None:
                self.skip("ParsingError", self._name_header(), name or "")
                return None
        item = Item(id=uuid4(), name=name)
        item.values = {prop_id: value for prop_id, value in plan.values.items() if value is not None}
        self.block.add_item(item)
        self.resolver.remember(self.block.id, item)
        return item

    def _update(self, item: Item, plan: _RowPlan) -> bool:
        changed = False
        if plan.name is not None and plan.name != item.name:
            if self.block.item_named(plan.name) is not None:
                self.skip("ParsingError", self._name_header(), plan.name)
                return False
            self.block.rename(item, plan.name)
            changed = True
        for prop_id, value in plan.values.items():
            changed |= _set(item, prop_id, value)
        if changed:
            self.resolver.remember(self.block.id, item)
        return changed

    def _resolve_self_refs(self, item: Item, plan: _RowPlan) -> bool:
        changed = False
        for prop_id, (column, raw) in plan.self_refs.items():
            target = self.resolver.find(self.block.id, column.match, raw)
            if target is None:
                target = self._find_in_block(column, raw)
            if target is None:
                resolved = self.resolver.resolve(column, raw)  # auto_create (the only policy left here)
                target = resolved.item
            changed |= _set(item, prop_id, target)
        return changed

    def _find_in_block(self, column: Column, raw: str) -> UUID | None:
        return next(
            (item.id for item in self.block.items.values() if match_text(item, column.match) == raw), None
        )

    def _name_header(self) -> str | None:
        return next((c.header for c in self.config.columns if c.kind == "item"), self._key_header())

    def _clear(self, touched: set[UUID], plans: list[_RowPlan]) -> int:
        if self.config.clear == "none":
            return 0
        candidates = [item for item in self.block.items.values() if item.id not in touched]
        if self.config.clear == "scope":
            scope_props = [
                c.target
                for c in self.config.columns
                if c.header in self.config.scope and c.target is not None
            ]
            slices = {tuple(plan.values.get(prop) for prop in scope_props) for plan in plans}
            candidates = [
                item for item in candidates if tuple(item.values.get(prop) for prop in scope_props) in slices
            ]
        deleted = delete_items(self.app, self.block, (item.id for item in candidates))
        if deleted and self.block.is_dimension:
            # Cells on the removed items went with them: metrics on this dimension changed.
            for metric in self.app.metrics():
                if self.block.id in metric.dimensions:
                    self.outcome.cells_changed(metric.id, None)
        return deleted


def _set(item: Item, prop_id: UUID, value: PropertyValue | None) -> bool:
    if item.values.get(prop_id, _UNSET) == value or (value is None and prop_id not in item.values):
        return False
    if value is None:
        del item.values[prop_id]
    else:
        item.values[prop_id] = value
    return True


def load_list_rows(
    application: Application, config: ImportConfiguration, table: CsvTable, outcome: ImportOutcome
) -> None:
    loader = _ListLoader(application, config, table, outcome)
    loader.apply(loader.plan())
