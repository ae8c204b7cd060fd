"""budget-writeback's pure parts: approved versions, cells → lines, external ids, zeroed removed lines,
reverse mapping with ``budget_target``, and the NetSuite body of a line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ActionNeeded, ConfigError
from ledgerbridge.flows.budget_writeback.lines import (
    BudgetCell,
    group_lines,
    line_id,
    line_records,
    removed_lines,
    version_record,
)
from ledgerbridge.flows.budget_writeback.params import BudgetParams
from ledgerbridge.flows.budget_writeback.pigment_side import approved_versions, code_map, parse_month
from ledgerbridge.flows.budget_writeback.reverse import ReverseMap
from ledgerbridge.flows.budget_writeback.writer import BudgetWriter, NetSuiteIds
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.hub import RecordView, StagedRecord
from ledgerbridge.hub.states import State
from ledgerbridge.mapping import MappingTable

D = Decimal
NOW = datetime(2026, 11, 1, tzinfo=UTC)
PARAMS = BudgetParams.from_mapping({})


def cell(month: int, amount: str, account: str = "5000", year: int = 2026) -> BudgetCell:
    return BudgetCell("Budget FY26", "BUD26", date(year, month, 1), account, "US01", "100", D(amount))


def test_only_approved_budget_type_versions_are_taken() -> None:
    rows = [
        {"Version": "Actuals", "Approved": "true", "Code": "ACT", "Type": "Actual"},
        {"Version": "Budget FY26", "Approved": "true", "Code": "BUD26", "Type": "Budget"},
        {"Version": "Budget FY27", "Approved": "false", "Code": "BUD27", "Type": "Budget"},
    ]
    (version,) = approved_versions(rows, PARAMS)
    assert (version.name, version.code, version.approver) == ("Budget FY26", "BUD26", None)


def test_code_map_and_months() -> None:
    assert code_map([{"Account": "Hosting", "Code": "5000"}], "Account", "Code") == {"Hosting": "5000"}
    with pytest.raises(ConfigError, match="Code"):
        code_map([{"Account": "Hosting"}], "Account", "Code")
    assert parse_month("Oct 26", "%b %y") == date(2026, 10, 1)
    assert parse_month("2026-10", "%Y-%m") == date(2026, 10, 1)
    assert parse_month("Oct 2026", "%b %Y") == date(2026, 10, 1)


def test_cells_group_into_one_line_per_year_with_twelve_months() -> None:
    lines = group_lines([cell(1, "10"), cell(1, "5"), cell(12, "7"), cell(1, "3", year=2027)])
    assert lines[("Budget FY26", "BUD26", "5000", "US01", "100", 2026)] == [D(15)] + [D(0)] * 10 + [D(7)]
    assert lines[("Budget FY26", "BUD26", "5000", "US01", "100", 2027)][0] == D(3)
    assert line_id("Budget FY26", "5000", "US01", "000", 2026) == "lb-budget-Budget_FY26-5000-US01-000-2026"


def _view(record: StagedRecord) -> RecordView:
    return RecordView(
        id=1, flow="budget-writeback", source_system=record.source_system, source_type=record.source_type,
        source_id=record.source_id, external_id=record.external_id, target_system="netsuite",
        target_type=record.target_type, target_id="9", state=State.TRANSFERRED, attempts=1,
        next_attempt_at=None, lease_owner=None, lease_until=None, error_class=None, error_message=None,
        error_vendor_code=None, mapping_version=None, payload=record.payload, payload_hash="x",
        source_version=None, source_modified_at=None, created_at=NOW, updated_at=NOW, last_run_id=None,
    )  # fmt: skip


def test_a_line_that_left_the_version_is_resent_as_zeros_and_changes_the_fingerprint() -> None:
    first = line_records([cell(1, "10"), cell(1, "4", account="6000")], None)
    known = [_view(r) for r in first]
    now = line_records([cell(1, "10")], None)
    gone = removed_lines(known, "Budget FY26", now)
    assert [r.external_id for r in gone] == ["lb-budget-BUD26-6000-US01-100-2026"]
    assert gone[0].payload["amounts"] == ["0"] * 12 and gone[0].payload["removed"] is True
    assert removed_lines([_view(gone[0])], "Budget FY26", now) == []  # zeroed once, not again
    a = version_record("Budget FY26", "BUD26", first, None).payload["fingerprint"]
    b = version_record("Budget FY26", "BUD26", [*now, *gone], None).payload["fingerprint"]
    assert a != b


def table(rows: list[dict[str, Any]], kind: str = "accounts", key: str = "netsuite_account") -> MappingTable:
    return MappingTable.from_config(
        "accts", MappingConfig(kind=kind, key_columns=[key], rows=rows), key_column=key
    )


def test_reverse_mapping_uses_budget_target_when_several_rows_map_to_one_code() -> None:
    rows = [
        {"netsuite_account": "4010", "pigment_account": "4000", "budget_target": "true"},
        {"netsuite_account": "4030", "pigment_account": "4000"},
        {"netsuite_account": "4020", "pigment_account": "4100"},
        {"netsuite_account": "6200", "pigment_account": "6500"},
        {"netsuite_account": "6700", "pigment_account": "6500"},
        {"netsuite_account": "1000", "pigment_account": "-"},
    ]
    reverse = ReverseMap(table(rows), "pigment_account", "account")
    assert reverse.resolve("4000") == "4010"
    assert reverse.resolve("4100") == "4020"
    with pytest.raises(ActionNeeded, match="'6500' is ambiguous: NetSuite 6200, 6700") as caught:
        reverse.resolve("6500")
    assert "budget_target" in str(caught.value)
    with pytest.raises(ActionNeeded, match="maps to Pigment account '-'"):
        reverse.resolve("-")
    assert ReverseMap(None, "pigment_account", "account").resolve("X") == "X"


def test_line_body_has_netsuite_ids_and_twelve_period_amounts() -> None:
    mappings = {
        "a": MappingConfig(kind="accounts", key_columns=["netsuite_account"],
                           rows=[{"netsuite_account": "5010", "pigment_account": "5000"}]),
        "s": MappingConfig(kind="subsidiaries", key_columns=["netsuite_subsidiary"],
                           rows=[{"netsuite_subsidiary": "1", "pigment_entity": "US01"}]),
        "d": MappingConfig(kind="departments", key_columns=["netsuite_department"],
                           rows=[{"netsuite_department": "2", "pigment_department": "100"}]),
    }  # fmt: skip
    writer = BudgetWriter(None, PlanningDimensions.from_mappings(mappings), PARAMS)  # type: ignore[arg-type]
    ids = NetSuiteIds(accounts={"5010": "29"}, years={2026: "35"}, category="1")
    (record,) = line_records([cell(3, "12.34")], None)
    body = writer.body(record.payload, ids)
    assert body["account"] == {"id": "29"} and body["subsidiary"] == {"id": "1"}
    assert (
        body["department"] == {"id": "2"} and body["year"] == {"id": "35"} and body["category"] == {"id": "1"}
    )
    assert (
        body["periodAmount3"] == D("12.34") and body["periodAmount1"] == D(0) and "periodAmount13" not in body
    )
    unassigned = {**record.payload, "department": "000"}
    assert "department" not in writer.body(unassigned, ids)
    with pytest.raises(ActionNeeded, match="FY 2027"):
        writer.body({**record.payload, "year": 2027}, ids)


def test_params_cap_batches_at_one_hundred() -> None:
    assert PARAMS.batch_size == 100 and PARAMS.version_types == ("Budget",)
    with pytest.raises(ConfigError, match="batch_size"):
        BudgetParams.from_mapping({"batch_size": 101})
