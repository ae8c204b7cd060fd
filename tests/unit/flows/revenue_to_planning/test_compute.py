"""revenue-to-planning's pure parts: the revenue / deferred / MRR definitions, the month slices and their
Pigment rows (mapping applied at write time)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.revenue_to_planning.compute import (
    covered_months,
    monthly_value,
    revenue_by_month,
    saas_by_month,
    term_months,
)
from ledgerbridge.flows.revenue_to_planning.params import RevenueParams
from ledgerbridge.flows.revenue_to_planning.source import Plan, PlanLine, line_from_row, plan_from_row
from ledgerbridge.flows.revenue_to_planning.staging import (
    revenue_record,
    saas_record,
    vanished,
    with_clearing,
)
from ledgerbridge.flows.revenue_to_planning.writer import revenue_rows, saas_rows
from ledgerbridge.hub import RecordView
from ledgerbridge.hub.states import State

D = Decimal
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def plan(
    pid: str, start: date, end: date, amounts: list[str], recognized: int, sub: str = "1", acct: str = "4010"
) -> Plan:
    months = []
    cur = start.replace(day=1)
    for _ in amounts:
        months.append(cur)
        cur = date(cur.year + cur.month // 12, cur.month % 12 + 1, 1)
    lines = [PlanLine(m, D(a), i < recognized) for i, (m, a) in enumerate(zip(months, amounts, strict=True))]
    return Plan(pid, sub, acct, sum((D(a) for a in amounts), D(0)), start, end, lines)


def test_term_months_counts_month_ends_so_mid_month_terms_count_twelve() -> None:
    mid = plan("1", date(2026, 1, 15), date(2027, 1, 14), ["100"] * 13, 0)
    aligned = plan("2", date(2026, 1, 1), date(2026, 12, 31), ["100"] * 12, 0)
    assert term_months(mid) == 12 and term_months(aligned) == 12
    assert monthly_value(plan("3", date(2026, 1, 1), date(2026, 12, 31), ["1000"], 0)) == D("83.33")


def test_deferred_is_the_scheduled_balance_and_closing_moves_one_month_only() -> None:
    p = plan("1", date(2026, 1, 1), date(2026, 3, 31), ["100", "100", "100"], recognized=1)
    months = covered_months([p])
    assert months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    before = revenue_by_month([p], months)
    assert before[date(2026, 1, 1)][("1", "4010")] == [D(100), D(200)]
    assert before[date(2026, 2, 1)][("1", "4010")] == [D(0), D(200)]  # Feb open: its own line still deferred
    assert before[date(2026, 3, 1)][("1", "4010")] == [D(0), D(100)]
    closed = plan("1", date(2026, 1, 1), date(2026, 3, 31), ["100", "100", "100"], recognized=2)
    after = revenue_by_month([closed], months)
    assert after[date(2026, 2, 1)][("1", "4010")] == [D(100), D(100)]
    assert after[date(2026, 1, 1)] == before[date(2026, 1, 1)]
    assert after[date(2026, 3, 1)] == before[date(2026, 3, 1)]


def test_saas_counts_plans_active_at_month_end() -> None:
    a = plan("1", date(2026, 1, 15), date(2026, 3, 14), ["50", "100", "50"], 0)
    b = plan("2", date(2026, 2, 1), date(2026, 2, 28), ["30"], 0, sub="2")
    saas = saas_by_month([a, b], covered_months([a, b]))
    assert saas[date(2026, 1, 1)] == {"1": (D("100.00"), 1)}
    assert saas[date(2026, 2, 1)] == {"1": (D("100.00"), 1), "2": (D("30.00"), 1)}
    assert saas[date(2026, 3, 1)] == {}


def test_rows_from_suiteql() -> None:
    row = {"plan": "7", "subsidiary": "2", "account_number": "4010", "plan_amount": "1200",
           "plan_start": "2026-01-01", "plan_end": "2026-12-31", "month": "2026-03-01", "amount": "100.5",
           "isrecognized": "T"}  # fmt: skip
    assert plan_from_row(row).account == "4010" and plan_from_row(row).amount == D(1200)
    assert line_from_row(row) == PlanLine(date(2026, 3, 1), D("100.5"), True)


def dims(accounts: list[dict[str, str]]) -> PlanningDimensions:
    mappings = {
        "acc": MappingConfig(kind="accounts", key_columns=["netsuite_account"], rows=accounts),
        "ent": MappingConfig(kind="subsidiaries", key_columns=["netsuite_subsidiary"],
                             rows=[{"netsuite_subsidiary": "1", "pigment_entity": "US01"}]),
    }  # fmt: skip
    return PlanningDimensions.from_mappings(mappings)


def test_writer_rows_map_and_sum_accounts_and_report_missing_mappings() -> None:
    d = dims([
        {"netsuite_account": "4010", "pigment_account": "4000"},
        {"netsuite_account": "4030", "pigment_account": "4000"},
        {"netsuite_account": "4090", "pigment_account": "-"},
    ])  # fmt: skip
    cells = {("1", "4010"): [D(1), D(2)], ("1", "4030"): [D(3), D(4)], ("1", "4090"): [D(9), D(9)]}
    record = revenue_record(date(2026, 10, 1), cells, d.version)
    missing: list[tuple[str, str, str]] = []
    rows = revenue_rows(record.payload, d, "%b %y", missing)
    assert missing == []
    assert rows == [
        {
            "Month": "Oct 26",
            "Entity Code": "US01",
            "Account Code": "4000",
            "Recognized": D(4),
            "Deferred": D(6),
        }
    ]
    gap = revenue_record(date(2026, 10, 1), {("2", "4010"): [D(1), D(1)]}, d.version)
    assert revenue_rows(gap.payload, d, "%b %y", missing) == [] and missing == [
        ("ent", "2", "Pigment entity")
    ]
    saas = saas_record(date(2026, 10, 1), {"1": (D("10.50"), 3)}, d.version)
    assert saas_rows(saas.payload, d, "%b %y", []) == [
        {"Month": "Oct 26", "Entity Code": "US01", "MRR": D("10.50"), "Active Subscriptions": 3}
    ]


def _view(record: Any) -> RecordView:
    return RecordView(
        id=1, flow="revenue-to-planning", source_system=record.source_system, source_type=record.source_type,
        source_id=record.source_id, external_id=record.external_id, target_system="pigment",
        target_type=record.target_type, target_id=None, state=State.TRANSFERRED, attempts=1,
        next_attempt_at=None, lease_owner=None, lease_until=None, error_class=None, error_message=None,
        error_vendor_code=None,
        mapping_version=None, payload=record.payload, payload_hash="x", source_version=None,
        source_modified_at=None, created_at=NOW, updated_at=NOW, last_run_id=None,
    )  # fmt: skip


def test_a_month_that_lost_its_data_is_staged_empty_with_a_clearing_row() -> None:
    d = dims([{"netsuite_account": "4010", "pigment_account": "4000"}])
    old = revenue_record(date(2026, 9, 1), {("1", "4010"): [D(1), D(1)]}, None)
    known = [_view(old)]
    gone = vanished(known, [])
    assert [r.payload["clear_with"] for r in gone] == [["1", "4010"]]
    rows = revenue_rows(gone[0].payload, d, "%b %y", [])
    assert rows == [
        {
            "Month": "Sep 26",
            "Entity Code": "US01",
            "Account Code": "4000",
            "Recognized": None,
            "Deferred": None,
        }
    ]
    emptied = with_clearing([revenue_record(date(2026, 9, 1), {}, None)], known)
    assert emptied[0].payload["clear_with"] == ["1", "4010"]


def test_params_defaults_and_errors() -> None:
    params = RevenueParams.from_mapping({})
    assert params.revenue_configuration == "revenue-to-planning · Revenue"
    assert params.saas_configuration == "revenue-to-planning · SaaS metrics"
    with pytest.raises(ConfigError, match="batch_size"):
        RevenueParams.from_mapping({"batch_size": 0})
