"""The ``netsuite2-sample`` seed: a real NetSuite2-schema sample (fivetran/dbt_netsuite integration seeds,
Apache-2.0, see data/netsuite2_sample/NOTICE) loaded into the SuiteQL tables.

Loading rules: ``_fivetran_*`` columns are ignored; rows marked ``_fivetran_deleted`` or no longer
``_fivetran_active`` (history versions) are skipped; when a key appears twice the most recently synced
row wins; columns the emulator does not model are dropped; ``2017-05-07 0:00:00``-style timestamps are
normalised; booleans ``TRUE``/``FALSE`` become ``T``/``F``; ``item.itemid`` is taken from ``fullname``.

REST records are created for the master data (currencies, subsidiaries, departments, classes, locations,
accounts, customers, vendors, accounting periods) so references resolve and they can be read through
the record service; the sample's transactions are SuiteQL-only.

Anomalies of the sample, kept as they are (documented in docs/connectors/netsuite-emulator-data.md):
its accounting lines carry no amounts (``amount``/``debit``/``credit`` are empty), so every trial-balance
sum is NULL (omitted) rather than a number; two accounting lines (transactions 4458 and 4533) point at
transactions that are not in the sample and have no account; transactions reference posting periods
(251, 261) that are not in the sample; subsidiaries reference currency 1, which the sample does not
contain — the loader adds ``US Dollar`` as currency 1 so the references resolve.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from ledgerbridge.sandbox.netsuite import codec
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo
from ledgerbridge.sandbox.netsuite.schema import TABLES, Table
from ledgerbridge.sandbox.netsuite.seed import tax_schedules

if TYPE_CHECKING:
    from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

FILES: dict[str, str] = {
    "netsuite2_account_data.csv": "account",
    "netsuite2_account_type_data.csv": "accounttype",
    "netsuite2_accounting_book_data.csv": "accountingbook",
    "netsuite2_accounting_book_sub_data.csv": "accountingbooksubsidiaries",
    "netsuite2_accounting_period_data.csv": "accountingperiod",
    "netsuite2_accounting_period_fiscal_cal_data.csv": "accountingperiodfiscalcalendars",
    "netsuite2_classification_data.csv": "classification",
    "netsuite2_consolidated_exchange_rate_data.csv": "consolidatedexchangerate",
    "netsuite2_currency_data.csv": "currency",
    "netsuite2_customer_data.csv": "customer",
    "netsuite2_customer_subsidiary_relationship_data.csv": "customersubsidiaryrelationship",
    "netsuite2_department_data.csv": "department",
    "netsuite2_employee_data.csv": "employee",
    "netsuite2_entities_data.csv": "entity",
    "netsuite2_entity_address_data.csv": "entityaddress",
    "netsuite2_fiscal_calendar_data.csv": "fiscalcalendar",
    "netsuite2_item_data.csv": "item",
    "netsuite2_job_data.csv": "job",
    "netsuite2_location_data.csv": "location",
    "netsuite2_location_main_address_data.csv": "locationmainaddress",
    "netsuite2_nexus_data.csv": "nexus",
    "netsuite2_subsidiary_data.csv": "subsidiary",
    "netsuite2_tran_acct_line_data.csv": "transactionaccountingline",
    "netsuite2_transaction_data.csv": "transaction",
    "netsuite2_transaction_line_data.csv": "transactionline",
    "netsuite2_vendor_category_data.csv": "vendorcategory",
    "netsuite2_vendor_data.csv": "vendor",
    "netsuite2_vendor_subsidiary_relationship_data.csv": "vendorsubsidiaryrelationship",
}
_TRUE = {"T", "TRUE"}
_FALSE = {"F", "FALSE"}


def read_file(name: str) -> list[dict[str, str]]:
    """The live rows of one sample file (deleted and inactive history versions dropped)."""
    text = (resources.files("ledgerbridge.sandbox.netsuite") / "data" / "netsuite2_sample" / name).read_text(
        "utf-8"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    live = [
        r
        for r in rows
        if r.get("_fivetran_deleted", "").upper() not in _TRUE
        and r.get("_fivetran_active", "TRUE").upper() not in _FALSE
    ]
    return sorted(live, key=lambda r: r.get("_fivetran_synced", ""))


def convert(table: Table, row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in row.items():
        col = table.columns.get(name)
        if col is None or name.startswith("_fivetran"):
            continue
        value = raw.strip()
        if value == "":
            out[name] = None
        elif col.kind == "int":
            out[name] = int(value) if value.lstrip("-").isdigit() else None
        elif col.kind == "bool":
            out[name] = "T" if value.upper() in _TRUE else "F" if value.upper() in _FALSE else value
        elif col.kind in ("date", "datetime"):
            out[name] = _timestamp(value)
        else:
            out[name] = value
    return out


def _utc_stamp(repo: Repo, local: Any) -> str | None:
    """A SuiteQL (account-local) timestamp as the REST record's UTC ``lastModifiedDate``."""
    if not local:
        return None
    moment = datetime.strptime(str(local), "%Y-%m-%d %H:%M:%S").replace(tzinfo=repo.zone)
    return codec.utc_stamp(moment)


def _timestamp(text: str) -> str:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    return text


