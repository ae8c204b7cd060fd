"""The SQLite tables behind SuiteQL, named and shaped like NetSuite's ``NetSuite2.com`` data source.

Column kinds and how they are stored (SQLite has no DECIMAL, BOOLEAN or DATE type):

- ``int``      INTEGER (internal ids, counts)
- ``num``      REAL. Amounts are written from their exact decimal text; a double round-trips any amount
               of up to 15 significant digits, and SuiteQL ``SUM`` is re-routed to an exact Decimal
               aggregate (see suiteql.py), so no float artefact reaches a caller.
- ``text``     TEXT
- ``bool``     TEXT ``'T'``/``'F'`` exactly as SuiteQL returns them
- ``date``     TEXT ``YYYY-MM-DD 00:00:00`` (Oracle DATE semantics: a date is midnight of that day)
- ``datetime`` TEXT ``YYYY-MM-DD HH:MM:SS`` in the account's time zone (what SuiteQL shows)

``ref`` names the table a column points to; ``BUILTIN.DF(col)`` shows that table's display column.
The internal tables (``ns_*``) hold the REST record bodies and bookkeeping; SuiteQL cannot see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["int", "num", "text", "bool", "date", "datetime"]

_SQL_TYPE: dict[str, str] = {
    "int": "INTEGER",
    "num": "REAL",
    "text": "TEXT",
    "bool": "TEXT",
    "date": "TEXT",
    "datetime": "TEXT",
}
# The types sqlglot sees when it qualifies and type-annotates a query.
_GLOT_TYPE: dict[str, str] = {
    "int": "INT",
    "num": "DOUBLE",
    "text": "TEXT",
    "bool": "TEXT",
    "date": "DATE",
    "datetime": "TIMESTAMP",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A SuiteQL table: columns in order, the primary key, extra indexes, and its display column."""

    name: str
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    display: str | None = None

    def ddl(self) -> list[str]:
        cols = []
        single_int_pk = len(self.primary_key) == 1 and self.columns[self.primary_key[0]].kind == "int"
        for col in self.columns.values():
            text = f'"{col.name}" {_SQL_TYPE[col.kind]}'
            if single_int_pk and col.name == self.primary_key[0]:
                text += " PRIMARY KEY"  # an INTEGER PRIMARY KEY is the rowid: keyset paging is a b-tree walk
            cols.append(text)
        if not single_int_pk and self.primary_key:
            cols.append("PRIMARY KEY (" + ", ".join(f'"{c}"' for c in self.primary_key) + ")")
        stmts = [f'CREATE TABLE "{self.name}" ({", ".join(cols)})']
        for index in self.indexes:
            idx_name = f"ix_{self.name}_{'_'.join(index)}"
            stmts.append(
                f'CREATE INDEX "{idx_name}" ON "{self.name}" (' + ", ".join(f'"{c}"' for c in index) + ")"
            )
        return stmts


_KINDS: dict[str, Kind] = {"int": "int", "num": "num", "text": "text", "bool": "bool", "date": "date",
                          "datetime": "datetime"}  # fmt: skip


def _kind(text: str) -> Kind:
    if text not in _KINDS:
        raise ValueError(f"unknown column kind {text!r}")
    return _KINDS[text]


def _table(
    name: str,
    spec: str,
    *,
    indexes: tuple[tuple[str, ...], ...] = (),
    display: str | None = None,
) -> Table:
    """Parse a compact column spec: ``name[:kind][>reftable][*]`` separated by spaces (``*`` = key)."""
    columns: dict[str, Column] = {}
    key: list[str] = []
    for token in spec.split():
        is_key = "*" in token
        token = token.replace("*", "")
        ref = None
        if ">" in token:
            token, ref = token.split(">", 1)
        col_name, _, kind = token.partition(":")
        columns[col_name] = Column(col_name, _kind(kind or "text"), ref)
        if is_key:
            key.append(col_name)
    return Table(name, columns, tuple(key), indexes, display)


