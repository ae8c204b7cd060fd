"""Pigment as the planning flows use it: blocks, views and import configurations found by name, and one
step that pushes rows into a configuration and waits for the import's report.

Names, not ids, go in ledgerbridge.yaml: ids differ between a customer's sandbox and production Pigment
workspaces, names are what a modeller sees. Discovery costs a few metadata requests, so one
:class:`PigmentCatalog` per run caches what it learnt. A param may still give an id (a UUID) directly, and
that skips discovery.

Every push carries a complete slice (the configurations replace by scope or by unique key), so re-running a
push is harmless: that is what makes Pigment writes idempotent (DESIGN §4.1).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Literal

from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import ImportLayout
from ledgerbridge.connectors.pigment.records import Block, ImportConfiguration, ImportReport, View
from ledgerbridge.errors import ConfigError

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

BlockKind = Literal["Metric", "List", "Table"]


def _is_id(value: str) -> bool:
    return bool(_UUID.fullmatch(value.strip()))


def _missing(what: str, name: str, known: Iterable[str], param: str) -> ConfigError:
    names = sorted(set(known))
    listed = ", ".join(f"'{n}'" for n in names[:12]) + (" ..." if len(names) > 12 else "")
    return ConfigError(
        f"Pigment has no {what} named '{name}'" + (f" (found: {listed})" if names else ""),
        field=param,
        hint=f"set the flow param {param} to the {what}'s exact name in Pigment, or to its id",
    )


class PigmentCatalog:
    """Blocks, views and import configurations of the workspace, looked up by name and cached."""

    def __init__(self, pigment: PigmentClient) -> None:
        self.pigment = pigment
        self._configurations: list[ImportConfiguration] | None = None
        self._blocks: list[Block] | None = None
        self._views: dict[str, list[View]] = {}
        self._items: dict[str, set[str]] = {}

    async def configuration(self, name: str, *, param: str = "import_configuration") -> ImportConfiguration:
        """The import configuration ``name`` (or id)."""
        if _is_id(name):
            return ImportConfiguration(id=name.strip(), name=name.strip())
        if self._configurations is None:
            # one request: the OAS makes both applicationId and blockId optional on this listing; walking
            # every block (the connector's discovery) costs one request per block, under a 500-per-5-min cap
            self._configurations = await self.pigment.list_import_configurations()
            if not self._configurations:
                self._configurations = await self.pigment.discover_import_configurations()
        for configuration in self._configurations:
            if configuration.name == name:
                return configuration
        raise _missing("import configuration", name, (c.name for c in self._configurations), param)

    async def configuration_of_block(
        self, block_name: str, name: str, *, param: str = "import_configuration"
    ) -> ImportConfiguration:
        """The configuration ``name`` (or id) found among those of the block ``block_name`` only: a few
        requests instead of one per block of every application. Falls back to :meth:`configuration`."""
        if _is_id(name):
            return await self.configuration(name, param=param)
        for block in await self.blocks():
            if block.name == block_name and block.type != "Table":
                found = await self.pigment.list_import_configurations(block.application_id, block.id)
                for configuration in found:
                    if configuration.name == name:
                        return dataclasses.replace(
                            configuration,
                            block_id=configuration.block_id or block.id,
                            application_id=configuration.application_id or block.application_id,
                        )
        return await self.configuration(name, param=param)

    async def blocks(self) -> list[Block]:
        if self._blocks is None:
            self._blocks = [
                block
                for application in await self.pigment.list_applications()
                for block in await self.pigment.list_blocks(application.id)
            ]
        return self._blocks

    async def block(self, name: str, *, kind: BlockKind | None = None, param: str = "block") -> Block:
        """The block ``name`` (or id); ``kind`` "List" matches dimension and transaction lists."""
        blocks = await self.blocks()
        fits = [b for b in blocks if kind is None or b.type == kind or (kind == "List" and b.is_list)]
        for block in fits:
            if block.name == name or block.id == name.strip():
                return block
        candidates = (b.name for b in fits)
        raise _missing(kind.lower() if kind else "block", name, candidates, param)

    async def item_names(self, list_name: str, *, param: str = "month_list") -> set[str]:
        """The item names of a dimension list (one list export; cached): e.g. the model's Month horizon."""
        cached = self._items.get(list_name)
        if cached is not None:
            return cached
        block = await self.block(list_name, kind="List", param=param)
        names: set[str] = set()
        async with self.pigment.export_list(block.id) as rows:
            async for row in rows:
                # the list column (the item name) comes first, whatever the export calls it
                names.add(str(row[rows.header[0]]))
        self._items[list_name] = names
        return names

    async def view(self, name: str, *, param: str = "view") -> View:
        """The view ``name`` (or id), searched in every application."""
        if _is_id(name):
            return View(id=name.strip(), name=name.strip(), type="Public")
        seen: list[str] = []
        for application in await self.pigment.list_applications():
            views = self._views.get(application.id)
            if views is None:
                views = self._views[application.id] = await self.pigment.list_views(application.id)
            for view in views:
                if view.name == name:
                    return view
            seen.extend(view.name for view in views)
        raise _missing("view", name, seen, param)


def layout_for(
    pigment: PigmentClient, configuration: ImportConfiguration, default: ImportLayout
) -> ImportLayout:
    """The layout declared on the connection for this configuration (by id or name), else the flow's own.

    A flow's default is the header of the configuration it documents (docs/flows/*.md); a workspace whose
    configuration was saved with another delimiter declares it under the connection's ``import_layouts``.
    """
    declared = pigment.settings.import_layouts
    return declared.get(configuration.id) or declared.get(configuration.name) or default


async def push_and_wait(
    pigment: PigmentClient,
    configuration: ImportConfiguration,
    layout: ImportLayout,
    rows: Iterable[Mapping[str, object]],
    *,
    allow_skipped: bool = False,
) -> ImportReport:
    """Push ``rows`` as one CSV file and wait for Pigment's report.

    Raises ``SkippedRowsError`` (a ``RecordRejected`` naming each skip reason and its samples) when Pigment
    skipped any row, unless ``allow_skipped``; ``ImportFailedError`` when the import failed; and the
    retriable ``ImportTimeoutError`` when it is still running after the connection's poll timeout.
    """
    import_id = await pigment.push_csv(configuration.id, rows, layout=layout)
    return await pigment.wait_for_import(import_id, allow_skipped=allow_skipped)
