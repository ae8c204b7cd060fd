"""Master data → SuiteQL rows (customer/vendor/entity, item, account, lists, currency, budgets).

Every REST write of a non-transaction record calls :func:`project`, which (re)writes that record's
SuiteQL rows and returns its ``refName`` (what references to it display and what ``BUILTIN.DF`` shows).
Transactions are projected by the ledger; accounting periods by :mod:`periods`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerbridge.sandbox.netsuite.periods import Periods
from ledgerbridge.sandbox.netsuite.recordtypes import ACCOUNT_TYPES, ITEM_KIND
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo

_LIST_TABLES = {"department": "department", "classification": "classification", "location": "location"}


def _b(value: Any) -> str:
    return "T" if value else "F"


def _i(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _n(value: Any) -> str | None:
    return None if value is None else str(value)


def refname(repo: Repo, row: RecordRow) -> str:
    """The display name of a record (its ``refName``)."""
    b = row.body
    rt = row.rt
    if rt.is_transaction:
        return f"{rt.label} #{b.get('tranId', row.id)}"
    if row.rtype in ("customer", "vendor"):
        return entity_names(b)[2]
    if row.family == "item":
        return str(b.get("itemId", row.id))
    if row.rtype == "account":
        name = str(b.get("acctName", ""))
        return f"{b['acctNumber']} {name}" if b.get("acctNumber") else name
    if row.rtype in ("subsidiary", *_LIST_TABLES):
        return _full_name(repo, row.rtype, b)
    if row.rtype == "accountingperiod":
        return str(b.get("periodName", row.id))
    if "name" in b:
        return str(b["name"])
    return str(row.id)


def entity_names(b: dict[str, Any]) -> tuple[str, str, str]:
    """(entityid, altname, entitytitle) the way NetSuite derives them."""
    if b.get("isPerson"):
        alt = " ".join(str(p) for p in (b.get("firstName"), b.get("lastName")) if p)
    else:
        alt = str(b.get("companyName") or "")
    entity_id = str(b.get("entityId") or alt)
    title = entity_id if entity_id == alt or not alt else f"{entity_id} {alt}"
    return entity_id, alt, title


def _full_name(repo: Repo, rtype: str, b: dict[str, Any]) -> str:
    name = str(b.get("name", ""))
    parent = b.get("parent")
    if parent:
        parent_name = repo.refname(rtype, int(parent))
        if parent_name:
            return f"{parent_name} : {name}"
    return name


def project(repo: Repo, periods: Periods, row: RecordRow) -> str:
    """Write the record's SuiteQL rows; returns its refName."""
    name = refname(repo, row)
    b = row.body
    modified = repo.local_sql(row.lastmodified)
    created = repo.local_sql(row.created)
    eid = row.externalid
    if row.rtype in ("customer", "vendor"):
        entity_id, alt, title = entity_names(b)
        is_customer = row.rtype == "customer"
        common = {
            "id": row.id,
            "entityid": entity_id,
            "altname": alt,
            "entitytitle": title,
            "firstname": b.get("firstName"),
            "lastname": b.get("lastName"),
            "isperson": _b(b.get("isPerson")),
            "isinactive": _b(b.get("isInactive")),
            "email": b.get("email"),
            "phone": b.get("phone"),
            "externalid": eid,
            "datecreated": created,
            "lastmodifieddate": modified,
        }
        repo.upsert_row(
            "entity",
            common
            | {
                "companyname": b.get("companyName"),
                "type": "CustJob" if is_customer else "Vendor",
                "customer": row.id if is_customer else None,
                "vendor": None if is_customer else row.id,
                "toplevelparent": _i(b.get("parent")) or row.id,
                "parent": _i(b.get("parent")),
            },
        )
        specific = common | {
            "companyname": b.get("companyName"),
            "subsidiary": _i(b.get("subsidiary")),
            "currency": _i(b.get("currency")),
        }
        if is_customer:
            specific |= {
                "parent": _i(b.get("parent")),
                "receivablesaccount": _i(b.get("receivablesAccount")),
                "creditlimit": _n(b.get("creditLimit")),
                "url": b.get("url"),
                "comments": b.get("comments"),
                "oncredithold": "F",
                "searchstage": "Customer",
            }
        else:
            specific |= {
                "payablesaccount": _i(b.get("payablesAccount")),
                "expenseaccount": _i(b.get("expenseAccount")),
                "legalname": b.get("legalName"),
                "printoncheckas": b.get("printOnCheckAs"),
                "accountnumber": b.get("accountNumber"),
            }
        repo.upsert_row(row.rtype, specific)
        rel = f"{row.rtype}subsidiaryrelationship"
        repo.conn.execute(f'DELETE FROM "{rel}" WHERE entity = ?', (row.id,))
        if b.get("subsidiary"):
            repo.upsert_row(
                rel,
                {
                    "id": repo.next_seq(f"id:{rel}"),
                    "entity": row.id,
                    "subsidiary": int(b["subsidiary"]),
                    "isprimarysub": "T",
                },
            )
    elif row.family == "item":
        repo.upsert_row(
            "item",
            {
                "id": row.id,
                "itemid": b.get("itemId"),
                "fullname": b.get("itemId"),
                "displayname": b.get("displayName"),
                "itemtype": ITEM_KIND.get(row.rtype),
                "description": b.get("description"),
                "incomeaccount": _i(b.get("incomeAccount")),
                "deferredrevenueaccount": _i(b.get("deferredRevenueAccount")),
                "deferralaccount": None,
                "expenseaccount": _i(b.get("expenseAccount") or b.get("cogsAccount")),
                "assetaccount": _i(b.get("assetAccount")),
                "subsidiary": b.get("subsidiary"),
                "department": _i(b.get("department")),
                "class": _i(b.get("class")),
                "location": _i(b.get("location")),
                "isinactive": _b(b.get("isInactive")),
                "externalid": eid,
                "createddate": created,
                "lastmodifieddate": modified,
            },
        )
    elif row.rtype == "account":
        acct_type = b.get("acctType")
        hierarchy = name
        if b.get("parent"):
            parent_name = repo.refname("account", int(b["parent"]))
            if parent_name:
                hierarchy = f"{parent_name} : {name}"
        repo.upsert_row(
            "account",
            {
                "id": row.id,
                "acctnumber": b.get("acctNumber"),
                "accttype": acct_type,
                "fullname": hierarchy,
                "accountsearchdisplayname": name,
                "accountsearchdisplaynamecopy": name,
                "displaynamewithhierarchy": hierarchy,
                "description": b.get("description"),
                "parent": _i(b.get("parent")),
                "isinactive": _b(b.get("isInactive")),
                "issummary": _b(b.get("isSummary")),
                "currency": _i(b.get("currency")),
                "subsidiary": b.get("subsidiary"),
                "externalid": eid,
                "lastmodifieddate": modified,
                "eliminate": "F",
                "generalrate": "CURRENT" if acct_type not in _INCOME_STATEMENT else "AVERAGE",
                "cashflowrate": "AVERAGE",
                "includechildren": "T",
                "inventory": "F",
                "revalue": "F",
                "reconcilewithmatching": "F",
            },
        )
    elif row.rtype == "subsidiary":
        repo.upsert_row(
            "subsidiary",
            {
                "id": row.id,
                "name": b.get("name"),
                "fullname": name,
                "legalname": b.get("legalName"),
                "parent": _i(b.get("parent")),
                "currency": _i(b.get("currency")),
                "country": b.get("country"),
                "state": b.get("state"),
                "iselimination": _b(b.get("isElimination")),
                "isinactive": _b(b.get("isInactive")),
                "fiscalcalendar": 1,
                "externalid": eid,
                "lastmodifieddate": modified,
            },
        )
    elif row.rtype in _LIST_TABLES:
        repo.upsert_row(
            _LIST_TABLES[row.rtype],
            {
                "id": row.id,
                "name": b.get("name"),
                "fullname": name,
                "subsidiary": b.get("subsidiary"),
                "isinactive": _b(b.get("isInactive")),
                "includechildren": _b(b.get("includeChildren")),
                "externalid": eid,
                "lastmodifieddate": modified,
                "parent": _i(b.get("parent")),
            },
        )
    elif row.rtype == "currency":
        repo.upsert_row(
            "currency",
            {
                "id": row.id,
                "name": b.get("name"),
                "symbol": b.get("symbol"),
                "displaysymbol": b.get("displaySymbol"),
                "exchangerate": _n(b.get("exchangeRate", Decimal(1))),
                "isbasecurrency": _b(b.get("isBaseCurrency")),
                "isinactive": _b(b.get("isInactive")),
                "currencyprecision": b.get("currencyPrecision", 2),
                "externalid": eid,
                "lastmodifieddate": modified,
                "symbolplacement": 1,
                "overridecurrencyformat": "F",
                "includeinfxrateupdates": "T",
            },
        )
    elif row.rtype == "budgetcategory":
        repo.upsert_row(
            "budgetcategory",
            {
                "id": row.id,
                "name": b.get("name"),
                "isinactive": _b(b.get("isInactive")),
                "budgettype": "GLOBAL",
            },
        )
    return name


