"""Appending a change order's lines: only lines not yet on the sales order are sent, and a line NetSuite
refuses fails alone (its own hub row) while the others are appended.

NetSuite is a small in-memory fake here: the emulator has no way to refuse one line of a valid PATCH
(the e2e tests cover appends, locks and retries over HTTP)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledgerbridge.errors import RecordRejected
from ledgerbridge.flows.billing_to_erp.bodies import ItemSettings
from ledgerbridge.flows.billing_to_erp.writer import NetSuiteBillingWriter
from ledgerbridge.hub import HubStore, Outcome, StagedRecord
from ledgerbridge.mapping import GlAccountMapping, RecordTypeMapping

FLOW = "billing-to-erp"


class FakeNetSuite:
    """A sales order's item sublist; lines whose item is ``refused`` are rejected like NetSuite would."""

    def __init__(self, refused: str) -> None:
        self.lines: list[dict[str, Any]] = [{"line": 1, "custcol_nue_order_product_id": "OP-1"}]
        self.refused = refused
        self.patches = 0

    async def sublist(self, record_type: str, id_or_eid: str, sublist: str) -> list[dict[str, Any]]:
        return [dict(line) for line in self.lines]

    async def update(self, record_type: str, id: str, body: Mapping[str, Any], **_: Any) -> str:
        self.patches += 1
        items: Sequence[Mapping[str, Any]] = body["item"]["items"]
        if any(item["item"]["id"] == self.refused for item in items):
            raise RecordRejected(
                f"Invalid item reference key {self.refused}.", vendor_code="INVALID_KEY_OR_REF"
            )
        for item in items:
            self.lines.append({"line": len(self.lines) + 1, **item})
        return id


def _row(source_type: str, source_id: str, target_type: str, payload: dict[str, Any]) -> StagedRecord:
    return StagedRecord(
        "nue", source_type, source_id, f"eid-{source_type}-{source_id}", "netsuite", target_type, payload
    )


def _transferred(hub: HubStore, rows: list[tuple[StagedRecord, str]]) -> None:
    hub.stage(FLOW, [row for row, _ in rows])
    claimed = hub.claim(FLOW, owner="t", limit=10, lease_seconds=60)
    ids = {(c.source_type, c.source_id): c.id for c in claimed}
    hub.record_outcomes("t", [Outcome(ids[(r.source_type, r.source_id)], target_id=t) for r, t in rows])


def _line(op: str, product: str) -> dict[str, Any]:
    return {"order_product_id": op, "product_id": product, "quantity": "1", "amount": "10"}


async def test_a_refused_line_fails_alone_and_a_retry_sends_only_what_is_missing(hub: HubStore) -> None:
    _transferred(
        hub,
        [
            (_row("order", "A", "salesorder", {"customer_id": "C"}), "500"),
            (_row("product", "P-good", "item", {}), "11"),
            (_row("product", "P-bad", "item", {}), "12"),
        ],
    )
    lines = [_line("OP-2", "P-good"), _line("OP-3", "P-bad")]
    staged = [
        _row(
            "order",
            "CO",
            "salesorder_append",
            {"customer_id": "C", "appends": [{"original_order_id": "A", "lines": lines}]},
        ),
        *(
            _row(
                "order_product",
                line["order_product_id"],
                "salesorder_line",
                {"order_id": "CO", "order_product_id": line["order_product_id"], "holder": "A"},
            )
            for line in lines
        ),
    ]
    hub.stage(FLOW, staged)
    netsuite = FakeNetSuite(refused="12")
    writer = NetSuiteBillingWriter(
        netsuite,  # type: ignore[arg-type]
        hub,
        FLOW,
        items=ItemSettings(RecordTypeMapping(None), GlAccountMapping(None)),
    )

    (claimed,) = hub.claim(FLOW, owner="w", limit=1, lease_seconds=60, target_type="salesorder_append")
    (append,) = await writer.write([claimed])
    placed = await writer.write(
        hub.claim(FLOW, owner="w", limit=5, lease_seconds=60, target_type="salesorder_line")
    )

    assert [line["custcol_nue_order_product_id"] for line in netsuite.lines] == ["OP-1", "OP-2"]
    assert isinstance(append.error, RecordRejected) and "1 line(s)" in append.error.message
    assert append.error.vendor_code == "INVALID_KEY_OR_REF"
    assert [result.target_id for result in placed] == ["500:2", None]
    assert isinstance(placed[1].error, RecordRejected) and "12" in placed[1].error.message

    # the item is fixed in NetSuite and a person retries the change: only the missing line is sent
    hub.record_outcomes("w", [Outcome(claimed.id, error=append.error)])
    hub.retry([claimed.id], actor="test")
    netsuite.refused = "none"
    patches = netsuite.patches
    (again,) = await writer.write(
        hub.claim(FLOW, owner="w", limit=1, lease_seconds=60, target_type="salesorder_append")
    )

    assert again.target_id == "500" and again.error is None
    assert [line["custcol_nue_order_product_id"] for line in netsuite.lines] == ["OP-1", "OP-2", "OP-3"]
    assert netsuite.patches == patches + 1