_LIST_COLS = (
    "id:int* name fullname subsidiary isinactive:bool includechildren:bool externalid "
    "lastmodifieddate:datetime"
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _table(
            "transaction",
            "id:int* tranid transactionnumber trandate:date postingperiod:int>accountingperiod posting:bool "
            "type recordtype abbrevtype entity:int>entity memo status currency:int>currency exchangerate:num "
            "createddatetime:datetime createddate:datetime lastmodifieddate:datetime duedate:date "
            "closedate:date foreigntotal:num foreignamountpaid:num foreignamountunpaid:num "
            "taxtotal:num externalid otherrefnum approvalstatus employee:int>entity voided:bool "
            "isreversal:bool reversal:int>transaction reversaldate:date reversaldefer:bool "
            "journaltype terms:int",
            indexes=(("lastmodifieddate",), ("type",), ("postingperiod",), ("entity",)),
            display="tranid",
        ),
        _table(
            "transactionline",
            "transaction:int*>transaction id:int* uniquekey:int linesequencenumber:int mainline:bool "
            "taxline:bool accountinglinetype item:int>item itemtype quantity:num rate:num amount:num "
            "netamount:num foreignamount:num debitforeignamount:num creditforeignamount:num memo "
            "entity:int>entity subsidiary:int>subsidiary department:int>department "
            "class:int>classification location:int>location donotdisplayline:bool "
            "createdfrom:int>transaction linelastmodifieddate:datetime foreignamountunpaid:num "
            "foreignamountpaid:num isclosed:bool expenseaccount:int>account cleared:bool eliminate:bool "
            "isbillable:bool transactionlinetype",
            indexes=(("uniquekey",), ("item",)),
        ),
        _table(
            "transactionaccountingline",
            "transaction:int*>transaction transactionline:int* accountingbook:int*>accountingbook "
            "account:int>account amount:num debit:num credit:num netamount:num posting:bool "
            "exchangerate:num lastmodifieddate:datetime amountunpaid:num amountpaid:num "
            "paymentamountunused:num paymentamountused:num amountlinked:num overheadparentitem:int",
            indexes=(("account",),),
        ),
        _table(
            "account",
            "id:int* acctnumber accttype>accounttype fullname accountsearchdisplayname "
            "accountsearchdisplaynamecopy displaynamewithhierarchy description parent:int>account "
            "isinactive:bool issummary:bool currency:int>currency subsidiary deferralacct:int>account "
            "externalid lastmodifieddate:datetime eliminate:bool generalrate cashflowrate "
            "includechildren:bool inventory:bool revalue:bool reconcilewithmatching:bool "
            "department:int>department class:int>classification location:int>location sspecacct "
            "billableexpensesacct:int>account category1099misc",
            display="accountsearchdisplayname",
        ),
        _table(
            "accounttype",
            "id* longname balancesheet:bool left:bool seqnum:int internalid:int defaultcashflowratetype "
            "defaultgeneralratetype eliminationalgo includeinrevaldefault:bool usercanchangerevaloption:bool",
            display="longname",
        ),
        _table(
            "accountingperiod",
            "id:int* periodname startdate:date enddate:date isquarter:bool isyear:bool isadjust:bool "
            "isposting:bool isinactive:bool closed:bool closedondate:date alllocked:bool aplocked:bool "
            "arlocked:bool allownonglchanges:bool parent:int>accountingperiod lastmodifieddate:datetime",
            indexes=(("startdate",),),
            display="periodname",
        ),
        _table(
            "accountingbook",
            "id:int* name isprimary:bool isconsolidated:bool isadjustmentonly:bool basebook:int "
            "effectiveperiod:int externalid lastmodifieddate:datetime subsidiariesstring",
            display="name",
        ),
        _table(
            "accountingbooksubsidiaries",
            "accountingbook:int*>accountingbook subsidiary:int*>subsidiary status",
        ),
        _table(
            "subsidiary",
            "id:int* name fullname legalname parent:int>subsidiary currency:int>currency country state "
            "iselimination:bool isinactive:bool fiscalcalendar:int>fiscalcalendar externalid "
            "lastmodifieddate:datetime email edition languagelocale tranprefix url mainaddress:int",
            display="name",
        ),
        _table("department", _LIST_COLS + " parent:int>department", display="fullname"),
        _table("classification", _LIST_COLS + " parent:int>classification", display="fullname"),
        _table(
            "location",
            _LIST_COLS + " parent:int>location mainaddress:int returnaddress:int locationtype tranprefix "
            "makeinventoryavailable:bool usebins:bool",
            display="fullname",
        ),
        _table(
            "currency",
            "id:int* name symbol displaysymbol exchangerate:num isbasecurrency:bool isinactive:bool "
            "currencyprecision:int externalid lastmodifieddate:datetime symbolplacement:int "
            "overridecurrencyformat:bool includeinfxrateupdates:bool fxrateupdatetimezone",
            display="name",
        ),
        _table(
            "consolidatedexchangerate",
            "id:int* postingperiod:int>accountingperiod fromcurrency:int>currency tocurrency:int>currency "
            "fromsubsidiary:int>subsidiary tosubsidiary:int>subsidiary accountingbook:int>accountingbook "
            "averagerate:num currentrate:num historicalrate:num externalid",
            indexes=(("postingperiod",),),
        ),
        _table(
            "entity",
            "id:int* entityid altname entitytitle firstname lastname middlename companyname type "
            "isperson:bool isinactive:bool email phone externalid datecreated:datetime "
            "lastmodifieddate:datetime customer:int>customer vendor:int>vendor employee:int>employee "
            "contact:int parent:int>entity toplevelparent:int>entity",
            display="entitytitle",
        ),
        _table(
            "customer",
            "id:int* entityid companyname altname entitytitle firstname lastname isperson:bool email phone "
            "subsidiary:int>subsidiary currency:int>currency terms:int isinactive:bool externalid "
            "datecreated:datetime lastmodifieddate:datetime parent:int>customer "
            "receivablesaccount:int>account entitystatus:int salesrep:int>entity balancesearch:num "
            "overduebalancesearch:num unbilledorderssearch:num creditlimit:num category:int "
            "dateclosed:date firstorderdate:date lastorderdate:date firstsaledate:date lastsaledate:date "
            "searchstage oncredithold:bool url comments defaultbillingaddress:int defaultshippingaddress:int",
            indexes=(("lastmodifieddate",),),
            display="entitytitle",
        ),
        _table(
            "customersubsidiaryrelationship",
            "id:int* entity:int>customer subsidiary:int>subsidiary isprimarysub:bool",
        ),
        _table(
            "vendor",
            "id:int* entityid companyname altname entitytitle firstname lastname isperson:bool email phone "
            "subsidiary:int>subsidiary currency:int>currency terms:int isinactive:bool externalid "
            "datecreated:datetime lastmodifieddate:datetime payablesaccount:int>account "
            "expenseaccount:int>account category:int>vendorcategory legalname balance:num "
            "balanceprimary:num unbilledorders:num printoncheckas accountnumber",
            indexes=(("lastmodifieddate",),),
            display="entitytitle",
        ),
        _table(
            "vendorsubsidiaryrelationship",
            "id:int* entity:int>vendor subsidiary:int>subsidiary isprimarysub:bool",
        ),
        _table(
            "vendorcategory",
            "id:int* name istaxagency:bool isinactive:bool externalid lastmodifieddate:datetime",
            display="name",
        ),
        _table(
            "employee",
            "id:int* entityid firstname lastname email department:int>department subsidiary:int>subsidiary "
            "supervisor:int>employee isinactive:bool currency:int>currency title externalid "
            "lastmodifieddate:datetime approvallimit:num expenselimit:num purchaseorderlimit:num "
            "purchaseorderapprovallimit:num",
            display="entityid",
        ),
        _table(
            "job",
            "id:int* entityid altname companyname entitytitle customer:int>customer parent:int>entity "
            "currency:int>currency startdate:date enddate:date projectedenddate:date isinactive:bool "
            "externalid datecreated:datetime lastmodifieddate:datetime percentcomplete:num "
            "jobbillingtype jobtype entitystatus:int",
            display="entitytitle",
        ),
        _table(
            "item",
            "id:int* itemid fullname displayname itemtype description incomeaccount:int>account "
            "deferredrevenueaccount:int>account deferralaccount:int>account expenseaccount:int>account "
            "assetaccount:int>account gainlossaccount:int>account subsidiary department:int>department "
            "class:int>classification location:int>location isinactive:bool externalid "
            "createddate:datetime lastmodifieddate:datetime parent:int>item",
            display="itemid",
        ),
        _table(
            "budgets",
            "id:int* account:int>account subsidiary:int>subsidiary department:int>department "
            "class:int>classification location:int>location category:int>budgetcategory "
            "accountingbook:int>accountingbook currency:int>currency year:int>accountingperiod total:num "
            "lastmodifieddate:datetime",
        ),
        _table(
            "budgetsmachine",
            "budget:int*>budgets period:int*>accountingperiod amount:num",
            indexes=(("period",),),
        ),
        _table("budgetcategory", "id:int* name isinactive:bool budgettype", display="name"),
        _table(
            "revenueplan",
            "id:int* recordnumber createdfrom:int>transaction createdfromline:int revenueelement:int "
            "item:int>item entity:int>entity amount:num currency:int>currency startdate:date enddate:date "
            "recognitionmethod status lastmodifieddate:datetime",
            indexes=(("createdfrom",),),
        ),
        _table(
            "revenueplanline",
            "id:int* plan:int>revenueplan period:int>accountingperiod amount:num isrecognized:bool",
            indexes=(("plan",), ("period",)),
        ),
        _table("nexus", "id:int* country description state taxagency:int>vendor"),
        _table("fiscalcalendar", "id:int* name fiscalmonth isdefault:bool externalid", display="name"),
        _table(
            "accountingperiodfiscalcalendars",
            "accountingperiod:int*>accountingperiod fiscalcalendar:int*>fiscalcalendar fullname "
            "parent:int>accountingperiod",
        ),
        _table(
            "entityaddress",
            "nkey:int* addr1 addr2 addr3 addressee addrphone addrtext attention city country "
            "dropdownstate lastmodifieddate:datetime override:bool recordowner:int state zip",
        ),
        _table(
            "locationmainaddress",
            "nkey:int* addr1 addr2 addr3 addressee addrphone addrtext attention city country "
            "dropdownstate lastmodifieddate:datetime override:bool recordowner:int state zip",
        ),
        _table("dual", "dummy"),
    )
}

