"""hierarchy-to-planning end to end: NetSuite demo seed → Pigment demo lists over real HTTP, through the CLI.

One world for the module: the tests run in order and each builds on the state the previous one left (first
load, then renames, then an inactivation, then a run with nothing to do).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledgerbridge.connectors.netsuite import NetSuiteClient

from .support import PlanningWorld, planning_world

FLOW = "hierarchy-to-planning"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    root: Path = tmp_path_factory.mktemp("hierarchy")
    with planning_world(root, systems=("netsuite", "pigment")) as w:
        # Pigment's Class items are named like NetSuite's classes (names are unique in a list): map 1 and 2
        # onto them; class 3 has no row, so it goes in under its NetSuite id
        data = w.workspace_data()
        data["mappings"]["planning-classes"] = {
            "kind": "classes",
            "key_columns": ["netsuite_class"],
            "rows": [
                {"netsuite_class": "1", "pigment_class": "10"},
                {"netsuite_class": "2", "pigment_class": "20"},
            ],
        }
        w.save_workspace(data)
        yield w


def by_code(w: PlanningWorld, list_name: str) -> dict[str, dict[str, Any]]:
    return {str(item["properties"]["Code"]): item for item in w.items(list_name)}


def _named(node: Any, prefix: str) -> set[str]:
    """Ids of every object under ``node`` whose name starts with ``prefix``."""
    if isinstance(node, dict):
        found = {str(node["id"])} if str(node.get("name", "")).startswith(prefix) and "id" in node else set()
        for value in node.values():
            found |= _named(value, prefix)
        return found
    if isinstance(node, list):
        return set().union(*(_named(value, prefix) for value in node)) if node else set()
    return set()


def hierarchy_imports(w: PlanningWorld) -> list[dict[str, Any]]:
    """The imports of the four hierarchy configurations (the emulator lists them by configuration id)."""
    ids = _named(w.pigment("GET", "/_sandbox/pigment/model"), "hierarchy-to-planning · ")
    assert len(ids) == 4, ids
    return [entry for entry in w.imports() if entry["configurationId"] in ids]


def mapping(w: PlanningWorld, name: str, key: str, value: str) -> dict[str, str]:
    return {row[key]: row[value] for row in w.mapping_rows(name)}


def expected_codes(
    w: PlanningWorld, table: str, key_sql: str, mapped: dict[str, str] | None
) -> dict[str, tuple[str, str | None]]:
    """NetSuite id → (mapping key, parent id) for one list, straight from SuiteQL."""
    rows = w.ns_rows(f"SELECT id, {key_sql} AS k, parent FROM {table}")
    return {str(r["id"]): (str(r.get("k") or r["id"]), r.get("parent")) for r in rows}


def check_list(
    w: PlanningWorld, list_name: str, members: dict[str, tuple[str, str | None]], mapped: dict[str, str]
) -> None:
    """Every mapped member's Code is in Pigment, and the Code's parent is a mapped NetSuite parent."""
    items = by_code(w, list_name)
    names_by_code = {code: item["name"] for code, item in items.items()}
    code_of = {ns_id: mapped.get(key, key) for ns_id, (key, _) in members.items()}
    parents: dict[str, set[str]] = {}
    for ns_id, (_, parent) in members.items():
        code = code_of[ns_id]
        if code == "-":
            continue
        assert code in items, f"{list_name} {code} (NetSuite {ns_id}) missing from Pigment"
        parent_code = code_of.get(str(parent)) if parent else None
        if parent_code and parent_code not in ("-", code):
            parents.setdefault(code, set()).add(parent_code)
    for code, item in items.items():
        if code not in set(code_of.values()):
            continue
        got = item["properties"].get("Parent")
        want = parents.get(code, set())
        if want:
            assert got in {names_by_code[p] for p in want}, (list_name, code, got, want)
        else:
            assert got is None, (list_name, code, got)


def test_dry_run_shows_each_list_and_writes_nothing(world: PlanningWorld) -> None:
    w = world
    summary = w.run(FLOW, "--dry-run")
    assert summary["exit_code_cli"] == 0, repr(summary)
    files = {p["target_type"]: p["payload"]["rows"] for p in summary["dry_run_payloads"]}
    assert sorted(files) == ["list:Account", "list:Class", "list:Department", "list:Entity"]
    # parents before children: REV comes before the 4000 it parents
    codes = [row["Code"] for row in files["list:Account"]]
    assert codes.index("REV") < codes.index("4000")
    assert hierarchy_imports(w) == []
    with w.hub() as hub:
        assert hub.list(flow=FLOW) == []


def test_first_run_loads_every_list_with_parents(world: PlanningWorld) -> None:
    w = world
    before_department = by_code(w, "Department")
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    accounts = mapping(w, "planning-accounts", "netsuite_account", "pigment_account")
    departments = mapping(w, "planning-departments", "netsuite_department", "pigment_department")
    entities = mapping(w, "planning-entities", "netsuite_subsidiary", "pigment_entity")
    check_list(w, "Account", expected_codes(w, "account", "acctnumber", None), accounts)
    check_list(w, "Department", expected_codes(w, "department", "id", None), departments)
    check_list(w, "Entity", expected_codes(w, "subsidiary", "id", None), entities)
    classes_map = mapping(w, "planning-classes", "netsuite_class", "pigment_class")
    check_list(w, "Class", expected_codes(w, "classification", "id", None), classes_map)
    assert len(hierarchy_imports(w)) == 4

    department = by_code(w, "Department")
    # one-to-one: NetSuite's name; a roll-up of several NetSuite departments keeps the name FP&A gave it
    assert department["300"]["name"] == "Marketing"
    assert department["100"]["name"] == before_department["100"]["name"] == "Engineering"
    assert department["400"]["name"] == "General and Administrative"
    assert department["300"]["id"] == before_department["300"]["id"]
    entity = by_code(w, "Entity")
    assert entity["UK01"]["name"] == "Northwind Cloud Ltd"
    assert entity["UK01"]["properties"]["Currency"] == "GBP"
    assert entity["UK01"]["properties"]["Parent"] == entity["US01"]["name"]
    account = by_code(w, "Account")
    # 4000 in Pigment rolls up NetSuite 4010/4030/4090 and keeps its own name and Type
    assert account["4000"]["name"] == "Subscription Revenue"
    assert account["4000"]["properties"]["Parent"] == account["REV"]["name"]
    assert account["6600"]["properties"]["Type"] == "Expense"
    classes = by_code(w, "Class")
    assert {code: classes[code]["name"] for code in ("10", "20", "30", "3")} == {
        "10": "Subscription",
        "20": "Services",
        "30": "Corporate",
        "3": "Hardware",
    }
    assert all(item["properties"]["Active"] is True for item in classes.values())
    # the hub holds one row per planned member, all transferred
    with w.hub() as hub:
        rows = hub.list(flow=FLOW, limit=1000)
    assert {row.state for row in rows} == {"transferred"}
    planned_accounts = sum(1 for value in accounts.values() if value != "-")
    assert sum(1 for row in rows if row.source_type == "account") == planned_accounts


def test_renames_update_the_same_pigment_items(world: PlanningWorld) -> None:
    w = world
    before = (by_code(w, "Department"), by_code(w, "Account"))
    budget_cells = len(w.cells("Budget"))
    pushes = len(hierarchy_imports(w))

    async def rename(client: NetSuiteClient) -> None:
        await client.update("department", "7", {"name": "Brand Marketing"})
        await client.update("account", "40", {"acctName": "Legal and Professional Fees"})

    w.netsuite(rename)
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    department, account = by_code(w, "Department"), by_code(w, "Account")
    assert department["300"]["name"] == "Brand Marketing"
    assert department["300"]["id"] == before[0]["300"]["id"]
    assert account["6600"]["name"] == "Legal and Professional Fees"
    assert account["6600"]["id"] == before[1]["6600"]["id"]
    # the planners' data on those items is untouched, and only the two changed lists were pushed
    assert len(w.cells("Budget")) == budget_cells
    assert len(hierarchy_imports(w)) == pushes + 2
    # one hub row per renamed NetSuite member went through
    assert summary["counters"]["transferred"] == 2


def test_inactive_member_is_flagged_not_removed(world: PlanningWorld) -> None:
    w = world
    pushes = len(hierarchy_imports(w))

    async def inactivate(client: NetSuiteClient) -> None:
        await client.update("classification", "3", {"isInactive": True})

    w.netsuite(inactivate)
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    classes = by_code(w, "Class")
    assert classes["3"]["properties"]["Active"] is False
    assert classes["10"]["properties"]["Active"] is True
    assert len(hierarchy_imports(w)) == pushes + 1


def test_rerun_without_change_pushes_nothing(world: PlanningWorld) -> None:
    w = world
    pushes = len(w.imports())
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    assert len(w.imports()) == pushes
    assert summary["counters"]["transferred"] == 0
    assert summary["counters"]["staged"] == 0


def test_name_collision_fails_the_list_until_mapped(world: PlanningWorld) -> None:
    """A new NetSuite class named like an existing Pigment item is refused by Pigment; mapping it onto that
    item fixes it on the next run, without `hub retry`."""
    w = world

    async def create(client: NetSuiteClient) -> str:
        return await client.create("classification", {"name": "Corporate"})

    new_id = w.netsuite(create)
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 1, repr(summary)
    assert summary["counters"]["failed"] == 1
    assert any("Class: not pushed" in note and "Corporate" in note for note in summary["notes"])
    assert new_id not in by_code(w, "Class")

    rows = w.mapping_rows("planning-classes")
    w.set_mapping_rows("planning-classes", [*rows, {"netsuite_class": new_id, "pigment_class": "30"}])
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    classes = by_code(w, "Class")
    assert classes["30"]["name"] == "Corporate" and classes["30"]["properties"]["Active"] is True
    with w.hub() as hub:
        row = hub.find(FLOW, "netsuite", "classification", new_id)
    assert row is not None and row.state == "transferred"
