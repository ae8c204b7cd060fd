"""Open invoices and bills → rows of ``ar-ap-to-planning · Open items`` (pure; no I/O).

Aging is counted in whole days past the due date as of the snapshot date: not yet due (or due that day) is
``Current``, then ``1-30``, ``31-60``, ``61-90`` and ``90+`` days past due — the item names of Pigment's
Aging Bucket list. A document with no due date ages from its document date (NetSuite's own default).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.flows.planning.dimensions import SUBSIDIARIES, PlanningDimensions

AR = "AR"
AP = "AP"
CURRENT = "Current"
BUCKETS: tuple[str, ...] = (CURRENT, "1-30", "31-60", "61-90", "90+")
COLUMNS: tuple[str, ...] = (
    "Document ID",
    "Type",
    "Entity Code",
    "Counterparty",
    "Document Date",
    "Due Date",
    "Aging Bucket",
    "Amount",
    "Currency",
)


def aging_bucket(due: date, as_of: date) -> str:
    """The bucket of a document due on ``due``, seen on ``as_of``."""
    late = (as_of - due).days
    if late <= 0:
        return CURRENT
    if late <= 30:
        return "1-30"
    if late <= 60:
        return "31-60"
    if late <= 90:
        return "61-90"
    return "90+"


@dataclass(frozen=True, slots=True)
class OpenDocument:
    """One open invoice (AR) or vendor bill (AP) as SuiteQL returns it."""

    id: str
    number: str
    kind: str
    subsidiary: str
    counterparty: str
    document_date: date
    due_date: date | None
    #: amount remaining, in the document's (transaction) currency
    remaining: Decimal
    currency: str

    @property
    def document_id(self) -> str:
        """Readable and unique: the NetSuite number with the internal id (bill numbers are the vendor's
        own, so two vendors' bills may share one)."""
        return f"{self.number} ({self.id})" if self.number else self.id


@dataclass(slots=True)
class Snapshot:
    """The open set of one as-of date: the rows to push and what could not be placed."""

    as_of: date
    rows: list[dict[str, object]]
    #: documents whose subsidiary is mapped to ``-``
    excluded: int
    #: (mapping table, subsidiary key, what) of subsidiaries with no mapping row
    missing: list[tuple[str, str, str]]

    def totals(self) -> dict[str, dict[str, dict[str, str]]]:
        """Type → currency → bucket → amount (text, exact)."""
        sums: dict[str, dict[str, dict[str, Decimal]]] = {}
        for row in self.rows:
            amount = row["Amount"]
            assert isinstance(amount, Decimal)
            by_bucket = sums.setdefault(str(row["Type"]), {}).setdefault(str(row["Currency"]), {})
            bucket = str(row["Aging Bucket"])
            by_bucket[bucket] = by_bucket.get(bucket, Decimal(0)) + amount
        return {
            kind: {
                cur: {b: str(v) for b, v in sorted(buckets.items())} for cur, buckets in currencies.items()
            }
            for kind, currencies in sorted(sums.items())
        }

    def digest(self) -> str:
        """A fingerprint of the whole file: any changed, added or paid document changes it."""
        text = json.dumps(self.rows, default=str, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def payload(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "documents": len(self.rows),
            "totals": self.totals(),
            "digest": self.digest(),
            "excluded": self.excluded,
            "missing": [list(gap) for gap in sorted(set(self.missing))],
        }


def snapshot(documents: Iterable[OpenDocument], dimensions: PlanningDimensions, as_of: date) -> Snapshot:
    """The rows of the open set on ``as_of`` (ordered by Document ID, so the same set is the same file)."""
    rows: list[dict[str, object]] = []
    missing: list[tuple[str, str, str]] = []
    excluded = 0
    for doc in documents:
        gaps: list[tuple[str, str, str]] = []
        entity = dimensions.lookup(SUBSIDIARIES, doc.subsidiary, gaps)
        if gaps:
            missing.extend(gaps)
            continue
        if entity is None:
            excluded += 1
            continue
        due = doc.due_date or doc.document_date
        rows.append(
            {
                "Document ID": doc.document_id,
                "Type": doc.kind,
                "Entity Code": entity,
                "Counterparty": doc.counterparty,
                "Document Date": doc.document_date,
                "Due Date": due,
                "Aging Bucket": aging_bucket(due, as_of),
                "Amount": doc.remaining,
                "Currency": doc.currency,
            }
        )
    rows.sort(key=lambda row: str(row["Document ID"]))
    return Snapshot(as_of, rows, excluded, missing)