# Internal bookkeeping (never visible to SuiteQL).
INTERNAL_DDL: tuple[str, ...] = (
    # One row per REST record. ids are unique per id family (transactions share one id space, ...).
    "CREATE TABLE ns_record (family TEXT NOT NULL, id INTEGER NOT NULL, rtype TEXT NOT NULL, "
    "externalid TEXT, refname TEXT, body TEXT NOT NULL, locked INTEGER NOT NULL DEFAULT 0, "
    "created TEXT NOT NULL, lastmodified TEXT NOT NULL, PRIMARY KEY (family, id))",
    "CREATE UNIQUE INDEX ix_ns_record_eid ON ns_record (rtype, externalid) WHERE externalid IS NOT NULL",
    "CREATE INDEX ix_ns_record_type ON ns_record (rtype, id)",
    "CREATE TABLE ns_seq (name TEXT PRIMARY KEY, next INTEGER NOT NULL)",
    "CREATE TABLE ns_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Payment / credit applications: source transaction applies `amount` to target transaction.
    "CREATE TABLE ns_application (source INTEGER NOT NULL, target INTEGER NOT NULL, amount TEXT NOT NULL, "
    "PRIMARY KEY (source, target))",
    "CREATE INDEX ix_ns_application_target ON ns_application (target)",
)


def all_ddl() -> list[str]:
    stmts = list(INTERNAL_DDL)
    for table in TABLES.values():
        stmts.extend(table.ddl())
    stmts.append("INSERT INTO dual (dummy) VALUES ('X')")
    return stmts


def glot_schema() -> dict[str, dict[str, str]]:
    """The schema handed to sqlglot's qualifier and type annotator."""
    return {name: {c.name: _GLOT_TYPE[c.kind] for c in t.columns.values()} for name, t in TABLES.items()}
