"""List data copy and metric data copy: the pipelines ``POST /api/v1/import/trigger`` runs besides
integration imports (OAS: "automatically detects the type of pipeline").

* a list data copy upserts the source list's items into the target list by name, copying the values of
  the properties both lists have (same name and type);
* a metric data copy replaces the target metric's cells with the source metric's (same dimensions).
"""

from __future__ import annotations

from uuid import uuid4

from .model import Application, ImportConfiguration, Item
from .outcome import ImportOutcome


def run_list_copy(application: Application, config: ImportConfiguration, outcome: ImportOutcome) -> None:
    assert config.copy_from is not None
    source = application.list_block(config.copy_from)
    target = application.list_block(config.block_id)
    counts = outcome.block(target.id)
    shared = {
        source_prop.id: target_prop.id
        for source_prop in source.properties
        if (target_prop := target.property_named(source_prop.name)) is not None
        and target_prop.type == source_prop.type
        and target_prop.list_id == source_prop.list_id
    }
    for source_item in source.items.values():
        assert source_item.name is not None
        values = {shared[prop]: value for prop, value in source_item.values.items() if prop in shared}
        existing = target.item_named(source_item.name)
        if existing is None:
            target.add_item(Item(id=uuid4(), name=source_item.name, values=values))
            counts.inserted += 1
            continue
        merged = {**existing.values, **values}
        if merged != existing.values:
            existing.values = merged
            counts.updated += 1


def run_metric_copy(application: Application, config: ImportConfiguration, outcome: ImportOutcome) -> None:
    assert config.copy_from is not None
    source = application.metric(config.copy_from)
    target = application.metric(config.block_id)
    counts = outcome.block(target.id)
    old = target.cells
    counts.inserted += sum(1 for key in source.cells if key not in old)
    counts.updated += sum(1 for key, value in source.cells.items() if key in old and old[key] != value)
    counts.deleted += sum(1 for key in old if key not in source.cells)
    target.cells = dict(source.cells)
    outcome.cells_changed(target.id, None)
