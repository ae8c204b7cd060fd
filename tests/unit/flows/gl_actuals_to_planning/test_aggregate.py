"""The pure parts of gl-actuals-to-planning: the sign rule, mapping and summing one period's balances,
the hub rows and their payloads, parsing SuiteQL rows, and the params."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ActionNeeded, ConfigError
from ledgerbridge.flows.gl_actuals_to_planning.aggregate import map_period
from ledgerbridge.flows.gl_actuals_to_planning.params import DEFAULT_CONFIGURATION, GlActualsParams
from ledgerbridge.flows.gl_actuals_to_planning.signs import natural_amount
from ledgerbridge.flows.gl_actuals_to_planning.source import (
    Balance,
    DirtyPeriod,
    balances_query,
    detection_query,
    parse_balance,
    parse_dirty,
)
from ledgerbridge.flows.gl_actuals_to_planning.staging import account_record, period_record
from ledgerbridge.flows.gl_actuals_to_planning.writer import file_digest, pushed_digest
from ledgerbridge.flows.planning.dimensions import PlanningDimensions

D = Decimal
LA = ZoneInfo("America/Los_Angeles")


def _dims(
    accounts: list[tuple[str, str]],
    subsidiaries: list[tuple[str, str]] | None = None,
    departments: list[tuple[str, str]] | None = None,
    classes: list[tuple[str, str]] | None = None,
) -> PlanningDimensions:
    def table(kind: str, key: str, value: str, rows: list[tuple[str, str]]) -> MappingConfig:
        return MappingConfig(kind=kind, key_columns=[key], rows=[{key: k, value: v} for k, v in rows])

    mappings: dict[str, Any] = {"acc": table("accounts", "netsuite_account", "pigment_account", accounts)}
    if subsidiaries is not None:
        mappings["sub"] = table("subsidiaries", "netsuite_subsidiary", "pigment_entity", subsidiaries)
    if departments is not None:
        mappings["dep"] = table("departments", "netsuite_department", "pigment_department", departments)
    if classes is not None:
        mappings["cls"] = table("classes", "netsuite_class", "pigment_class", classes)
    return PlanningDimensions.from_mappings(mappings, {"unassigned_department": "000"})


def _bal(
    number: str, kind: str, amount: str, sub: str = "1", dept: str | None = "5", cls: str | None = None
) -> Balance:
    return Balance(
        account_id=f"id{number}",
        account_number=number,
        account_type=kind,
        subsidiary=sub,
        department=dept,
        class_=cls,
        amount=D(amount),
    )


@pytest.mark.parametrize(
    ("kind", "net", "expected"),
    [
        ("Income", "-100.00", "100.00"),
        ("OthIncome", "-5", "5"),
        ("DeferRevenue", "-7.10", "7.10"),
        ("AcctPay", "-3", "3"),
        ("Equity", "2", "-2"),
        ("Expense", "40.25", "40.25"),
        ("COGS", "-1.00", "-1.00"),
        ("Bank", "9", "9"),
        (None, "1", "1"),
    ],
)
def test_natural_sign(kind: str | None, net: str, expected: str) -> None:
    assert natural_amount(kind, D(net)) == D(expected)


def test_many_netsuite_accounts_sum_into_one_pigment_cell_after_each_takes_its_own_sign() -> None:
    dims = _dims(
        [("4010", "4000"), ("4030", "4000"), ("5010", "5000"), ("1000", "-")],
        subsidiaries=[("1", "US01")],
        departments=[("5", "200")],
    )
    mapped = map_period(
        "Oct 26",
        [
            _bal("4010", "Income", "-100.10"),
            _bal("4030", "Income", "-0.90"),
            _bal("5010", "COGS", "30.00"),
            _bal("5010", "COGS", "0.00", dept=None),  # nets to zero: not written
            _bal("1000", "Bank", "71.00"),  # excluded on purpose
        ],
        dims,
    )
    assert mapped.missing == {}
    assert mapped.excluded == 1
    cell = {"Month": "Oct 26", "Entity Code": "US01", "Department Code": "200"}
    assert mapped.rows() == [
        {**cell, "Account Code": "4000", "Amount": D("101.00")},  # revenue reads positive
        {**cell, "Account Code": "5000", "Amount": D("30.00")},
    ]


def test_no_department_maps_to_the_unassigned_department() -> None:
    dims = _dims([("6100", "6000")], subsidiaries=[("1", "US01")], departments=[("5", "200")])
    mapped = map_period("Jan 26", [_bal("6100", "Expense", "10", dept=None)], dims)
    assert [row["Department Code"] for row in mapped.rows()] == ["000"]


def test_unmapped_values_keep_the_lines_out_and_are_named_per_netsuite_account() -> None:
    dims = _dims(
        [("6100", "6000"), ("6200", "6500")], subsidiaries=[("1", "US01")], departments=[("5", "200")]
    )
    mapped = map_period(
        "Jan 26",
        [
            _bal("6100", "Expense", "10"),
            _bal("6999", "Expense", "4"),  # account not mapped
            _bal("6999", "Expense", "5", sub="9"),  # ... and here its subsidiary neither
            _bal("6200", "Expense", "1", dept="77"),  # department not mapped
        ],
        dims,
    )
    assert [row["Account Code"] for row in mapped.rows()] == ["6000"]
    assert set(mapped.missing) == {"6999", "6200"}
    gap = mapped.missing["6999"]
    assert gap.lines == 2 and gap.amount == D("9")
    assert gap.missing == [("acc", "6999", "Pigment account"), ("sub", "9", "Pigment entity")]
    error = gap.error()
    assert isinstance(error, ActionNeeded)
    assert "'6999' (mapping 'acc')" in str(error) and "'9' (mapping 'sub')" in str(error)
    assert mapped.missing["6200"].missing == [("dep", "77", "Pigment department")]


def test_an_excluded_account_never_asks_for_its_other_mappings() -> None:
    dims = _dims([("1000", "-")], subsidiaries=[("1", "US01")], departments=[])
    mapped = map_period("Jan 26", [_bal("1000", "Bank", "10", sub="42", dept="42")], dims)
    assert mapped.missing == {} and mapped.rows() == [] and mapped.excluded == 1


def test_a_class_mapped_to_dash_leaves_the_line_out() -> None:
    dims = _dims([("6100", "6000")], classes=[("3", "-"), ("1", "10")])
    mapped = map_period(
        "Jan 26", [_bal("6100", "Expense", "10", cls="3"), _bal("6100", "Expense", "2", cls="1")], dims
    )
    assert [row["Amount"] for row in mapped.rows()] == [D("2")]
    assert mapped.excluded == 1


def test_without_entity_and_department_tables_the_netsuite_ids_pass_through() -> None:
    mapped = map_period(
        "Jan 26", [_bal("6100", "Expense", "3", sub="2", dept="8")], _dims([("6100", "6000")])
    )
    assert mapped.rows()[0]["Entity Code"] == "2" and mapped.rows()[0]["Department Code"] == "8"


def _period() -> DirtyPeriod:
    return DirtyPeriod("49", "Oct 2026", date(2026, 10, 1), datetime(2026, 11, 2, 8, 30, tzinfo=LA))


def test_period_row_payload_changes_with_the_newest_change_and_the_mapping_version() -> None:
    first = period_record(_period(), "Oct 26", "v1")
    assert first.external_id == "lb-gl-period-49"
    assert (first.source_type, first.source_id, first.target_system) == ("gl_period", "49", "pigment")
    assert first.payload["month"] == "Oct 26" and first.payload["newest_modified"].startswith("2026-11-02")
    later = DirtyPeriod("49", "Oct 2026", date(2026, 10, 1), datetime(2026, 11, 3, tzinfo=LA))
    assert period_record(later, "Oct 26", "v1").payload != first.payload
    assert period_record(_period(), "Oct 26", "v2").payload != first.payload
    assert period_record(_period(), "Oct 26", "v1").payload == first.payload


def test_account_row_names_the_period_and_the_account() -> None:
    dims = _dims([], subsidiaries=[("1", "US01")], departments=[("5", "200")])
    gap = map_period("Oct 26", [_bal("6999", "Expense", "4")], dims).missing["6999"]
    record = account_record(period_record(_period(), "Oct 26", "v1").payload, gap, "v1")
    assert record.source_type == "gl_period_account" and record.source_id == "49:id6999"
    assert record.external_id == "lb-gl-period-49-acct-6999"
    assert record.payload["netsuite_account"] == "6999" and record.payload["month"] == "Oct 26"
    assert record.payload["missing"] == [["acc", "6999", "Pigment account"]]


def test_suiteql_rows_parse_and_the_queries_say_what_they_filter() -> None:
    row = {"period": "49", "name": "Oct 2026", "startdate": "2026-10-01", "modified": "2026-11-02 08:30:00",
           "txns": "3", "idsum": "120", "total": "1500.5"}  # fmt: skip
    dirty = parse_dirty(dict(row), LA)
    assert dirty == replace(_period(), content="3/120/1500.5")
    # a transaction added in the same second as the newest change still changes what the hub compares
    assert parse_dirty({**row, "txns": "4", "idsum": "170"}, LA).content != dirty.content
    assert dirty.cursor.moment == _period().modified
    since = datetime(2026, 11, 2, 16, 30, tzinfo=ZoneInfo("UTC"))
    sql = detection_query(since, LA, from_period=date(2025, 1, 1), periods=["3", "4"])
    assert "TO_TIMESTAMP('2026-11-02 08:30:00'" in sql  # written in the account's zone (PST)
    assert "TO_DATE('2025-01-01'" in sql and "IN (3, 4)" in sql and "t.posting = 'T'" in sql
    assert "WHERE" in detection_query(None, LA) and "TO_TIMESTAMP" not in detection_query(None, LA)
    query = balances_query("49")
    assert "t.postingperiod = 49" in query and "b.isprimary = 'T'" in query and "GROUP BY" in query
    assert parse_balance({"account": "7", "amount": None}) is None
    balance = parse_balance(
        {"account": "7", "acctnumber": "6100", "accttype": "Expense", "subsidiary": "1", "amount": "-12.5"}
    )
    assert balance is not None and balance.amount == D("-12.5") and balance.department is None
    assert balance.account_key == "6100"
    assert Balance("7", None, None, None, None, None, D(1)).account_key == "7"


def test_file_digest_follows_the_content() -> None:
    rows: list[dict[str, object]] = [{"Month": "Oct 26", "Amount": D("1.00")}]
    same: list[dict[str, object]] = [{"Month": "Oct 26", "Amount": D("1.00")}]
    other: list[dict[str, object]] = [{"Month": "Oct 26", "Amount": D("1.01")}]
    assert file_digest(rows) == file_digest(same) != file_digest(other)
    assert pushed_digest(f"{file_digest(rows)}:import-1") == file_digest(rows)
    assert pushed_digest(None) is None


def test_params_defaults_and_errors() -> None:
    params = GlActualsParams.from_mapping({"source": "ns", "target": "pg"})
    assert (params.source, params.target) == ("ns", "pg")
    assert params.import_configuration == DEFAULT_CONFIGURATION
    assert params.lookback == timedelta(days=1) and params.periods == () and params.from_period is None
    forced = GlActualsParams.from_mapping({"periods": [49, "50", 49], "from_period": "2025-03"})
    assert forced.periods == ("49", "50") and forced.from_period == date(2025, 3, 1)
    with pytest.raises(ConfigError, match="periods"):
        GlActualsParams.from_mapping({"periods": ["Oct 2026"]})
    with pytest.raises(ConfigError, match="from_period"):
        GlActualsParams.from_mapping({"from_period": "last year"})
    with pytest.raises(ConfigError, match="lookback_minutes"):
        GlActualsParams.from_mapping({"lookback_minutes": -1})