def seed_sample(store: NetSuiteStore) -> None:
    repo = store.repo
    for file_name, table_name in FILES.items():
        table = TABLES[table_name]
        for raw in read_file(file_name):
            values = convert(table, raw)
            if table_name == "item" and values.get("itemid") is None:
                values["itemid"] = raw.get("fullname")
            if any(values.get(k) is None for k in table.primary_key):
                continue
            repo.upsert_row(table_name, values)
    if repo.conn.execute("SELECT 1 FROM currency WHERE id = 1").fetchone() is None:
        repo.upsert_row(
            "currency",
            {
                "id": 1,
                "name": "US Dollar",
                "symbol": "USD",
                "exchangerate": "1",
                "isbasecurrency": "T",
                "isinactive": "F",
                "currencyprecision": 2,
            },
        )
    _rest_records(store)
    tax_schedules(store)
    repo.set_setting("base_currency", "1")
    root = repo.conn.execute("SELECT MIN(id) FROM subsidiary WHERE parent IS NULL OR parent = id").fetchone()[
        0
    ]
    repo.set_setting("root_subsidiary", str(root or 1))


def _rest_records(store: NetSuiteStore) -> None:
    """REST bodies for the sample's master data, derived from its SuiteQL rows."""
    repo = store.repo
    stamp = repo.now_stamp()

    def add(rtype: str, family: str, table: str, make: Any) -> None:
        columns = [c for c in TABLES[table].columns]
        top = 0
        for values in repo.conn.execute(f'SELECT * FROM "{table}" ORDER BY id'):
            record = dict(zip(columns, values, strict=True))
            body = {k: v for k, v in make(record).items() if v is not None}
            refname = str(
                record.get("fullname")
                or record.get("name")
                or record.get("entitytitle")
                or record.get("periodname")
                or record["id"]
            )
            modified = _utc_stamp(repo, record.get("lastmodifieddate")) or stamp
            row = RecordRow(
                rtype,
                family,
                int(record["id"]),
                record.get("externalid"),
                refname,
                body,
                False,
                modified,
                modified,
            )
            repo.insert(row)
            top = max(top, int(record["id"]))
        repo.bump_seq(f"id:{family}", top)

    def ref(value: Any) -> str | None:
        return None if value is None else str(value)

    def flag(value: Any) -> bool:
        return bool(value == "T")

    def day(value: Any) -> str | None:
        return None if value is None else str(value)[:10]

    add(
        "currency",
        "currency",
        "currency",
        lambda r: {
            "name": r["name"],
            "symbol": r["symbol"],
            "exchangeRate": r["exchangerate"] and str(r["exchangerate"]),
            "isBaseCurrency": flag(r["isbasecurrency"]),
        },
    )
    add(
        "subsidiary",
        "subsidiary",
        "subsidiary",
        lambda r: {
            "name": r["name"],
            "parent": ref(r["parent"]),
            "currency": ref(r["currency"]),
            "country": r["country"],
            "state": r["state"],
        },
    )
    for list_type in ("department", "classification", "location"):
        add(
            list_type,
            list_type,
            list_type,
            lambda r: {"name": r["name"], "isInactive": flag(r["isinactive"])},
        )
    add(
        "account",
        "account",
        "account",
        lambda r: {
            "acctNumber": r["acctnumber"],
            "acctName": r["accountsearchdisplayname"],
            "acctType": r["accttype"],
            "parent": ref(r["parent"]),
            "isInactive": flag(r["isinactive"]),
            "description": r["description"],
        },
    )
    add(
        "customer",
        "entity",
        "customer",
        lambda r: {
            "entityId": r["entityid"],
            "companyName": r["companyname"],
            "isPerson": flag(r["isperson"]),
            "firstName": r["firstname"],
            "lastName": r["lastname"],
            "email": r["email"],
            "currency": ref(r["currency"]),
        },
    )
    add(
        "vendor",
        "entity",
        "vendor",
        lambda r: {
            "entityId": r["entityid"],
            "companyName": r["companyname"] or r["altname"],
            "isPerson": flag(r["isperson"]),
            "email": r["email"],
            "currency": ref(r["currency"]),
        },
    )
    add(
        "accountingperiod",
        "accountingperiod",
        "accountingperiod",
        lambda r: {
            "periodName": r["periodname"],
            "startDate": day(r["startdate"]),
            "endDate": day(r["enddate"]),
            "isQuarter": flag(r["isquarter"]),
            "isYear": flag(r["isyear"]),
            "isAdjust": flag(r["isadjust"]),
            "isPosting": flag(r["isposting"]),
            "closed": flag(r["closed"]),
            "allLocked": flag(r["alllocked"]),
            "arLocked": flag(r["arlocked"]),
            "apLocked": flag(r["aplocked"]),
            "parent": ref(r["parent"]),
        },
    )
    top_tx = repo.conn.execute('SELECT MAX(id) FROM "transaction"').fetchone()[0]
    repo.bump_seq("id:transaction", int(top_tx or 0))
    top_item = repo.conn.execute("SELECT MAX(id) FROM item").fetchone()[0]
    repo.bump_seq("id:item", int(top_item or 0))
    top_entity = repo.conn.execute("SELECT MAX(id) FROM entity").fetchone()[0]
    repo.bump_seq("id:entity", int(top_entity or 0))
