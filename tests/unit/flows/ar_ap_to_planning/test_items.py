"""Aging, entity mapping and the snapshot's fingerprint (items.py), and the flow's params."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.ar_ap_to_planning.items import OpenDocument, aging_bucket, snapshot
from ledgerbridge.flows.ar_ap_to_planning.params import OpenItemsParams
from ledgerbridge.flows.ar_ap_to_planning.source import open_items_query
from ledgerbridge.flows.planning.dimensions import PlanningDimensions

AS_OF = date(2026, 11, 23)


def dims(entities: dict[str, str]) -> PlanningDimensions:
    return PlanningDimensions.from_mappings(
        {
            "acc": MappingConfig.model_validate(
                {"kind": "accounts", "key_columns": ["netsuite_account"], "rows": []}
            ),
            "ent": MappingConfig.model_validate(
                {
                    "kind": "subsidiaries",
                    "key_columns": ["netsuite_subsidiary"],
                    "rows": [{"netsuite_subsidiary": k, "pigment_entity": v} for k, v in entities.items()],
                }
            ),
        }
    )


def doc(id_: str, sub: str, due: date | None, amount: str, kind: str = "AR") -> OpenDocument:
    return OpenDocument(id_, f"INV{id_}", kind, sub, "Acme", date(2026, 10, 1), due, Decimal(amount), "USD")


@pytest.mark.parametrize(
    ("due", "bucket"),
    [
        (date(2026, 12, 1), "Current"),
        (AS_OF, "Current"),
        (date(2026, 11, 22), "1-30"),
        (date(2026, 10, 24), "1-30"),
        (date(2026, 10, 23), "31-60"),
        (date(2026, 9, 24), "31-60"),
        (date(2026, 9, 23), "61-90"),
        (date(2026, 8, 25), "61-90"),
        (date(2026, 8, 24), "90+"),
    ],
)
def test_aging_bucket_boundaries(due: date, bucket: str) -> None:
    assert aging_bucket(due, AS_OF) == bucket


def test_snapshot_rows_totals_and_gaps() -> None:
    docs = [
        doc("1", "1", date(2026, 10, 31), "100.10"),
        doc("2", "1", None, "50", kind="AP"),
        doc("3", "2", date(2026, 12, 31), "7.5"),
        doc("4", "9", date(2026, 12, 31), "1"),
    ]
    found = snapshot(docs, dims({"1": "US01", "2": "-"}), AS_OF)
    assert [row["Document ID"] for row in found.rows] == ["INV1 (1)", "INV2 (2)"]
    # no due date: ages from the document date
    assert found.rows[1]["Due Date"] == date(2026, 10, 1) and found.rows[1]["Aging Bucket"] == "31-60"
    assert found.excluded == 1
    assert found.missing == [("ent", "9", "Pigment entity")]
    payload = found.payload()
    assert payload["totals"] == {"AP": {"USD": {"31-60": "50"}}, "AR": {"USD": {"1-30": "100.10"}}}
    assert payload["documents"] == 2
    # the fingerprint moves when a document is paid, and only then
    again = snapshot(docs, dims({"1": "US01", "2": "-"}), AS_OF)
    assert again.digest() == found.digest()
    assert snapshot(docs[1:], dims({"1": "US01", "2": "-"}), AS_OF).digest() != found.digest()


def test_query_reads_ar_and_ap_at_once() -> None:
    sql = open_items_query(AS_OF)
    assert "'CustInvc', 'VendBill'" in sql and "TO_DATE('2026-11-23', 'YYYY-MM-DD')" in sql


def test_params() -> None:
    params = OpenItemsParams.from_mapping({"as_of": "2026-11-30", "timezone": "Europe/Paris"})
    assert params.as_of == date(2026, 11, 30) and str(params.timezone) == "Europe/Paris"
    assert params.configuration == "ar-ap-to-planning · Open items"
    with pytest.raises(ConfigError, match="as_of"):
        OpenItemsParams.from_mapping({"as_of": "30/11/2026"})
    with pytest.raises(ConfigError, match="timezone"):
        OpenItemsParams.from_mapping({"timezone": "Mars/Olympus"})
