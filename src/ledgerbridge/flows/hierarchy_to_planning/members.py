"""NetSuite list members → the rows of the Pigment dimension lists (pure; no I/O).

The rules (docs/flows/hierarchy-to-planning.md):

* A member's Code is its value in the planning mapping table of its kind when a row exists (``-`` leaves the
  member out), else its NetSuite key (account number; internal id for the others).
* Several members may share one Code (the mapping rolls them up). The Code is pushed once. Its name (and
  Type / Currency) come from its *representative*: the member whose NetSuite key equals the Code, else the
  only member. A Code with several members and none of them keyed like it is a roll-up that exists only in
  the planning model: Pigment keeps the name it has (``keep_pigment``), because FP&A named it, not NetSuite.
* Its parent is the Code of a member's NetSuite parent — the representative's first, then the others' in
  NetSuite key order — skipping blanks and the Code itself (a roll-up never parents itself).
* A Code is active while any of its members is: inactive members are flagged, never removed, because
  planners' data hangs on the item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledgerbridge.flows.planning.dimensions import (
    ACCOUNTS,
    CLASSES,
    DEPARTMENTS,
    SUBSIDIARIES,
    PlanningDimensions,
)

ACCOUNT = "Account"
ENTITY = "Entity"
DEPARTMENT = "Department"
CLASS = "Class"
#: the Pigment lists, in push order (independent of each other)
LISTS: tuple[str, ...] = (ACCOUNT, ENTITY, DEPARTMENT, CLASS)
#: the NetSuite record (SuiteQL table) behind each list; also the hub's source_type
SOURCE_TYPES: dict[str, str] = {
    ACCOUNT: "account",
    ENTITY: "subsidiary",
    DEPARTMENT: "department",
    CLASS: "classification",
}
#: the list's own column beyond Code/Name/Parent Code/Active
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    ACCOUNT: ("Type",),
    ENTITY: ("Currency",),
    DEPARTMENT: (),
    CLASS: (),
}
_SPECS = {ACCOUNT: ACCOUNTS, ENTITY: SUBSIDIARIES, DEPARTMENT: DEPARTMENTS, CLASS: CLASSES}


@dataclass(frozen=True, slots=True)
class Member:
    """One NetSuite list member as read by SuiteQL."""

    list_name: str
    id: str
    #: the mapping key: account number (else id) for accounts, the internal id for the others
    key: str
    name: str
    parent_id: str | None
    active: bool
    #: Type (accounts) or Currency (entities)
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListRow:
    """One Pigment item as this run wants it."""

    code: str
    name: str
    parent: str
    active: bool
    extra: Mapping[str, str]
    #: a roll-up: Pigment's own name and extra properties win when the item exists there
    keep_pigment: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "parent": self.parent,
            "active": self.active,
            "extra": dict(self.extra),
            "keep_pigment": self.keep_pigment,
        }

    def csv(self, list_name: str, existing: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
        """The row of the import file; ``existing`` (Pigment's items by Code) supplies a roll-up's name."""
        name, extra = self.name, dict(self.extra)
        known = (existing or {}).get(self.code)
        if self.keep_pigment and known is not None:
            name = known.get("name") or name
            extra = {column: known.get(column, value) for column, value in extra.items()}
        row = {"Code": self.code, "Name": name}
        for column in EXTRA_COLUMNS[list_name]:
            row[column] = extra.get(column, "")
        row["Parent Code"] = self.parent
        row["Active"] = "true" if self.active else "false"
        return row


@dataclass(slots=True)
class ListPlan:
    """Every row of one Pigment list, and which Code each NetSuite member became."""

    list_name: str
    rows: dict[str, ListRow] = field(default_factory=dict)
    #: NetSuite member id → Code (members left out with ``-`` are absent)
    codes: dict[str, str] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)

    def ordered(self) -> list[ListRow]:
        """Rows with every parent before its children (then by Code), so a file loads in one pass even where
        an importer does not look ahead."""

        def depth(row: ListRow) -> int:
            seen: set[str] = set()
            current, level = row, 0
            while current.parent and current.parent in self.rows and current.parent not in seen:
                seen.add(current.code)
                current = self.rows[current.parent]
                level += 1
            return level

        return sorted(self.rows.values(), key=lambda row: (depth(row), _natural(row.code)))


def _natural(value: str) -> tuple[int, int, str]:
    """Numeric keys in numeric order (``2`` before ``10``), others after them in text order."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def member_code(dimensions: PlanningDimensions, member: Member) -> str | None:
    """The member's Code; None when its mapping says ``-``. No mapping row: the NetSuite key itself."""
    spec = _SPECS[member.list_name]
    gaps: list[tuple[str, str, str]] = []
    value = dimensions.lookup(spec, member.key, gaps)
    if gaps:
        return member.key
    if value is None or value == "":
        return None
    return value


def plan_list(list_name: str, members: Iterable[Member], dimensions: PlanningDimensions) -> ListPlan:
    """The Pigment rows of one list from all its NetSuite members."""
    plan = ListPlan(list_name)
    by_id = {member.id: member for member in members}
    groups: dict[str, list[Member]] = {}
    for member in sorted(by_id.values(), key=lambda m: _natural(m.key)):
        code = member_code(dimensions, member)
        if code is None:
            plan.excluded.append(member.id)
            continue
        plan.codes[member.id] = code
        groups.setdefault(code, []).append(member)
    for code, group in groups.items():
        keyed = [member for member in group if member.key == code]
        representative = keyed[0] if keyed else (group[0] if len(group) == 1 else None)
        source = representative or group[0]
        ordered = ([representative] if representative else []) + [m for m in group if m is not representative]
        parent = ""
        for member in ordered:
            candidate = plan.codes.get(member.parent_id or "", "")
            if candidate and candidate != code:
                parent = candidate
                break
        plan.rows[code] = ListRow(
            code=code,
            name=source.name,
            parent=parent,
            active=any(member.active for member in group),
            extra=dict(source.extra),
            keep_pigment=representative is None,
        )
    return plan