_INCOME_STATEMENT = {"Income", "COGS", "Expense", "OthIncome", "OthExpense"}

_TABLES_OF = {
    "customer": ("customer", "entity", "customersubsidiaryrelationship"),
    "vendor": ("vendor", "entity", "vendorsubsidiaryrelationship"),
    "account": ("account",),
    "subsidiary": ("subsidiary",),
    "currency": ("currency",),
    "budgetcategory": ("budgetcategory",),
    **{k: (v,) for k, v in _LIST_TABLES.items()},
}


def unproject(repo: Repo, row: RecordRow) -> None:
    """Remove the record's SuiteQL rows."""
    tables = ("item",) if row.family == "item" else _TABLES_OF.get(row.rtype, ())
    for table in tables:
        column = "entity" if table.endswith("relationship") else "id"
        repo.conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (row.id,))


def account_type_rows() -> list[dict[str, Any]]:
    """The ``accounttype`` lookup table."""
    balance_sheet = {
        "AcctRec",
        "AcctPay",
        "Bank",
        "CredCard",
        "OthCurrAsset",
        "FixedAsset",
        "OthAsset",
        "OthCurrLiab",
        "LongTermLiab",
        "Equity",
        "DeferRevenue",
        "DeferExpense",
        "UnbilledRec",
    }
    debit_normal = {
        "AcctRec",
        "Bank",
        "OthCurrAsset",
        "FixedAsset",
        "OthAsset",
        "COGS",
        "Expense",
        "OthExpense",
        "DeferExpense",
        "UnbilledRec",
    }
    return [
        {
            "id": code,
            "longname": label,
            "balancesheet": _b(code in balance_sheet),
            "left": _b(code in debit_normal),
            "seqnum": seq,
            "internalid": seq,
            "defaultcashflowratetype": "AVERAGE",
            "defaultgeneralratetype": "CURRENT" if code in balance_sheet else "AVERAGE",
            "eliminationalgo": None if code in balance_sheet else "IS",
            "includeinrevaldefault": "F",
            "usercanchangerevaloption": "F",
        }
        for seq, (code, label) in enumerate(ACCOUNT_TYPES.items(), start=1)
    ]
