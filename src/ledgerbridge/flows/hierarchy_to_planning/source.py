"""The four NetSuite lists behind the Pigment dimensions, read with one keyset-paged SuiteQL query each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgerbridge.connectors.netsuite.client import NetSuiteClient

from .members import ACCOUNT, CLASS, DEPARTMENT, ENTITY, Member

#: the SELECT per list; the keyset pager adds ``WHERE id > :last ORDER BY id``
QUERIES: dict[str, str] = {
    ACCOUNT: (
        "SELECT id, acctnumber, accountsearchdisplaynamecopy AS name, accountsearchdisplayname AS label, "
        "accttype, parent, isinactive FROM account"
    ),
    ENTITY: (
        "SELECT subsidiary.id AS id, subsidiary.name AS name, subsidiary.parent AS parent, "
        "subsidiary.isinactive AS isinactive, currency.symbol AS currency "
        "FROM subsidiary LEFT JOIN currency ON currency.id = subsidiary.currency"
    ),
    DEPARTMENT: "SELECT id, name, parent, isinactive FROM department",
    CLASS: "SELECT id, name, parent, isinactive FROM classification",
}
_KEYS: dict[str, str] = {ENTITY: "subsidiary.id"}


def _text(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _account_name(row: Mapping[str, Any]) -> str:
    """The account's own name, without its number (``6100 Rent`` → ``Rent``): some accounts put the number
    in front of the display name even in ``accountsearchdisplaynamecopy``, and Pigment shows it as Code."""
    number = _text(row, "acctnumber")
    for column in ("name", "label"):
        text = _text(row, column)
        if number and text.startswith(number + " "):
            text = text[len(number) + 1 :].strip()
        if text:
            return text
    return number or _text(row, "id")


def to_member(list_name: str, row: Mapping[str, Any]) -> Member:
    """One SuiteQL row → a :class:`Member` (``isinactive`` is ``T``/``F``; NULL columns are absent)."""
    member_id = _text(row, "id")
    parent = _text(row, "parent") or None
    active = _text(row, "isinactive") != "T"
    if list_name == ACCOUNT:
        return Member(
            ACCOUNT,
            member_id,
            key=_text(row, "acctnumber") or member_id,
            name=_account_name(row),
            parent_id=parent,
            active=active,
            extra={"Type": _text(row, "accttype")},
        )
    extra = {"Currency": _text(row, "currency")} if list_name == ENTITY else {}
    return Member(list_name, member_id, member_id, _text(row, "name") or member_id, parent, active, extra)


async def read_members(netsuite: NetSuiteClient, list_name: str, *, page_size: int) -> list[Member]:
    """Every member of one list, active or not (inactive ones are flagged in Pigment, not dropped)."""
    rows = netsuite.suiteql_keyset(QUERIES[list_name], key=_KEYS.get(list_name, "id"), page_size=page_size)
    return [to_member(list_name, row) async for row in rows]
