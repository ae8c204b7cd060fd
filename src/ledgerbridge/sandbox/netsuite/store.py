"""NetSuiteStore: the emulated NetSuite account's state and rules (the HTTP half calls only this).

PUBLIC API (stable; the HTTP half codes against it):

    store = NetSuiteStore(account_id="1234567_SB1", timezone="America/Los_Angeles", date_format="M/d/yyyy",
                          path=None, max_page=1000, max_results=100_000, clock=None)
    store.record_types() -> list[str]                      canonical lower-case REST record ids
    store.canonical_type(name) -> str                      'salesOrder' -> 'salesorder' (NsError if unknown)
    store.schema(record_type) -> dict                      JSON Schema incl. x-ns-filterable
    store.get(record_type, key, *, expand=False, fields=None) -> dict
    store.get_sublist(record_type, key, sublist, *, line=None) -> dict
    store.create(record_type, body) -> str                 new internal id
    store.update(record_type, key, body, *, replace=frozenset(), replace_selected_fields=False) -> str
    store.upsert(record_type, external_id, body) -> str    PUT .../eid:<x>; create or update
    store.delete(record_type, key) -> None
    store.transform(src_type, src_key, dst_type, body=None) -> str
    store.list(record_type, *, q=None, limit=1000, offset=0) -> tuple[list[str], int]
    store.lock(record_type, key, locked=True) -> None
    store.suiteql(query, *, limit=1000, offset=0) -> SuiteQLPage(items, total, has_more)
    store.close_period(period_id) / reopen_period(period_id) / period_for(day) -> str
    store.reset() / load_seed(name) / load_fixture(data) -> dict[str, list[str]] / stats_counts() -> dict
    store.self_href(record_type, internal_id) -> str       "/services/rest/record/v1/<type>/<id>"
    store.bulk_insert(table, rows) -> int                  fast path for tests/benchmarks (SuiteQL tables)
    store.synthesize_gl(lines, *, seed=0) -> int           fast path: balanced journal lines for benchmarks

Keys: an internal id ("42") or "eid:<externalId>". Record-type names are case-insensitive.
Every method raises :class:`~ledgerbridge.sandbox.netsuite.errors.NsError` for what NetSuite would refuse.

Money: record bodies carry :class:`decimal.Decimal` for every amount (never float). The HTTP half must parse
request JSON with ``json.loads(..., parse_float=Decimal)`` and serialise Decimal as a JSON number written
from ``str(value)`` (no float round-trip). Floats handed to the store are refused with ``TypeError``.

Thread safety: one re-entrant lock serialises every public call around one SQLite connection.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from ledgerbridge.sandbox.netsuite import schema as schema_mod
from ledgerbridge.sandbox.netsuite.arm import RevenuePlans
from ledgerbridge.sandbox.netsuite.bodies import Renderer, href
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.ledger import Ledger
from ledgerbridge.sandbox.netsuite.periods import Periods
from ledgerbridge.sandbox.netsuite.qfilter import compile_filter
from ledgerbridge.sandbox.netsuite.records import check_external_id
from ledgerbridge.sandbox.netsuite.recordtypes import RECORD_TYPES, RecordType, canonical, json_schema
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo
from ledgerbridge.sandbox.netsuite.suiteql import Functions, SuiteQL
from ledgerbridge.sandbox.netsuite.writes import Writer

SeedName = Literal["empty", "demo", "netsuite2-sample"]


@dataclass(frozen=True, slots=True)
class SuiteQLPage:
    """One page of a SuiteQL result.

    ``items``: one dict per row: ``"links": []`` first, then lower-cased column keys with string values
    (NULL columns omitted). ``total`` is ``totalResults``; ``has_more`` is ``hasMore``.
    """

    items: list[dict[str, Any]]
    total: int
    has_more: bool


class NetSuiteStore:
    """The state of one emulated NetSuite account (records, GL, periods, revenue plans)."""

    def __init__(
        self,
        *,
        account_id: str,
        timezone: str = "America/Los_Angeles",
        date_format: str = "M/d/yyyy",
        path: str | None = None,
        max_page: int = 1000,
        max_results: int = 100_000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``path``: SQLite file (``None`` = in memory; an existing file keeps its state).
        ``clock``: returns the current time, aware (tests pin it); defaults to the system clock."""
        self.account_id = account_id
        self.timezone = timezone
        self.date_format = date_format
        self.max_page = max_page
        self.max_results = max_results
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._depth = 0
        self._version = 0
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
        self.repo = Repo(self._conn, timezone=timezone, clock=self._clock)
        self.periods = Periods(self.repo)
        self.ledger = Ledger(self.repo)
        self.plans = RevenuePlans(self.repo, self.periods)
        self.writer = Writer(self.repo, self.periods, self.ledger, self.plans)
        Functions(date_format, lambda: self.repo.now().astimezone(self.repo.zone)).register(self._conn)
        self._sql = SuiteQL(
            self._conn,
            date_format=date_format,
            max_page=max_page,
            max_results=max_results,
            version=lambda: self._version,
        )
        existing = self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ns_record'").fetchone()
        if existing is None:
            with self._tx():
                self._recreate()
                self._seed("empty")

    # --- plumbing -------------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[None]:
        """One SQLite transaction per outermost public call; a failure rolls everything back."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                    self.periods.clear_cache()
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")
                self._version += 1

    def _rt(self, record_type: str) -> RecordType:
        name = canonical(record_type)
        if name is None:
            raise NsError.invalid_parameter(f"Record type '{record_type}' does not exist.")
        return RECORD_TYPES[name]

    def _find(self, rt: RecordType, key: str) -> RecordRow | None:
        key = str(key).strip()
        if key.lower().startswith("eid:"):
            return self.repo.fetch_eid(rt.name, key[4:])
        if not key.lstrip("-").isdigit():
            return None
        return self.repo.fetch(rt.name, int(key))

    def _row(self, rt: RecordType, key: str) -> RecordRow:
        row = self._find(rt, key)
        if row is None:
            raise NsError.not_found(rt.name, key)
        return row

    # --- record service ----------------------------------------------------------------------------
    def record_types(self) -> list[str]:
        """Canonical (lower-case) REST record ids, sorted."""
        return sorted(RECORD_TYPES)

    def canonical_type(self, record_type: str) -> str:
        """The canonical id for a case-insensitive name; NsError 400 INVALID_PARAMETER if unknown."""
        return self._rt(record_type).name

    def schema(self, record_type: str) -> dict[str, Any]:
        """JSON Schema of the record type (``properties``, ``required``, ``x-ns-filterable``)."""
        return json_schema(self._rt(record_type))

    def self_href(self, record_type: str, internal_id: str) -> str:
        """The record's path (relative): ``/services/rest/record/v1/<type>/<id>``."""
        return href(self._rt(record_type).name, internal_id)

    def get(
        self, record_type: str, key: str, *, expand: bool = False, fields: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """The record body: ``links``, ``id``, refs as ``{id, refName, links}``, sublists as ``{links}``
        or ``{links, items}`` when ``expand``; ``lastModifiedDate`` as ``YYYY-MM-DDTHH:MM:SSZ``."""
        with self._lock:
            row = self._row(self._rt(record_type), key)
            if row.locked:
                raise NsError.locked()
            return Renderer(self.repo).record(row, expand=expand, fields=fields)

    def get_sublist(
        self, record_type: str, key: str, sublist: str, *, line: str | None = None
    ) -> dict[str, Any]:
        """A sublist subresource (``.../salesorder/1/item``) or one of its lines (``.../item/1``)."""
        with self._lock:
            rt = self._rt(record_type)
            row = self._row(rt, key)
            if row.locked:
                raise NsError.locked()
            sub = rt.sublist(sublist)
            if sub is None:
                raise NsError.not_found(f"{rt.name}/{row.id}", sublist)
            renderer = Renderer(self.repo)
            if line is None:
                return renderer.sublist(row, sub, expand=True)
            return renderer.find_line(row, sub, str(line))

    def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """Validate and create; returns the new internal id. Posting types write the GL."""
        with self._tx():
            return str(self.writer.write(self._rt(record_type), None, body).id)

    def update(
        self,
        record_type: str,
        key: str,
        body: Mapping[str, Any],
        *,
        replace: frozenset[str] | set[str] = frozenset(),
        replace_selected_fields: bool = False,
    ) -> str:
        """PATCH semantics: ``null`` clears; keyed sublists merge by ``line``, non-keyed append;
        sublists named in ``replace`` are replaced. Returns the internal id."""
        with self._tx():
            rt = self._rt(record_type)
            row = self._row(rt, key)
            return str(
                self.writer.write(
                    rt, row, body, replace=frozenset(replace), replace_selected_fields=replace_selected_fields
                ).id
            )

    def upsert(self, record_type: str, external_id: str, body: Mapping[str, Any]) -> str:
        """PUT ``eid:<external_id>``: create if absent, else update. Returns the internal id."""
        eid = external_id[4:] if external_id.lower().startswith("eid:") else external_id
        check_external_id(eid)
        with self._tx():
            rt = self._rt(record_type)
            existing = self.repo.fetch_eid(rt.name, eid)
            patch = {k: v for k, v in body.items() if k.lower() != "externalid"}
            return str(self.writer.write(rt, existing, patch, external_id=eid).id)

    def delete(self, record_type: str, key: str) -> None:
        """Delete the record (and its GL lines and revenue plans)."""
        with self._tx():
            rt = self._rt(record_type)
            self.writer.delete(self._row(rt, key))

    def void(self, record_type: str, key: str) -> None:
        """Void an invoice, credit memo or customer payment as a person does in the UI (no REST action)."""
        with self._tx():
            rt = self._rt(record_type)
            self.writer.void(self._row(rt, key))

    def transform(
        self, src_type: str, src_key: str, dst_type: str, body: Mapping[str, Any] | None = None
    ) -> str:
        """``!transform``: copy header and lines into a new ``dst_type`` (sets ``createdFrom``); new id."""
        with self._tx():
            src_rt = self._rt(src_type)
            dst_rt = self._rt(dst_type)
            source = self._row(src_rt, src_key)
            base = self.writer.transform_base(source, dst_rt)
            return str(self.writer.write(dst_rt, None, body or {}, base=base).id)

    def list(
        self, record_type: str, *, q: str | None = None, limit: int = 1000, offset: int = 0
    ) -> tuple[builtins.list[str], int]:
        """Ids of one page (ascending internal id) and the total count, filtered by ``q`` (notes §1.6)."""
        with self._lock:
            rt = self._rt(record_type)
            self._sql.check_paging(limit, offset)
            if q is None or not q.strip():
                total = self.repo.count(rt.name)
                rows = self._conn.execute(
                    "SELECT id FROM ns_record WHERE rtype = ? ORDER BY id LIMIT ? OFFSET ?",
                    (rt.name, limit, offset),
                ).fetchall()
                return [str(r[0]) for r in rows], total
            pred = compile_filter(rt, q, date_format=self.date_format, timezone=self.timezone)
            ids = [str(row.id) for row in self.repo.rows(rt.name) if pred(row)]
            return ids[offset : offset + limit], len(ids)

    def lock(self, record_type: str, key: str, locked: bool = True) -> None:
        """Lock a record as a workflow would: GET and writes then answer 400 USER_ERROR."""
        with self._tx():
            row = self._row(self._rt(record_type), key)
            row.locked = locked
            self.repo.save(row)

    # --- SuiteQL -------------------------------------------------------------------------------------
    def suiteql(self, query: str, *, limit: int = 1000, offset: int = 0) -> SuiteQLPage:
        """Run a SuiteQL query: limit ≤ max_page, offset a multiple of limit, offset+limit ≤ max_results."""
        with self._lock:
            page = self._sql.run(query, limit=limit, offset=offset)
            return SuiteQLPage(page.items, page.total, page.has_more)

    # --- accounting periods --------------------------------------------------------------------------
    def close_period(self, period_id: str) -> None:
        """Close a period (and its months; their revenue-plan lines become recognised)."""
        with self._tx():
            changed = self.periods.set_closed(int(period_id), True)
            self.plans.recognise(changed, True)

    def reopen_period(self, period_id: str) -> None:
        """Reopen a closed period (and its months)."""
        with self._tx():
            changed = self.periods.set_closed(int(period_id), False)
            self.plans.recognise(changed, False)

    def period_for(self, day: date) -> str:
        """The id of the monthly posting period containing ``day`` (created on demand)."""
        with self._tx():
            return str(self.periods.period_for(day))

    # --- seeds, fixtures, fast paths -----------------------------------------------------------------
    def _recreate(self) -> None:
        tables = [
            r[0]
            for r in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            self._conn.execute(f'DROP TABLE "{table}"')
        for stmt in schema_mod.all_ddl():
            self._conn.execute(stmt)
        self.periods.clear_cache()
        self._version += 1

    def _seed(self, name: str) -> None:
        from ledgerbridge.sandbox.netsuite import seed  # seeds use the public API: import late

        seed.load(self, name)

    def reset(self) -> None:
        """Drop everything and load the ``empty`` seed."""
        self.load_seed("empty")

    def load_seed(self, name: SeedName) -> None:
        """Replace the state with a seed: ``empty``, ``demo`` or ``netsuite2-sample``."""
        if name not in ("empty", "demo", "netsuite2-sample"):
            raise NsError.invalid_parameter(f"Unknown seed '{name}' (empty, demo, netsuite2-sample).")
        with self._tx():
            self._recreate()
            self._seed(name)

    def load_fixture(self, data: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, builtins.list[str]]:
        """Create ``{record_type: [bodies...]}`` through the normal create path (upsert when a body
        has ``externalId``); returns the ids per type, in order. All or nothing."""
        out: dict[str, builtins.list[str]] = {}
        with self._tx():
            for record_type, bodies in data.items():
                ids = out.setdefault(self._rt(record_type).name, [])
                for body in bodies:
                    eid = body.get("externalId")
                    ids.append(self.upsert(record_type, eid, body) if eid else self.create(record_type, body))
        return out

    def stats_counts(self) -> dict[str, int]:
        """Record counts per type plus GL line and revenue-plan counts."""
        with self._lock:
            counts = {
                str(rtype): int(n)
                for rtype, n in self._conn.execute("SELECT rtype, COUNT(*) FROM ns_record GROUP BY rtype")
            }
            for table in (
                "transaction",
                "transactionline",
                "transactionaccountingline",
                "revenueplan",
                "revenueplanline",
            ):
                counts[f"suiteql:{table}"] = int(
                    self._conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                )
            return counts

    def bulk_insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert raw rows into a SuiteQL table (columns validated); for tests/benchmarks that need
        100k+ rows fast. Does not create REST records. Returns the number of rows."""
        spec = schema_mod.TABLES.get(table.lower())
        if spec is None:
            raise NsError.invalid_parameter(f"Unknown SuiteQL table '{table}'.")
        count = 0
        with self._tx():
            batch: builtins.list[Mapping[str, Any]] = []
            for row in rows:
                unknown = set(row) - set(spec.columns)
                if unknown:
                    raise NsError.invalid_parameter(f"Unknown column(s) for {spec.name}: {sorted(unknown)}")
                batch.append(row)
                if len(batch) >= 10_000:
                    count += self._insert_batch(spec, batch)
                    batch = []
            count += self._insert_batch(spec, batch)
            if "id" in spec.columns and spec.columns["id"].kind == "int" and count:
                top = self._conn.execute(f'SELECT MAX(id) FROM "{spec.name}"').fetchone()[0]
                family = {"customer": "entity", "vendor": "entity", "employee": "entity", "item": "item"}.get(
                    spec.name, spec.name
                )
                if top is not None:
                    self.repo.bump_seq(f"id:{family}", int(top))
        return count

    def _insert_batch(self, spec: schema_mod.Table, batch: builtins.list[Mapping[str, Any]]) -> int:
        if not batch:
            return 0
        columns = sorted({c for row in batch for c in row})
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self._conn.executemany(
            f'INSERT INTO "{spec.name}" ({cols}) VALUES ({marks})',
            [tuple(_sql_value(row.get(c)) for c in columns) for row in batch],
        )
        return len(batch)

    def synthesize_gl(self, lines: int, *, seed: int = 0) -> int:
        """Write about ``lines`` balanced journal-entry accounting lines straight into the GL tables
        (benchmarks); returns the number of accounting lines written. No REST bodies are created."""
        from ledgerbridge.sandbox.netsuite.synthetic import synthesize_journals

        with self._tx():
            return synthesize_journals(self.repo, self.periods, lines, seed=seed)


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int | str | bytes) or value is None:
        return value
    return str(value)  # Decimal, date: exact text; REAL/TEXT column affinity does the rest
