"""``ActualsWriter``: loads claimed periods into Pigment, one whole month per push.

A period row and the (period, account) rows that wait for mappings all lead to the same work: query the
period's balances (one aggregated SuiteQL, see ``source.py``), map them (``aggregate.py``) and push the
month's file, which replaces the month in Pigment (clear by scope Month). Loads are cached per run by
period, so a batch holding a period and three of its account rows costs one query and one push, and
account rows staged by a load (new gaps) settle from the cache when the executor claims them.

Pushing the same month twice is harmless: the file is the same and Pigment counts unchanged rows as
nothing (0 inserted / updated / deleted). That is also crash recovery: ``lookup`` finds nothing, so an
in-flight period whose worker died is simply loaded again.

Pushing it is still not free (a push, a status poll, one of 300 pushes an hour per configuration), so
the hub's target id of a period row records a digest of the file last pushed (``<digest>:<import id>``):
a reopened period whose file comes out identical (a memo edited in NetSuite, a mapping change that does
not touch this month) is marked transferred without a push. Forced loads (the ``periods`` param, used by
period-close) always push.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import ImportLayout
from ledgerbridge.connectors.pigment.records import ImportConfiguration, ImportReport
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog, layout_for, push_and_wait
from ledgerbridge.hub import ClaimedRecord, HubStore, StagedRecord, State

from .aggregate import COLUMNS, MissingAccount, map_period
from .params import FLOW_NAME
from .source import period_balances
from .staging import PERIOD, PIGMENT, account_record

DEFAULT_LAYOUT = ImportLayout(columns=COLUMNS, delimiter=";")


@dataclass(slots=True)
class PeriodLoad:
    """What loading one period did (or why it could not)."""

    period_id: str
    month: str
    rows: list[dict[str, object]] = field(default_factory=list)
    missing: dict[str, MissingAccount] = field(default_factory=dict)
    report: ImportReport | None = None
    error: BaseException | None = None
    digest: str = ""
    #: ``<digest>:<import id>`` of the push that made Pigment hold this file (None: nothing to push)
    target_id: str | None = None


def file_digest(rows: Sequence[Mapping[str, object]]) -> str:
    """A short fingerprint of a month's file (rows are already in a stable order)."""
    text = json.dumps([[str(v) for v in row.values()] for row in rows], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def pushed_digest(target_id: str | None) -> str | None:
    """The digest part of a period row's target id."""
    return target_id.split(":", 1)[0] if target_id else None


class ActualsWriter:
    """A :class:`~ledgerbridge.engine.executor.TargetWriter` for period rows → Pigment Actuals."""

    system = PIGMENT

    def __init__(
        self,
        netsuite: NetSuiteClient,
        pigment: PigmentClient,
        hub: HubStore,
        dims: PlanningDimensions,
        *,
        configuration: str,
        concurrency: int = 3,
        dry_run: bool = False,
        run_id: int | None = None,
    ) -> None:
        self.netsuite = netsuite
        self.pigment = pigment
        self.hub = hub
        self.dims = dims
        self.configuration_name = configuration
        self.dry_run = dry_run
        self.run_id = run_id
        self.loads: dict[str, PeriodLoad] = {}
        #: (source_type, source_id) of every row the executor handed over in this run
        self.claimed: set[tuple[str, str]] = set()
        self.pushes = 0
        #: periods reloaded whose file matched the last push (no push needed)
        self.unchanged = 0
        self._gate = asyncio.Semaphore(concurrency)
        self._locks: dict[str, asyncio.Lock] = {}
        self._catalog = PigmentCatalog(pigment)
        self._target: tuple[ImportConfiguration, ImportLayout] | None = None
        self._target_lock = asyncio.Lock()

    async def target(self) -> tuple[ImportConfiguration, ImportLayout]:
        """The import configuration and its layout, discovered on the first push only (a run that has
        nothing to load sends Pigment no request at all)."""
        async with self._target_lock:
            if self._target is None:
                configuration = await self._catalog.configuration(self.configuration_name)
                self._target = (configuration, layout_for(self.pigment, configuration, DEFAULT_LAYOUT))
            return self._target

    async def load(
        self, period: Mapping[str, Any], *, previous: str | None = None, force: bool = False
    ) -> PeriodLoad:
        """Load one period (``period`` is a period row's payload) once per run; later calls reuse it.

        ``previous`` is the target id of the period's last push; an identical file is not pushed again
        unless ``force``."""
        period_id = str(period["period_id"])
        lock = self._locks.setdefault(period_id, asyncio.Lock())
        async with lock:
            cached = self.loads.get(period_id)
            if cached is not None:
                return cached
            load = PeriodLoad(period_id, str(period["month"]))
            try:
                async with self._gate:
                    await self._load(period, load, previous=previous, force=force)
            except Exception as exc:  # the error becomes every row's outcome of this period
                load.error = exc
            self.loads[period_id] = load
            return load

    async def _load(
        self, period: Mapping[str, Any], load: PeriodLoad, *, previous: str | None, force: bool
    ) -> None:
        balances = await period_balances(self.netsuite, load.period_id)
        mapped = map_period(load.month, balances, self.dims)
        load.rows = mapped.rows()
        load.missing = mapped.missing
        load.digest = file_digest(load.rows)
        if self.dry_run:
            return
        if mapped.missing:
            # stage the gaps before the push: a crash after it still leaves them for a person
            records = [account_record(dict(period), e, self.dims.version) for e in mapped.missing.values()]
            await asyncio.to_thread(self._stage_gaps, records)
        if not load.rows:
            # nothing planned in this month (every line excluded or unmapped): an empty file would name
            # no month to replace, so there is nothing to send
            return
        if not force and pushed_digest(previous) == load.digest:
            load.target_id = previous
            self.unchanged += 1
            return
        configuration, layout = await self.target()
        load.report = await push_and_wait(self.pigment, configuration, layout, load.rows)
        load.target_id = f"{load.digest}:{load.report.import_id}"
        self.pushes += 1

    def _stage_gaps(self, records: list[StagedRecord]) -> None:
        """Stage the (period, account) rows of this load's gaps. A row settled earlier (transferred) whose
        gap is back (a mapping row removed again) is re-opened: its payload would otherwise be the same as
        when it was first staged, and the hub would leave it transferred."""
        fresh: list[StagedRecord] = []
        for record in records:
            known = self.hub.find(FLOW_NAME, *record.key)
            if known is not None and known.state is State.TRANSFERRED:
                reopened = {**record.payload, "reopened_at": self.hub.now().isoformat()}
                record = dataclasses.replace(record, payload=reopened)
            fresh.append(record)
        self.hub.stage(FLOW_NAME, fresh, run_id=self.run_id)

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        periods: dict[str, Mapping[str, Any]] = {}
        previous: dict[str, str | None] = {}
        for record in batch:
            period_id = str(record.payload["period_id"])
            periods.setdefault(period_id, record.payload)
            if record.source_type == PERIOD:
                previous[period_id] = record.target_id
            self.claimed.add((record.source_type, record.source_id))
        await asyncio.gather(
            *(self.load(payload, previous=previous.get(pid)) for pid, payload in periods.items())
        )
        return [self.result(record.source_type, record.payload) for record in batch]

    def result(self, source_type: str, payload: Mapping[str, Any]) -> WriteResult:
        """The outcome of one row from its period's load."""
        load = self.loads[str(payload["period_id"])]
        if load.error is not None:
            return WriteResult.failed(load.error)
        if source_type == PERIOD:
            return WriteResult.ok(load.target_id)
        gap = load.missing.get(str(payload["netsuite_account"]))
        if gap is not None:
            return WriteResult.failed(gap.error())
        return WriteResult.ok(load.target_id)

    async def lookup(self, record: ClaimedRecord) -> str | None:
        """Pigment keeps no trace to find a month by; re-pushing it is idempotent, so recovery re-sends."""
        return None
