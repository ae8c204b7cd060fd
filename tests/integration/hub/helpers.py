"""Small builders shared by the hub tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerbridge.hub import StagedRecord

FLOW = "billing-to-erp"


def staged(source_id: str | int, *, amount: str = "100.00", **overrides: Any) -> StagedRecord:
    """An invoice staged for NetSuite; ``amount`` changes the payload (and so its hash)."""
    sid = str(source_id)
    fields: dict[str, Any] = {
        "source_system": "nue",
        "source_type": "invoice",
        "source_id": sid,
        "external_id": f"lb-nue-inv-{sid}",
        "target_system": "netsuite",
        "target_type": "invoice",
        "payload": {"externalId": f"lb-nue-inv-{sid}", "amount": Decimal(amount), "currency": "USD"},
    }
    fields.update(overrides)
    return StagedRecord(**fields)


def batch(count: int, *, start: int = 0, amount: str = "100.00") -> list[StagedRecord]:
    return [staged(f"INV-{i:06d}", amount=amount) for i in range(start, start + count)]
