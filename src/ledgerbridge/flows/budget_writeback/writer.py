"""``BudgetWriter``: claimed budget lines → NetSuite ``budgetimport`` records, ≤100 per batch request.

Each line is upserted by its deterministic external id (``PUT eid:`` semantics through ``upsert_many``), so a
re-run or a re-approval replaces the earlier write of the same line instead of adding another. Pigment codes
become NetSuite ids here (``reverse.py`` for the mapping tables, one SuiteQL query each for account ids,
fiscal-year periods and the budget category, cached for the run). A version row writes nothing: it records
that the version was taken, and is the parent its lines are linked to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import ActionNeeded, ConfigError, LedgerbridgeError
from ledgerbridge.flows.planning.dimensions import ACCOUNTS, DEPARTMENTS, SUBSIDIARIES, PlanningDimensions
from ledgerbridge.hub import ClaimedRecord

from .params import BudgetParams
from .reverse import ReverseMap


@dataclass(frozen=True, slots=True)
class NetSuiteIds:
    accounts: dict[str, str]
    years: dict[int, str]
    category: str


class BudgetWriter:
    """A :class:`~ledgerbridge.engine.executor.TargetWriter` for budget lines → NetSuite budget imports."""

    system = "netsuite"

    def __init__(self, netsuite: NetSuiteClient, dims: PlanningDimensions, params: BudgetParams) -> None:
        self.netsuite = netsuite
        self.params = params
        self.accounts = ReverseMap(dims.accounts, ACCOUNTS.value_column, "account")
        self.subsidiaries = ReverseMap(dims.subsidiaries, SUBSIDIARIES.value_column, "entity")
        self.departments = ReverseMap(dims.departments, DEPARTMENTS.value_column, "department")
        self._ids: NetSuiteIds | None = None

    async def ids(self) -> NetSuiteIds:
        if self._ids is None:
            accounts: dict[str, str] = {}
            async for row in self.netsuite.suiteql("SELECT id, acctnumber FROM account"):
                accounts[str(row["id"])] = str(row["id"])
                if row.get("acctnumber"):
                    accounts[str(row["acctnumber"])] = str(row["id"])
            years: dict[int, str] = {}
            async for row in self.netsuite.suiteql(
                "SELECT id, TO_CHAR(startdate, 'YYYY-MM-DD') AS s FROM accountingperiod WHERE isyear = 'T'"
            ):
                # a calendar fiscal year: the year period that starts on 1 January of that year
                if str(row["s"]).endswith("-01-01"):
                    years[int(str(row["s"])[:4])] = str(row["id"])
            category = None
            async for row in self.netsuite.suiteql("SELECT id, name FROM budgetcategory"):
                if str(row.get("name")) == self.params.budget_category:
                    category = str(row["id"])
            if category is None:
                raise ConfigError(
                    f"NetSuite has no budget category '{self.params.budget_category}'",
                    field="budget_category",
                    hint="set params.budget_category to an existing NetSuite budget category",
                )
            self._ids = NetSuiteIds(accounts, years, category)
        return self._ids

    def body(self, payload: dict[str, Any], ids: NetSuiteIds) -> dict[str, Any]:
        """The budgetimport body of one line; ``ActionNeeded`` when a code has no single NetSuite target."""
        account_number = self.accounts.resolve(str(payload["account"]))
        account_id = ids.accounts.get(account_number)
        if account_id is None:
            raise ActionNeeded(
                f"NetSuite has no account '{account_number}' (the budget target of Pigment account "
                f"'{payload['account']}')",
                hint="fix the accounts mapping, then `ledgerbridge hub retry` the lines",
            )
        year = int(payload["year"])
        year_id = ids.years.get(year)
        if year_id is None:
            raise ActionNeeded(
                f"NetSuite has no fiscal year period for {year} (FY {year}), so version "
                f"'{payload['version']}' cannot be budgeted there",
                hint="create the accounting periods of that year in NetSuite, then `ledgerbridge hub retry`",
            )
        body: dict[str, Any] = {
            "account": {"id": account_id},
            "subsidiary": {"id": self.subsidiaries.resolve(str(payload["entity"]))},
            "category": {"id": ids.category},
            "year": {"id": year_id},
        }
        department = str(payload.get("department") or "")
        if department and department != self.params.unassigned_department:
            body["department"] = {"id": self.departments.resolve(department)}
        for index, amount in enumerate(payload["amounts"], start=1):
            body[f"periodAmount{index}"] = Decimal(str(amount))
        return body

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        results: dict[int, WriteResult] = {}
        pairs: list[tuple[str, dict[str, Any]]] = []
        sent: list[ClaimedRecord] = []
        ids = await self.ids() if any(r.payload.get("kind") == "line" for r in batch) else None
        for record in batch:
            if record.payload.get("kind") != "line":
                results[record.id] = WriteResult.ok(
                    str(record.payload.get("version_code") or record.source_id)
                )
                continue
            assert ids is not None
            try:
                body = self.body(record.payload, ids)
            except ActionNeeded as exc:
                results[record.id] = WriteResult.failed(exc)
                continue
            pairs.append((record.external_id, body))
            sent.append(record)
        if pairs:
            written = await self.netsuite.upsert_many(
                "budgetimport", pairs, idempotency_key_prefix="lb-budget"
            )
            for record, item in zip(sent, written, strict=True):
                if item.ok:
                    results[record.id] = WriteResult.ok(item.id)
                else:
                    error = item.error or LedgerbridgeError(f"{record.external_id}: NetSuite returned no id")
                    results[record.id] = WriteResult.failed(error)
        return [results[record.id] for record in batch]

    async def lookup(self, record: ClaimedRecord) -> str | None:
        """The budget import with this line's external id, if a crashed write landed."""
        if record.payload.get("kind") != "line":
            return None
        return await self.netsuite.find_id_by_external_id("budgetimport", record.external_id)
