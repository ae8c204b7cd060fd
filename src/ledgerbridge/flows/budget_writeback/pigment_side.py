"""What budget-writeback reads from Pigment: the approved budget versions (a Version list export), the
item name → code maps of the Account / Entity / Department lists, and the Budget cells (a view export).

Cells come with item *names* (what a modeller sees); the mapping tables speak *codes*, hence the list
exports. Five export requests per run, whatever the budget's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.exportreq import ListExport
from ledgerbridge.errors import ConfigError, RecordRejected
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog

from .lines import BudgetCell
from .params import BudgetParams

_TRUE = {"true", "yes", "1"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Version:
    name: str
    code: str
    approver: str | None


async def list_rows(
    pigment: PigmentClient, catalog: PigmentCatalog, name: str, param: str
) -> list[dict[str, str]]:
    block = await catalog.block(name, kind="List", param=param)
    async with pigment.export_list(block.id, ListExport(friendly_headers=True)) as rows:
        return await rows.all()


def approved_versions(rows: list[dict[str, str]], params: BudgetParams) -> list[Version]:
    """The versions marked approved whose type is written back."""
    found: list[Version] = []
    for row in rows:
        name = row.get(params.version_list) or next(iter(row.values()), "")
        if str(row.get(params.approved_property, "")).strip().lower() not in _TRUE:
            continue
        if params.version_types and row.get(params.type_property) not in params.version_types:
            continue
        code = (row.get(params.version_code_property) or name).strip()
        found.append(Version(name=name, code=code, approver=(row.get(params.approver_property) or None)))
    return found


def code_map(rows: list[dict[str, str]], list_name: str, code_property: str) -> dict[str, str]:
    """Item name → code (the name itself when the item has no code)."""
    if rows and code_property not in rows[0]:
        raise ConfigError(
            f"{list_name}: Pigment list has no property '{code_property}'",
            field="code_property",
            hint="set params.code_property to the property the mapping tables use",
        )
    out: dict[str, str] = {}
    for row in rows:
        name = row.get(list_name) or next(iter(row.values()), "")
        out[name] = (row.get(code_property) or name).strip()
    return out


def parse_month(label: str, month_format: str) -> date:
    """Pigment's month item name (``Oct 26``) → the first day of that month (inverse of ``month_label``)."""
    text = label.strip()
    if month_format == "%b %y" and len(text) == 6 and text[:3] in _MONTHS and text[4:].isdigit():
        return date(2000 + int(text[4:]), _MONTHS.index(text[:3]) + 1, 1)
    pattern = month_format
    for index, abbr in enumerate(_MONTHS):
        if abbr in text and "%b" in pattern:
            text = text.replace(abbr, f"{index + 1:02d}")
            pattern = pattern.replace("%b", "%m")
            break
    try:
        return datetime.strptime(text, pattern).date().replace(day=1)
    except ValueError:
        raise ConfigError(
            f"Pigment month '{label}' does not follow params.month_format '{month_format}'",
            field="month_format",
        ) from None


async def budget_cells(
    pigment: PigmentClient,
    catalog: PigmentCatalog,
    params: BudgetParams,
    versions: list[Version],
    codes: dict[str, dict[str, str]],
) -> list[BudgetCell]:
    """The Budget cells of the given versions, dimensions as codes."""
    view = await catalog.view(params.budget_view, param="budget_view")
    wanted = {v.name: v for v in versions}
    cells: list[BudgetCell] = []
    async with pigment.export_view(view.id) as rows:
        async for row in rows:
            version = wanted.get(row.get("Version", ""))
            if version is None:
                continue
            value_column = rows.header[-1]  # the metric's value follows its dimensions
            raw = (row.get(value_column) or "").strip()
            if not raw:
                continue
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise RecordRejected(f"{params.budget_view}: '{raw}' is not a number") from None
            cells.append(
                BudgetCell(
                    version=version.name,
                    version_code=version.code,
                    month=parse_month(row["Month"], params.month_format),
                    account=codes["account"].get(row["Account"], row["Account"]),
                    entity=codes["entity"].get(row["Entity"], row["Entity"]),
                    department=codes["department"].get(row.get("Department", ""), row.get("Department", "")),
                    amount=amount,
                )
            )
    return cells
