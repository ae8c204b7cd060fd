"""``HierarchyWriter``: pushes each Pigment list that has a changed member, once per run, as a full file.

The executor hands out the hub rows (one per NetSuite member) whose payload changed. The writer groups them
by list and pushes the *whole* list as this run computed it: the configurations upsert by Code, so a full
file is idempotent (re-sending it after a crash or a retry changes nothing) and carries every parent a
changed member may point at. A list is pushed at most once per run even when its rows span batches.

A roll-up Code (``keep_pigment``) takes the name and Type/Currency Pigment already has; those are read from
one list export, only for lists that are pushed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import ImportLayout
from ledgerbridge.connectors.pigment.exportreq import ListExport
from ledgerbridge.connectors.pigment.records import ImportConfiguration, ImportReport
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import Fatal, LedgerbridgeError, RecordRejected
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog, layout_for, push_and_wait
from ledgerbridge.hub import ClaimedRecord

from .members import EXTRA_COLUMNS, ListPlan

PIGMENT = "pigment"


def default_layout(list_name: str) -> ImportLayout:
    """The header of ``hierarchy-to-planning · <list>`` (docs/flows/hierarchy-to-planning.md)."""
    return ImportLayout(columns=("Code", "Name", *EXTRA_COLUMNS[list_name], "Parent Code", "Active"))


class HierarchyWriter:
    """A :class:`~ledgerbridge.engine.executor.TargetWriter` for list members → Pigment dimension lists."""

    system = PIGMENT

    def __init__(
        self, pigment: PigmentClient, plans: Mapping[str, ListPlan], configurations: Mapping[str, str]
    ) -> None:
        self.pigment = pigment
        self.catalog = PigmentCatalog(pigment)
        self.plans = plans
        self.configurations = configurations
        #: list → the report (or the error) of this run's push
        self.pushed: dict[str, ImportReport | LedgerbridgeError] = {}

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        results: list[WriteResult] = []
        for record in batch:
            list_name = str(record.payload.get("list"))
            if list_name not in self.plans:
                results.append(
                    WriteResult.failed(
                        RecordRejected(
                            f"{record.source_type} {record.source_id}: list {list_name!r} is not synced by "
                            "this workspace any more",
                            hint="add it back to params.lists, or `ledgerbridge hub resolve` the record",
                        )
                    )
                )
                continue
            if list_name not in self.pushed:
                self.pushed[list_name] = await self._push(list_name)
            outcome = self.pushed[list_name]
            if isinstance(outcome, LedgerbridgeError):
                results.append(WriteResult.failed(outcome))
            else:
                results.append(WriteResult.ok(f"{list_name}:{record.payload.get('code')}"))
        return results

    async def _push(self, list_name: str) -> ImportReport | LedgerbridgeError:
        plan = self.plans[list_name]
        param = f"{list_name.lower()}_configuration"
        try:
            configuration = await self.catalog.configuration_of_block(
                list_name, self.configurations[list_name], param=param
            )
            existing = (
                await self._existing(configuration)
                if any(row.keep_pigment for row in plan.rows.values())
                else {}
            )
            layout = layout_for(self.pigment, configuration, default_layout(list_name))
            rows = [row.csv(list_name, existing) for row in plan.ordered()]
            return await push_and_wait(self.pigment, configuration, layout, rows)
        except Fatal:
            raise
        except LedgerbridgeError as exc:
            # this list's members fail (and retry later); the other lists still go
            return exc

    async def _existing(self, configuration: ImportConfiguration) -> dict[str, dict[str, str]]:
        """Pigment's items of the configuration's list by Code: name and properties as text."""
        if configuration.block_id is None:
            return {}
        found: dict[str, dict[str, str]] = {}
        async with self.pigment.export_list(
            configuration.block_id, ListExport(friendly_headers=True)
        ) as rows:
            async for row in rows:
                code = (row.get("Code") or "").strip()
                if not code:
                    continue
                name_column = rows.header[0] if rows.header else ""
                found[code] = {**row, "name": row.get(name_column, "")}
        return found

    async def lookup(self, record: ClaimedRecord) -> str | None:
        """A crashed push is simply sent again: the full file upserts by Code, so resending is harmless."""
        return None
