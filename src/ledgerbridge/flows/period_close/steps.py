"""The close's work in the other systems: load the month's actuals (through gl-actuals-to-planning), move
the forecast's switchover month, and export budget vs actual."""

from __future__ import annotations

import dataclasses
from typing import Any

from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import ImportLayout
from ledgerbridge.connectors.pigment.exportreq import ExportField, TableExport
from ledgerbridge.connectors.pigment.records import ImportConfiguration, ImportReport
from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.gl_actuals_to_planning.flow import GlActualsToPlanning
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog, layout_for, push_and_wait

from .params import CloseParams
from .periods import AccountingPeriod
from .report import ACCOUNT, ACTUALS, BUDGET, DEPARTMENT, MONTH, VARIANCE, VERSION, VarianceLine, aggregate

#: the header of "period-close · Forecast switchover" (docs/sandbox-pigment.md)
SWITCHOVER_LAYOUT = ImportLayout(columns=("Version", "Switchover Month"), delimiter=";")
GL_FLOW = "gl-actuals-to-planning"


async def load_actuals(ctx: FlowContext, params: CloseParams, period: AccountingPeriod) -> RunOutcome:
    """Run gl-actuals-to-planning for this one period (its replace-by-scope push makes a re-run harmless)."""
    gl_params: dict[str, Any] = {
        **params.shared,
        **params.gl_actuals,
        "source": params.source,
        "target": params.target,
        "periods": [period.id],
    }
    return await GlActualsToPlanning().run(dataclasses.replace(ctx, flow=GL_FLOW, params=gl_params))


def incomplete_reasons(outcome: RunOutcome) -> list[str]:
    """Why a gl-actuals run left the month incomplete (empty when it loaded cleanly)."""
    reasons: list[str] = []
    if outcome.action_needed:
        reasons.append(f"{outcome.action_needed} actuals slice(s) need action (e.g. a missing mapping)")
    if outcome.failed:
        reasons.append(f"{outcome.failed} actuals slice(s) failed to load")
    return reasons


async def move_switchover(
    pigment: PigmentClient, catalog: PigmentCatalog, params: CloseParams, version: str, month: str
) -> ImportReport:
    """Set the forecast version's Switchover Month (an upsert by version name: re-running is harmless)."""
    configuration = await _switchover_configuration(pigment, catalog, params)
    layout = layout_for(pigment, configuration, SWITCHOVER_LAYOUT)
    row = {layout.columns[0]: version, layout.columns[1]: month}
    return await push_and_wait(pigment, configuration, layout, [row])


async def _switchover_configuration(
    pigment: PigmentClient, catalog: PigmentCatalog, params: CloseParams
) -> ImportConfiguration:
    """The configuration by name, looked for first among the Version list's own configurations: one
    request, where discovering every configuration costs one per block and the Pigment budget is shared."""
    try:
        versions = await catalog.block(VERSION, kind="List")
    except ConfigError:
        versions = None
    if versions is not None:
        found = await pigment.list_import_configurations(versions.application_id, versions.id)
        for configuration in found:
            if configuration.name == params.switchover_configuration:
                return configuration
    return await catalog.configuration(params.switchover_configuration, param="switchover_configuration")


async def budget_vs_actual(
    pigment: PigmentClient, catalog: PigmentCatalog, params: CloseParams, *, month: str, version: str
) -> list[VarianceLine]:
    """Pigment's budget vs actual of ``month`` x ``version`` per account x department (Pigment sums the
    dimensions left out of ``fields``, e.g. Entity)."""
    table = await catalog.block(params.export_table, kind="Table", param="export_table")
    dimensions = [await catalog.block(name, kind="List") for name in (MONTH, VERSION, ACCOUNT, DEPARTMENT)]
    metrics = [await catalog.block(name, kind="Metric") for name in (ACTUALS, BUDGET, VARIANCE)]
    fields = tuple(
        ExportField(source_id=block.id, type="DimensionField", display_name=block.name)
        for block in dimensions
    ) + tuple(
        ExportField(source_id=block.id, type="ValueField", display_name=block.name) for block in metrics
    )
    # Month and Version are kept client-side: filtering in the export needs item ids, which Pigment's API
    # does not expose by name
    async with pigment.export_table(table.id, TableExport(friendly_headers=True, fields=fields)) as rows:
        return aggregate([row async for row in rows], month=month, version=version)
