"""``RevenueSliceWriter``: pushes claimed month slices to Pigment, one CSV per configuration per batch.

Each configuration clears by scope ``Month``, so a push replaces every month it carries in full; pushing a
slice twice is harmless (DESIGN §4.1). NetSuite keys are mapped to Pigment codes here, at write time, so a
slice that went ``action_needed`` for a missing mapping row loads on ``hub retry`` once the row is added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import ImportLayout
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import Fatal, LedgerbridgeError, Retriable
from ledgerbridge.flows.planning.dimensions import ACCOUNTS, SUBSIDIARIES, MissingMappings, PlanningDimensions
from ledgerbridge.flows.planning.months import month_label
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog, layout_for, push_and_wait
from ledgerbridge.hub import ClaimedRecord

from .params import RevenueParams
from .staging import REVENUE, SAAS

REVENUE_LAYOUT = ImportLayout(columns=("Month", "Entity Code", "Account Code", "Recognized", "Deferred"))
SAAS_LAYOUT = ImportLayout(columns=("Month", "Entity Code", "MRR", "Active Subscriptions"))
Missing = list[tuple[str, str, str]]


def _month(payload: Mapping[str, Any], month_format: str) -> str:
    return month_label(date.fromisoformat(f"{payload['month']}-01"), month_format)


def revenue_rows(
    payload: Mapping[str, Any],
    dims: PlanningDimensions,
    month_format: str,
    missing: Missing,
    default_account: str | None = None,
) -> list[dict[str, object]]:
    """The Pigment rows of one revenue slice (NetSuite accounts that share a Pigment account are summed).

    ``default_account`` stands in for plan items that name no income account."""
    label = _month(payload, month_format)
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for sub, named_account, recognized, deferred in payload["rows"]:
        entity = dims.lookup(SUBSIDIARIES, sub, missing)
        account = named_account or default_account or ""
        if account == "":
            missing.append(
                (dims.accounts.name, "(plan item without an income account: set default_income_account)",
                 ACCOUNTS.what)
            )  # fmt: skip
            continue
        code = dims.lookup(ACCOUNTS, account, missing)
        if entity is None or code is None:
            continue
        cell = totals.setdefault((entity, code), [Decimal(0), Decimal(0)])
        cell[0] += Decimal(recognized)
        cell[1] += Decimal(deferred)
    rows: list[dict[str, object]] = [
        {"Month": label, "Entity Code": e, "Account Code": a, "Recognized": v[0], "Deferred": v[1]}
        for (e, a), v in sorted(totals.items())
    ]
    if not payload["rows"] and payload.get("clear_with"):
        sub, account = payload["clear_with"]
        entity = dims.lookup(SUBSIDIARIES, sub, [])
        code = dims.lookup(ACCOUNTS, account, [])
        if entity and code:
            # a blank value clears; the scope clear empties the rest of the month
            rows.append({"Month": label, "Entity Code": entity, "Account Code": code, "Recognized": None,
                         "Deferred": None})  # fmt: skip
    return rows


def saas_rows(
    payload: Mapping[str, Any], dims: PlanningDimensions, month_format: str, missing: Missing
) -> list[dict[str, object]]:
    label = _month(payload, month_format)
    totals: dict[str, list[Decimal]] = {}
    for sub, mrr, count in payload["rows"]:
        entity = dims.lookup(SUBSIDIARIES, sub, missing)
        if entity is None:
            continue
        cell = totals.setdefault(entity, [Decimal(0), Decimal(0)])
        cell[0] += Decimal(mrr)
        cell[1] += Decimal(count)
    rows: list[dict[str, object]] = [
        {"Month": label, "Entity Code": e, "MRR": v[0], "Active Subscriptions": int(v[1])}
        for e, v in sorted(totals.items())
    ]
    if not payload["rows"] and payload.get("clear_with"):
        entity = dims.lookup(SUBSIDIARIES, payload["clear_with"][0], [])
        if entity:
            rows.append({"Month": label, "Entity Code": entity, "MRR": None, "Active Subscriptions": None})
    return rows


class RevenueSliceWriter:
    """A :class:`~ledgerbridge.engine.executor.TargetWriter` for month slices → Pigment imports."""

    system = "pigment"

    def __init__(self, pigment: PigmentClient, dims: PlanningDimensions, params: RevenueParams) -> None:
        self.pigment = pigment
        self.catalog = PigmentCatalog(pigment)
        self.dims = dims
        self.params = params

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        results: dict[int, WriteResult] = {}
        for kind in (REVENUE, SAAS):
            records = [r for r in batch if r.payload.get("kind") == kind]
            if records:
                results.update(await self._push(kind, records))
        return [results.get(r.id) or WriteResult.skipped(f"unknown slice kind {r.payload.get('kind')!r}")
                for r in batch]  # fmt: skip

    async def _push(self, kind: str, records: Sequence[ClaimedRecord]) -> dict[int, WriteResult]:
        results: dict[int, WriteResult] = {}
        rows: list[dict[str, object]] = []
        pushed: list[ClaimedRecord] = []
        for record in records:
            missing: Missing = []
            if kind == REVENUE:
                slice_rows = revenue_rows(
                    record.payload, self.dims, self.params.month_format, missing,
                    self.params.default_income_account,
                )  # fmt: skip
            else:
                slice_rows = saas_rows(record.payload, self.dims, self.params.month_format, missing)
            if missing:
                results[record.id] = WriteResult.failed(MissingMappings(missing))
            elif not slice_rows:
                results[record.id] = WriteResult.skipped(
                    f"{record.payload['month']}: nothing to load (every value is excluded from planning)"
                )
            else:
                rows.extend(slice_rows)
                pushed.append(record)
        if not pushed:
            return results
        if kind == REVENUE:
            name, param, default = self.params.revenue_configuration, "revenue_configuration", REVENUE_LAYOUT
        else:
            name, param, default = self.params.saas_configuration, "saas_configuration", SAAS_LAYOUT
        configuration = await self.catalog.configuration(name, param=param)
        layout = layout_for(self.pigment, configuration, default)
        try:
            report = await push_and_wait(self.pigment, configuration, layout, rows)
        except (Fatal, Retriable):
            raise
        except LedgerbridgeError as exc:
            results.update({record.id: WriteResult.failed(exc) for record in pushed})
            return results
        results.update({record.id: WriteResult.ok(report.import_id) for record in pushed})
        return results

    async def lookup(self, record: ClaimedRecord) -> str | None:
        """Never found: re-pushing a slice replaces the month again, so recovery simply re-sends it."""
        return None
