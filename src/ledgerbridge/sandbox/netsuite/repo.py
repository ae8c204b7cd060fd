"""Low-level access to the emulator's SQLite database: record rows, id sequences, settings, clock.

No rules live here; the store, ledger and projections build on it. Callers hold the store's lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ledgerbridge.sandbox.netsuite import codec
from ledgerbridge.sandbox.netsuite.recordtypes import FAMILIES, RECORD_TYPES, RecordType


@dataclass(slots=True)
class RecordRow:
    rtype: str
    family: str
    id: int
    externalid: str | None
    refname: str | None
    body: dict[str, Any]
    locked: bool
    created: str  # UTC stamp
    lastmodified: str  # UTC stamp

    @property
    def rt(self) -> RecordType:
        return RECORD_TYPES[self.rtype]


def _row(r: sqlite3.Row | tuple[Any, ...]) -> RecordRow:
    family, id_, rtype, eid, refname, body, locked, created, lastmodified = r
    return RecordRow(
        rtype, family, int(id_), eid, refname, codec.loads(body), bool(locked), created, lastmodified
    )


_UPSERT_SEQ = (
    "INSERT INTO ns_seq (name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = excluded.next"
)
_UPSERT_SETTING = (
    "INSERT INTO ns_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)
_COLS = "family, id, rtype, externalid, refname, body, locked, created, lastmodified"


class Repo:
    """The connection plus the account's clock and time zone."""

    def __init__(self, conn: sqlite3.Connection, *, timezone: str, clock: Callable[[], datetime]) -> None:
        self.conn = conn
        self.zone = ZoneInfo(timezone)
        self._clock = clock

    # --- time -------------------------------------------------------------------------------------
    def now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0)

    def now_stamp(self) -> str:
        return codec.utc_stamp(self.now())

    def local(self, stamp_or_moment: str | datetime) -> datetime:
        moment = (
            codec.parse_utc_stamp(stamp_or_moment) if isinstance(stamp_or_moment, str) else stamp_or_moment
        )
        return moment.astimezone(self.zone)

    def local_sql(self, stamp: str) -> str:
        """A UTC stamp as SuiteQL shows it: account-local wall time."""
        return codec.sql_datetime(self.local(stamp))

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    # --- sequences and settings ------------------------------------------------------------------
    def next_seq(self, name: str, start: int = 1) -> int:
        row = self.conn.execute("SELECT next FROM ns_seq WHERE name = ?", (name,)).fetchone()
        value = start if row is None else int(row[0])
        self.conn.execute(
            _UPSERT_SEQ,
            (name, value + 1),
        )
        return value

    def bump_seq(self, name: str, at_least: int) -> None:
        """Make sure the sequence hands out ids above ``at_least`` (after explicit-id inserts)."""
        row = self.conn.execute("SELECT next FROM ns_seq WHERE name = ?", (name,)).fetchone()
        if row is None or int(row[0]) <= at_least:
            self.conn.execute(
                _UPSERT_SEQ,
                (name, at_least + 1),
            )

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM ns_setting WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            _UPSERT_SETTING,
            (key, value),
        )

    # --- records ----------------------------------------------------------------------------------
    def fetch(self, rtype: str, id_: int) -> RecordRow | None:
        family = RECORD_TYPES[rtype].family
        r = self.conn.execute(
            f"SELECT {_COLS} FROM ns_record WHERE family = ? AND id = ? AND rtype = ?", (family, id_, rtype)
        ).fetchone()
        return None if r is None else _row(r)

    def fetch_in_family(self, family: str, id_: int) -> RecordRow | None:
        r = self.conn.execute(
            f"SELECT {_COLS} FROM ns_record WHERE family = ? AND id = ?", (family, id_)
        ).fetchone()
        return None if r is None else _row(r)

    def fetch_eid(self, rtype: str, eid: str) -> RecordRow | None:
        r = self.conn.execute(
            f"SELECT {_COLS} FROM ns_record WHERE rtype = ? AND externalid = ?", (rtype, eid)
        ).fetchone()
        return None if r is None else _row(r)

    def fetch_eid_in(self, rtypes: Sequence[str], eid: str) -> RecordRow | None:
        marks = ",".join("?" * len(rtypes))
        r = self.conn.execute(
            f"SELECT {_COLS} FROM ns_record WHERE rtype IN ({marks}) AND externalid = ? ORDER BY id LIMIT 1",
            (*rtypes, eid),
        ).fetchone()
        return None if r is None else _row(r)

    def refname(self, family: str, id_: int) -> str | None:
        r = self.conn.execute(
            "SELECT refname FROM ns_record WHERE family = ? AND id = ?", (family, id_)
        ).fetchone()
        return None if r is None else r[0]

    def rtype_of(self, family: str, id_: int) -> str | None:
        r = self.conn.execute(
            "SELECT rtype FROM ns_record WHERE family = ? AND id = ?", (family, id_)
        ).fetchone()
        return None if r is None else str(r[0])

    def insert(self, row: RecordRow) -> None:
        self.conn.execute(
            f"INSERT INTO ns_record ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.family,
                row.id,
                row.rtype,
                row.externalid,
                row.refname,
                codec.dumps(row.body),
                int(row.locked),
                row.created,
                row.lastmodified,
            ),
        )

    def save(self, row: RecordRow) -> None:
        self.conn.execute(
            "UPDATE ns_record SET externalid = ?, refname = ?, body = ?, locked = ?, lastmodified = ? "
            "WHERE family = ? AND id = ?",
            (
                row.externalid,
                row.refname,
                codec.dumps(row.body),
                int(row.locked),
                row.lastmodified,
                row.family,
                row.id,
            ),
        )

    def remove(self, row: RecordRow) -> None:
        self.conn.execute("DELETE FROM ns_record WHERE family = ? AND id = ?", (row.family, row.id))

    def ids(self, rtype: str) -> list[int]:
        return [
            int(r[0])
            for r in self.conn.execute("SELECT id FROM ns_record WHERE rtype = ? ORDER BY id", (rtype,))
        ]

    def rows(self, rtype: str) -> Iterator[RecordRow]:
        cursor = self.conn.execute(f"SELECT {_COLS} FROM ns_record WHERE rtype = ? ORDER BY id", (rtype,))
        for r in cursor:
            yield _row(r)

    def count(self, rtype: str) -> int:
        return int(
            self.conn.execute("SELECT COUNT(*) FROM ns_record WHERE rtype = ?", (rtype,)).fetchone()[0]
        )

    def family_types(self, targets: Sequence[str]) -> list[str]:
        """Record types a reference may point at (a target may be a family name)."""
        out: list[str] = []
        for target in targets:
            if target in RECORD_TYPES:
                out.append(target)
            out.extend(t for t in FAMILIES.get(target, ()) if t not in out)
        return out

    def upsert_row(self, table: str, values: dict[str, Any]) -> None:
        cols = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" * len(values))
        self.conn.execute(
            f'INSERT OR REPLACE INTO "{table}" ({cols}) VALUES ({marks})', tuple(values.values())
        )

    def insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
            [tuple(r.get(c) for c in columns) for r in rows],
        )
