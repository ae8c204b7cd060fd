"""The rules that turn NetSuite list members into Pigment list rows (members.py, source.py, params.py)."""

from __future__ import annotations

import pytest

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.hierarchy_to_planning.members import ACCOUNT, DEPARTMENT, ENTITY, Member, plan_list
from ledgerbridge.flows.hierarchy_to_planning.params import HierarchyParams
from ledgerbridge.flows.hierarchy_to_planning.source import to_member
from ledgerbridge.flows.hierarchy_to_planning.writer import default_layout
from ledgerbridge.flows.planning.dimensions import PlanningDimensions


def dims(accounts: dict[str, str], departments: dict[str, str] | None = None) -> PlanningDimensions:
    mappings = {
        "acc": MappingConfig.model_validate(
            {
                "kind": "accounts",
                "key_columns": ["netsuite_account"],
                "rows": [{"netsuite_account": k, "pigment_account": v} for k, v in accounts.items()],
            }
        )
    }
    if departments is not None:
        mappings["dep"] = MappingConfig.model_validate(
            {
                "kind": "departments",
                "key_columns": ["netsuite_department"],
                "rows": [{"netsuite_department": k, "pigment_department": v} for k, v in departments.items()],
            }
        )
    return PlanningDimensions.from_mappings(mappings)


def account(id_: str, number: str, name: str, parent: str | None = None, *, active: bool = True) -> Member:
    return Member(ACCOUNT, id_, number, name, parent, active, {"Type": "Expense"})


def test_many_to_one_pushes_the_code_once_and_keeps_pigments_name() -> None:
    members = [
        account("1", "6000", "Opex"),
        account("2", "6100", "Salaries", "1"),
        account("3", "6110", "Payroll taxes", "1"),
        account("4", "6120", "Benefits", "1"),
    ]
    plan = plan_list(ACCOUNT, members, dims({"6000": "OPEX", "6100": "6000", "6110": "6100", "6120": "6100"}))
    assert sorted(plan.rows) == ["6000", "6100", "OPEX"]
    rollup = plan.rows["6100"]
    assert rollup.keep_pigment and rollup.parent == "OPEX"
    # one member keyed like nothing else: it is the Code's only member, so NetSuite names it
    assert not plan.rows["6000"].keep_pigment and plan.rows["6000"].name == "Salaries"
    # a roll-up's name is the one Pigment has, when it has the item
    existing = {"6100": {"name": "Payroll Taxes and Benefits", "Type": "Rollup"}}
    assert rollup.csv(ACCOUNT, existing) == {
        "Code": "6100",
        "Name": "Payroll Taxes and Benefits",
        "Type": "Rollup",
        "Parent Code": "OPEX",
        "Active": "true",
    }
    # ... and a NetSuite name when Pigment does not have it yet
    assert rollup.csv(ACCOUNT, {})["Name"] == "Payroll taxes"


def test_member_keyed_like_the_code_names_it_and_parent_is_never_itself() -> None:
    members = [
        Member(DEPARTMENT, "1", "1", "Engineering", None, True),
        Member(DEPARTMENT, "2", "2", "Platform", "1", True),
        Member(DEPARTMENT, "9", "9", "G&A", None, True),
        Member(DEPARTMENT, "10", "10", "Finance", "9", False),
    ]
    plan = plan_list(DEPARTMENT, members, dims({}, {"1": "1", "2": "1", "9": "400", "10": "410"}))
    assert plan.rows["1"].name == "Engineering" and not plan.rows["1"].keep_pigment
    assert plan.rows["1"].parent == ""  # Platform's parent maps to the same Code
    assert plan.rows["410"].parent == "400"
    assert plan.rows["410"].active is False
    assert [row.code for row in plan.ordered()] == ["1", "400", "410"]


def test_excluded_members_are_left_out_and_unmapped_ones_keep_their_key() -> None:
    members = [
        account("1", "1000", "Cash"),
        account("2", "1010", "Bank", "1"),
        account("3", "4000", "Revenue"),
    ]
    plan = plan_list(ACCOUNT, members, dims({"1000": "-", "1010": "-"}))
    assert plan.excluded == ["1", "2"]
    assert list(plan.rows) == ["4000"]
    assert plan.codes == {"3": "4000"}


def test_code_stays_active_while_any_member_is() -> None:
    members = [account("1", "6200", "Rent", active=False), account("2", "6700", "Depreciation")]
    plan = plan_list(ACCOUNT, members, dims({"6200": "6500", "6700": "6500"}))
    assert plan.rows["6500"].active is True
    plan = plan_list(ACCOUNT, members[:1], dims({"6200": "6500"}))
    assert plan.rows["6500"].csv(ACCOUNT)["Active"] == "false"


def test_suiteql_rows_become_members() -> None:
    acc = to_member(
        ACCOUNT,
        {"id": "40", "acctnumber": "6600", "name": "6600 Professional Fees", "accttype": "Expense",
         "parent": "32", "isinactive": "F"},
    )  # fmt: skip
    assert (acc.key, acc.name, acc.parent_id, acc.active, dict(acc.extra)) == (
        "6600",
        "Professional Fees",
        "32",
        True,
        {"Type": "Expense"},
    )
    sub = to_member(
        ENTITY, {"id": "2", "name": "UK Ltd", "parent": "1", "isinactive": "T", "currency": "GBP"}
    )
    assert (sub.key, sub.active, dict(sub.extra)) == ("2", False, {"Currency": "GBP"})


def test_layouts_match_the_documented_headers() -> None:
    assert ";".join(default_layout(ACCOUNT).columns) == "Code;Name;Type;Parent Code;Active"
    assert ";".join(default_layout(ENTITY).columns) == "Code;Name;Currency;Parent Code;Active"
    assert ";".join(default_layout(DEPARTMENT).columns) == "Code;Name;Parent Code;Active"


def test_params() -> None:
    params = HierarchyParams.from_mapping({"lists": ["Department", "Account"], "class_configuration": "C"})
    assert params.lists == ("Account", "Department")
    assert params.configurations["Class"] == "C"
    assert params.configurations["Entity"] == "hierarchy-to-planning · Entity"
    with pytest.raises(ConfigError, match="lists"):
        HierarchyParams.from_mapping({"lists": ["Cost Center"]})
    with pytest.raises(ConfigError, match="batch_size"):
        HierarchyParams.from_mapping({"batch_size": 0})
