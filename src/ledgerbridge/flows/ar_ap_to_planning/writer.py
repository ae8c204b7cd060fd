"""``OpenItemsWriter``: pushes this run's open set as one file to ``ar-ap-to-planning · Open items``.

The hub holds one row per snapshot (per as-of date). The executor hands out the rows that changed; the
current one is pushed (the configuration clears the whole list and upserts by Document ID, so the file
*is* the list afterwards: a paid invoice disappears). An older snapshot still pending (a failed push of an
earlier day) is superseded by the current one, never pushed: Pigment shows one open set, the newest.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import ImportLayout
from ledgerbridge.connectors.pigment.records import ImportReport
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import Fatal, LedgerbridgeError
from ledgerbridge.flows.planning.dimensions import MissingMappings
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog, layout_for, push_and_wait
from ledgerbridge.hub import ClaimedRecord

from .items import COLUMNS, Snapshot

PIGMENT = "pigment"
DEFAULT_LAYOUT = ImportLayout(columns=COLUMNS)
#: the transaction list the configuration loads (where it is looked up first; any name works as fallback)
OPEN_ITEMS_LIST = "AR AP Open Items"


class OpenItemsWriter:
    """A :class:`~ledgerbridge.engine.executor.TargetWriter` for the open-items snapshot."""

    system = PIGMENT

    def __init__(self, pigment: PigmentClient, snapshot: Snapshot, configuration: str) -> None:
        self.pigment = pigment
        self.snapshot = snapshot
        self.configuration = configuration
        self.report: ImportReport | None = None

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        current = self.snapshot.as_of.isoformat()
        results: list[WriteResult] = []
        for record in batch:
            if record.source_id != current:
                results.append(WriteResult.skipped(f"superseded by the {current} snapshot"))
                continue
            results.append(await self._push())
        return results

    async def _push(self) -> WriteResult:
        if self.snapshot.missing:
            # a partial file would clear the unmapped subsidiaries' documents from Pigment: push nothing,
            # Pigment keeps the last complete open set until the mapping rows are added
            return WriteResult.failed(MissingMappings(self.snapshot.missing))
        try:
            if self.report is None:
                catalog = PigmentCatalog(self.pigment)
                configuration = await catalog.configuration_of_block(OPEN_ITEMS_LIST, self.configuration)
                layout = layout_for(self.pigment, configuration, DEFAULT_LAYOUT)
                self.report = await push_and_wait(self.pigment, configuration, layout, self.snapshot.rows)
        except Fatal:
            raise
        except LedgerbridgeError as exc:
            return WriteResult.failed(exc)
        return WriteResult.ok(self.report.import_id)

    async def lookup(self, record: ClaimedRecord) -> str | None:
        """A crashed push is sent again: the file is the full open set, so resending it is harmless."""
        return None
