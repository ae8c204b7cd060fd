"""gl-actuals-to-planning on the netsuite2-sample seed (real NetSuite2-schema rows: accounts without numbers,
subsidiaries "Meow Meow" and "Purr", non-posting accounts): journal entries posted through REST into that
account, loaded into a Pigment model built for it, equal the trial balance computed from SuiteQL, to the cent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.planning.gl_actuals_support import FLOW, actuals, diff, month_of, trial_balance
from tests.e2e.planning.support import PlanningWorld, planning_world

#: the sample's accounts by internal id (it has no account numbers): posting ones map to themselves
POSTING = ("121", "133", "157")
NON_POSTING = ("117", "118", "125")
SUBSIDIARIES = ("4", "6")
DEPARTMENTS = ("5", "6", "10")
CLASSES = ("1", "2", "10", "13", "15")
UNASSIGNED = "000"


def _months(today: date, count: int = 6) -> list[date]:
    first = today.replace(day=1)
    out = [first]
    while len(out) < count:
        out.append((out[-1] - timedelta(days=1)).replace(day=1))
    return sorted(out)


def _pigment_model(months: list[date]) -> dict[str, object]:
    """A small FP&A model for the sample company, with the flow's documented import configuration."""
    code = [{"name": "Code"}]

    def coded(values: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"name": f"Item {value}", "Code": value} for value in values]

    def dimension(header: str, target: str, match: str = "Code") -> dict[str, str]:
        return {"header": header, "kind": "dimension", "target": target, "match": match}

    return {
        "applications": [
            {
                "name": "Sample FP&A",
                "scenarios": ["Default Scenario"],
                "lists": [
                    {"name": "Month", "properties": code,
                     "items": [{"name": month_of(m.isoformat()), "Code": f"{m:%Y-%m}"} for m in months]},
                    {"name": "Account", "properties": code, "items": coded(POSTING)},
                    {"name": "Entity", "properties": code, "items": coded(SUBSIDIARIES)},
                    {"name": "Department", "properties": code, "items": coded((UNASSIGNED, *DEPARTMENTS))},
                ],
                "metrics": [{"name": "Actuals", "dimensions": ["Month", "Account", "Entity", "Department"]}],
                "import_configurations": [
                    {
                        "name": "gl-actuals-to-planning · Actuals",
                        "block": "Actuals",
                        "columns": [
                            dimension("Month", "Month", "Name"),
                            dimension("Entity Code", "Entity"),
                            dimension("Account Code", "Account"),
                            dimension("Department Code", "Department"),
                            {"header": "Amount", "kind": "value", "target": "Actuals"},
                        ],
                        "clear": "scope",
                        "scope": ["Month"],
                    }
                ],
            }
        ]
    }  # fmt: skip


def _identity(key: str, value: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    return [{key: k, value: k} for k in keys]


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    root: Path = tmp_path_factory.mktemp("gl-sample")
    with planning_world(root, seed="netsuite2-sample", systems=("netsuite", "pigment")) as world:
        world.pigment("POST", "/_sandbox/seed", _pigment_model(_months(date.today())))
        world.set_mapping_rows(
            "planning-accounts",
            [*_identity("netsuite_account", "pigment_account", POSTING),
             *({"netsuite_account": k, "pigment_account": "-"} for k in NON_POSTING)],
        )  # fmt: skip
        world.set_mapping_rows(
            "planning-entities", _identity("netsuite_subsidiary", "pigment_entity", SUBSIDIARIES)
        )
        world.set_mapping_rows(
            "planning-departments", _identity("netsuite_department", "pigment_department", DEPARTMENTS)
        )
        world.set_mapping_rows("planning-classes", _identity("netsuite_class", "pigment_class", CLASSES))
        yield world


def _journal(w: PlanningWorld, day: date, subsidiary: str, amount: str, department: str | None) -> None:
    debit = {"account": {"id": "121"}, "debit": amount}
    if department is not None:
        debit["department"] = {"id": department}
    w.ns_create(
        "journalentry",
        {
            "subsidiary": {"id": subsidiary},
            "tranDate": day.isoformat(),
            "memo": "netsuite2-sample trial balance",
            "line": {"items": [debit, {"account": {"id": "157"}, "credit": amount},
                               {"account": {"id": "133"}, "debit": "1.01"},
                               {"account": {"id": "157"}, "credit": "1.01"}]},
        },
    )  # fmt: skip


def test_actuals_equal_the_sample_accounts_trial_balance_to_the_cent(w: PlanningWorld) -> None:
    months = _months(date.today())
    for n, month in enumerate(months[-3:]):
        day = month.replace(day=10)
        _journal(w, day, "4", f"{1000 + n}.37", "5")
        _journal(w, day, "6", f"{250 + n}.10", None)  # no department: the unassigned item
        _journal(w, day, "6", "0.01", "10")

    summary = w.run(FLOW)

    assert summary["exit_code_cli"] == 0, summary
    expected = trial_balance(w, unassigned=UNASSIGNED)
    assert len(expected) >= 12, expected  # three months x (accounts x entities x departments)
    assert diff(expected, actuals(w)) == {}
    # the non-posting sample accounts are left out on purpose, the posting ones all arrive
    assert {key[1] for key in expected} == set(POSTING)
