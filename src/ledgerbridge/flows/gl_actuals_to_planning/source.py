"""Reading the NetSuite general ledger with SuiteQL: which periods changed, and one period's balances.

Two queries, both aggregated inside NetSuite so that raw GL lines never reach the engine:

- **Detection** groups posting transactions modified since the window start by posting period: one row
  per dirty period with its newest ``lastmodifieddate``. However many lines changed, this is a few dozen
  rows, so a run with nothing new costs one request.
- **Load** groups one period's posting lines of the primary accounting book by account x subsidiary x
  department x class and sums ``tal.amount`` (debit positive). A month of a million-line ledger becomes a
  few thousand balances: the engine's memory is bounded by the number of distinct combinations, not by
  the number of lines, and the request count by the number of periods (each 1,000 balances a page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.errors import RecordRejected
from ledgerbridge.money import to_decimal

_TIMESTAMP_MASK = "YYYY-MM-DD HH24:MI:SS"
_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class DirtyPeriod:
    """A NetSuite accounting period with posted lines changed inside the read window."""

    id: str
    name: str
    start: date
    #: the newest ``lastmodifieddate`` of its posting transactions (account time zone, to the second)
    modified: datetime
    #: how many posting transactions, the sum of their ids and of their totals: a new, deleted or re-priced
    #: transaction changes it even when it lands in the same second as the newest change already loaded
    #: (``modified`` alone has one-second resolution)
    content: str = ""

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.modified, self.id.zfill(12))


@dataclass(frozen=True, slots=True)
class Balance:
    """The net (debit - credit) of one account x subsidiary x department x class in one period."""

    account_id: str
    account_number: str | None
    account_type: str | None
    subsidiary: str | None
    department: str | None
    class_: str | None
    amount: Decimal

    @property
    def account_key(self) -> str:
        """The key of the accounts mapping: the account number, else the internal id."""
        return self.account_number or self.account_id


def account_zone(netsuite: NetSuiteClient) -> ZoneInfo:
    """The account's time zone as configured on the connection (UTC when not set)."""
    return ZoneInfo(getattr(netsuite.settings, "timezone", None) or "UTC")


def detection_query(
    since: datetime | None,
    zone: ZoneInfo,
    *,
    from_period: date | None = None,
    periods: Sequence[str] = (),
) -> str:
    """Periods with posting transactions modified at or after ``since`` (all periods when None)."""
    sql = (
        "SELECT t.postingperiod AS period, ap.periodname AS name, "
        "TO_CHAR(ap.startdate, 'YYYY-MM-DD') AS startdate, "
        f"TO_CHAR(MAX(t.lastmodifieddate), '{_TIMESTAMP_MASK}') AS modified, "
        "COUNT(t.id) AS txns, SUM(t.id) AS idsum, SUM(t.foreigntotal) AS total "
        "FROM transaction t JOIN accountingperiod ap ON ap.id = t.postingperiod "
        "WHERE t.posting = 'T' AND ap.isquarter = 'F' AND ap.isyear = 'F'"
    )
    if since is not None:
        # SuiteQL compares in the account's zone; rounded down to the second so nothing in that second is
        # missed (the lookback makes the overlap larger anyway)
        local = since.astimezone(zone).strftime(_TIMESTAMP_FORMAT)
        sql += f" AND t.lastmodifieddate >= TO_TIMESTAMP('{local}', '{_TIMESTAMP_MASK}')"
    if from_period is not None:
        sql += f" AND ap.startdate >= TO_DATE('{from_period.isoformat()}', 'YYYY-MM-DD')"
    if periods:
        sql += f" AND t.postingperiod IN ({', '.join(str(int(p)) for p in periods)})"
    return (
        sql + " GROUP BY t.postingperiod, ap.periodname, ap.startdate ORDER BY ap.startdate, t.postingperiod"
    )


def parse_dirty(row: dict[str, object], zone: ZoneInfo) -> DirtyPeriod:
    try:
        modified = datetime.strptime(str(row["modified"]), _TIMESTAMP_FORMAT).replace(tzinfo=zone)
        return DirtyPeriod(
            id=str(row["period"]),
            name=str(row.get("name") or row["period"]),
            start=date.fromisoformat(str(row["startdate"])),
            modified=modified,
            content=f"{row.get('txns', '')}/{row.get('idsum', '')}/{row.get('total', '')}",
        )
    except (KeyError, ValueError) as exc:
        raise RecordRejected(f"NetSuite returned an unreadable period row {row!r}: {exc}") from None


async def dirty_periods(
    netsuite: NetSuiteClient,
    since: datetime | None,
    *,
    from_period: date | None = None,
    periods: Sequence[str] = (),
) -> list[DirtyPeriod]:
    """Every period whose posted lines changed since ``since``, oldest month first."""
    zone = account_zone(netsuite)
    query = detection_query(since, zone, from_period=from_period, periods=periods)
    return [parse_dirty(row, zone) async for row in netsuite.suiteql(query)]


def balances_query(period_id: str) -> str:
    """One period's GL, aggregated per account x subsidiary x department x class (primary book only)."""
    return (
        "SELECT tal.account AS account, a.acctnumber AS acctnumber, a.accttype AS accttype, "
        "tl.subsidiary AS subsidiary, tl.department AS department, tl.class AS class, "
        "SUM(tal.amount) AS amount "
        "FROM transactionaccountingline tal "
        "JOIN transaction t ON t.id = tal.transaction "
        "JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline "
        "JOIN account a ON a.id = tal.account "
        "JOIN accountingbook b ON b.id = tal.accountingbook "
        f"WHERE t.postingperiod = {int(period_id)} AND t.posting = 'T' AND tal.posting = 'T' "
        "AND b.isprimary = 'T' "
        "GROUP BY tal.account, a.acctnumber, a.accttype, tl.subsidiary, tl.department, tl.class "
        "ORDER BY tal.account, tl.subsidiary, tl.department, tl.class"
    )


def parse_balance(row: dict[str, object]) -> Balance | None:
    """A balance row; None for a combination whose lines carry no amount (nothing to load)."""
    if row.get("amount") in (None, ""):
        return None

    def text(name: str) -> str | None:
        value = row.get(name)
        return None if value in (None, "") else str(value)

    return Balance(
        account_id=str(row["account"]),
        account_number=text("acctnumber"),
        account_type=text("accttype"),
        subsidiary=text("subsidiary"),
        department=text("department"),
        class_=text("class"),
        amount=to_decimal(row["amount"]),
    )


async def period_balances(netsuite: NetSuiteClient, period_id: str) -> list[Balance]:
    """Every non-empty balance of one period."""
    found: list[Balance] = []
    async for row in netsuite.suiteql(balances_query(period_id)):
        balance = parse_balance(row)
        if balance is not None:
            found.append(balance)
    return found
