"""ar-ap-to-planning end to end: NetSuite demo seed → Pigment's AR AP Open Items over real HTTP, via the CLI.

One world for the module; the tests run in order, each on the state the previous one left. Expected values
are computed here from SuiteQL (amount remaining, due dates) and compared with the transaction list Pigment
holds afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledgerbridge.connectors.netsuite import NetSuiteClient

from .support import PlanningWorld, planning_world

FLOW = "ar-ap-to-planning"
AS_OF = datetime.now(UTC).date()
LIST = "AR AP Open Items"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    root: Path = tmp_path_factory.mktemp("arap")
    with planning_world(root, systems=("netsuite", "pigment")) as w:
        # a fixed as-of date: the test's expectations and the run must not straddle midnight
        w.set_params(FLOW, as_of=AS_OF.isoformat())
        yield w


def bucket(due: date) -> str:
    late = (AS_OF - due).days
    if late <= 0:
        return "Current"
    return "1-30" if late <= 30 else "31-60" if late <= 60 else "61-90" if late <= 90 else "90+"


def expected(w: PlanningWorld) -> dict[str, dict[str, Any]]:
    """The open invoices and bills as SuiteQL reports them, by NetSuite id."""
    rows = w.ns_rows(
        "SELECT t.id, t.tranid, t.type, TO_CHAR(t.duedate, 'YYYY-MM-DD') AS due, "
        "TO_CHAR(t.trandate, 'YYYY-MM-DD') AS dated, t.foreignamountunpaid AS remaining, tl.subsidiary "
        "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T' "
        "WHERE t.type IN ('CustInvc', 'VendBill') AND t.foreignamountunpaid > 0"
    )
    entities = {r["netsuite_subsidiary"]: r["pigment_entity"] for r in w.mapping_rows("planning-entities")}
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if date.fromisoformat(row["dated"]) > AS_OF:
            continue
        found[str(row["id"])] = {
            "type": "AR" if row["type"] == "CustInvc" else "AP",
            "bucket": bucket(date.fromisoformat(row.get("due") or row["dated"])),
            "amount": Decimal(str(row["remaining"])),
            "entity": entities[str(row["subsidiary"])],
        }
    return found


def in_pigment(w: PlanningWorld) -> dict[str, dict[str, Any]]:
    """Pigment's open items by NetSuite id (the Document ID ends with ``(<id>)``)."""
    found: dict[str, dict[str, Any]] = {}
    for item in w.items(LIST):
        props = item["properties"]
        doc_id = str(props["Document ID"])
        ns_id = doc_id.rsplit("(", 1)[1].rstrip(")")
        assert ns_id not in found, doc_id
        found[ns_id] = {
            "type": props["Type"],
            "bucket": props["Aging Bucket"],
            "amount": Decimal(str(props["Amount"])),
            "entity": props["Entity"],
        }
    return found


def entity_names(w: PlanningWorld) -> dict[str, str]:
    return {str(item["properties"]["Code"]): item["name"] for item in w.items("Entity")}


