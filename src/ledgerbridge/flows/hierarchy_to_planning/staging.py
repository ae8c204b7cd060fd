"""List members → hub rows: one row per NetSuite member, its payload the Pigment row of its Code.

The payload is all the hub compares, so a member whose Pigment row did not change is a no-op (same hash),
and a rename, a new parent or an inactivation reopens exactly the rows of that Code. Members left out with
``-`` get no row: nothing of theirs goes to Pigment.
"""

from __future__ import annotations

from collections.abc import Iterable

from ledgerbridge.hub import StagedRecord

from .members import SOURCE_TYPES, ListPlan, Member

NETSUITE = "netsuite"
PIGMENT = "pigment"


def external_id(list_name: str, code: str) -> str:
    """The hub's name of the Pigment item, e.g. ``lb-pig-department-300``."""
    return f"lb-pig-{list_name.lower()}-{code}"


def staged_records(
    plan: ListPlan, members: Iterable[Member], mapping_version: str | None
) -> list[StagedRecord]:
    records: list[StagedRecord] = []
    for member in members:
        code = plan.codes.get(member.id)
        if code is None:
            continue
        row = plan.rows[code]
        records.append(
            StagedRecord(
                source_system=NETSUITE,
                source_type=SOURCE_TYPES[plan.list_name],
                source_id=member.id,
                external_id=external_id(plan.list_name, code),
                target_system=PIGMENT,
                target_type=f"list:{plan.list_name}",
                payload={"list": plan.list_name, "netsuite_key": member.key, **row.payload()},
                mapping_version=mapping_version,
            )
        )
    return records