def normalised(w: PlanningWorld, rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Expected rows with the entity as Pigment shows it (the item's name)."""
    names = entity_names(w)
    return {key: {**row, "entity": names[row["entity"]]} for key, row in rows.items()}


def totals(rows: dict[str, dict[str, Any]]) -> Counter[tuple[str, str]]:
    sums: Counter[tuple[str, str]] = Counter()
    for row in rows.values():
        sums[(row["type"], row["bucket"])] += row["amount"]
    return sums


def create_overdue_invoices(w: PlanningWorld) -> list[str]:
    """Invoices in the open month before last, due at dates that fall in every aging bucket."""
    first_open = (AS_OF.replace(day=1) - timedelta(days=1)).replace(day=1)
    dues = {
        "90+": AS_OF - timedelta(days=120),
        "61-90": AS_OF - timedelta(days=75),
        "31-60": AS_OF - timedelta(days=45),
        "Current": AS_OF + timedelta(days=10),
    }

    async def create(client: NetSuiteClient) -> list[str]:
        ids = []
        for index, due in enumerate(dues.values()):
            ids.append(
                await client.create(
                    "invoice",
                    {
                        "entity": {"id": str(3 + index * 8)},
                        "tranDate": first_open.isoformat(),
                        "dueDate": due.isoformat(),
                        "item": {
                            "items": [{"item": {"id": "4"}, "quantity": 1, "rate": f"{100 + index}.25"}]
                        },
                    },
                )
            )
        return ids

    created: list[str] = w.netsuite(create)
    return created


def import_count(w: PlanningWorld) -> int:
    return len(w.imports())


def test_open_set_matches_suiteql_with_buckets(world: PlanningWorld) -> None:
    w = world
    created = create_overdue_invoices(w)
    want = expected(w)
    assert set(created) <= set(want)
    assert {want[i]["bucket"] for i in created} == {"90+", "61-90", "31-60", "Current"}
    assert {row["type"] for row in want.values()} == {"AR", "AP"}

    preview = w.run(FLOW, "--dry-run")
    assert preview["exit_code_cli"] == 0 and in_pigment(w) == {}
    (file,) = preview["dry_run_payloads"]
    assert file["payload"]["documents"] == len(want) == len(file["payload"]["rows"])

    summary = w.run(FLOW)

    assert summary["exit_code_cli"] == 0, repr(summary)
    got = in_pigment(w)
    assert got == normalised(w, want)
    assert totals(got) == totals(want)
    # the snapshot's hub row carries the count and the totals
    with w.hub() as hub:
        (row,) = hub.list(flow=FLOW, limit=10)
    assert row.source_id == AS_OF.isoformat() and row.state == "transferred"
    assert row.payload["documents"] == len(want)


def test_paid_invoice_disappears(world: PlanningWorld) -> None:
    w = world
    before = expected(w)
    paid = next(key for key, row in before.items() if row["type"] == "AR")

    async def pay(client: NetSuiteClient) -> str:
        return await client.transform("invoice", paid, "customerpayment")

    w.netsuite(pay)
    pushes = import_count(w)
    summary = w.run(FLOW)

    assert summary["exit_code_cli"] == 0, repr(summary)
    want = expected(w)
    assert paid not in want and len(want) == len(before) - 1
    got = in_pigment(w)
    assert paid not in got
    assert got == normalised(w, want)
    assert totals(got) == totals(want)
    assert import_count(w) == pushes + 1


def test_rerun_without_change_pushes_nothing(world: PlanningWorld) -> None:
    w = world
    pushes = import_count(w)
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    assert import_count(w) == pushes
    assert summary["counters"]["transferred"] == 0


def test_unmapped_subsidiary_holds_the_push_until_mapped(world: PlanningWorld) -> None:
    w = world
    rows = w.mapping_rows("planning-entities")
    before = in_pigment(w)
    pushes = import_count(w)
    w.set_mapping_rows("planning-entities", [row for row in rows if row["netsuite_subsidiary"] != "2"])

    summary = w.run(FLOW)

    assert summary["exit_code_cli"] == 1, repr(summary)
    assert summary["counters"]["action_needed"] == 1
    # nothing pushed: a partial file would have wiped subsidiary 2's documents from Pigment
    assert import_count(w) == pushes and in_pigment(w) == before
    with w.hub() as hub:
        (row,) = hub.list(flow=FLOW, limit=10)
    assert row.state == "action_needed" and "'2'" in (row.error_message or "")

    # the rows are added: the next run sees the snapshot changed and pushes it without a `hub retry`
    w.set_mapping_rows("planning-entities", rows)
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, repr(summary)
    assert summary["counters"]["transferred"] == 1
    assert import_count(w) == pushes + 1
    assert in_pigment(w) == before
    with w.hub() as hub:
        (row,) = hub.list(flow=FLOW, limit=10)
    assert row.state == "transferred" and row.payload["missing"] == []
