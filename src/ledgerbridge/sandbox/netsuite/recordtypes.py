"""REST record types: fields, references, sublists, filterable fields, mandatory fields, GL behaviour.

Field names are NetSuite's REST names (camelCase). Incoming names match case-insensitively
(``revrecstartdate`` = ``revRecStartDate``); bodies are written back with the canonical spelling.
Custom fields (``custbody_*``, ``custcol_*``, ``custentity_*``, ``custitem_*``, ``custrecord_*``) are
accepted on every type and stored as given.

Id families: NetSuite numbers transactions in one id space, entities (customers, vendors, employees) in
another and items in a third; every other type has its own. ``entity`` and ``item`` are also usable as
reference targets meaning "any record of that family".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FieldKind = Literal[
    "string", "integer", "number", "money", "boolean", "date", "datetime", "ref", "enum", "object"
]

CUSTOM_PREFIXES = ("custbody", "custcol", "custentity", "custitem", "custrecord", "custevent")

METADATA_BASE = "/services/rest/record/v1/metadata-catalog"
NSLINK_REF = f"{METADATA_BASE}/nsLink"


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    kind: FieldKind
    label: str = ""
    ref: tuple[str, ...] = ()
    readonly: bool = False
    filterable: bool = True
    choices: dict[str, str] = field(default_factory=dict)  # enum id -> display name

    @property
    def title(self) -> str:
        return self.label or _humanise(self.name)


@dataclass(frozen=True, slots=True)
class SublistDef:
    """A sublist. ``key`` is the field that identifies a line for PATCH merges (None = non-keyed)."""

    name: str
    fields: tuple[FieldDef, ...]
    key: str | None = "line"
    label: str = ""

    def field(self, name: str) -> FieldDef | None:
        return _lookup(self.fields, name)


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str  # canonical lower-case REST id
    family: str
    label: str
    fields: tuple[FieldDef, ...]
    sublists: tuple[SublistDef, ...] = ()
    mandatory: tuple[str, ...] = ()
    posting: bool = False  # writes GL lines
    transaction_type: str | None = None  # SuiteQL transaction.type (CustInvc, ...)
    tranid_prefix: str | None = None
    readonly: bool = False  # REST create/update/delete refused (e.g. accountingperiod)
    line_mandatory: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_transaction(self) -> bool:
        return self.family == "transaction"

    def field(self, name: str) -> FieldDef | None:
        return _lookup(self.fields, name)

    def sublist(self, name: str) -> SublistDef | None:
        lowered = name.lower()
        for sub in self.sublists:
            if sub.name.lower() == lowered:
                return sub
        return None

    def filterable(self) -> list[str]:
        return [f.name for f in self.fields if f.filterable and f.kind != "object"]


def _lookup(fields: tuple[FieldDef, ...], name: str) -> FieldDef | None:
    lowered = name.lower()
    for f in fields:
        if f.name.lower() == lowered:
            return f
    return None


def _humanise(name: str) -> str:
    out: list[str] = []
    for ch in name:
        if ch.isupper() and out:
            out.append(" ")
        out.append(ch)
    text = "".join(out)
    return text[:1].upper() + text[1:]


def is_custom(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(CUSTOM_PREFIXES)


# --- field constructors (keep the tables below readable) -----------------------------------------
def S(name: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "string", label, **kw)


def I(name: str, label: str = "", **kw: Any) -> FieldDef:  # noqa: E743 - mirrors S/M/B/D/R
    return FieldDef(name, "integer", label, **kw)


def N(name: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "number", label, **kw)


def M(name: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "money", label, **kw)


def B(name: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "boolean", label, **kw)


def D(name: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "date", label, **kw)


def DT(name: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "datetime", label, **kw)


def R(name: str, *targets: str, label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "ref", label, ref=targets, **kw)


def E(name: str, choices: dict[str, str], label: str = "", **kw: Any) -> FieldDef:
    return FieldDef(name, "enum", label, choices=choices, **kw)


def O(name: str, label: str = "", **kw: Any) -> FieldDef:  # noqa: E743
    return FieldDef(name, "object", label, filterable=False, **kw)


# --- shared pieces ---------------------------------------------------------------------------------
ACCOUNT_TYPES: dict[str, str] = {
    "AcctRec": "Accounts Receivable",
    "AcctPay": "Accounts Payable",
    "Bank": "Bank",
    "CredCard": "Credit Card",
    "OthCurrAsset": "Other Current Asset",
    "FixedAsset": "Fixed Asset",
    "OthAsset": "Other Asset",
    "OthCurrLiab": "Other Current Liability",
    "LongTermLiab": "Long Term Liability",
    "Equity": "Equity",
    "Income": "Income",
    "COGS": "Cost of Goods Sold",
    "Expense": "Expense",
    "OthIncome": "Other Income",
    "OthExpense": "Other Expense",
    "DeferRevenue": "Deferred Revenue",
    "DeferExpense": "Deferred Expense",
    "UnbilledRec": "Unbilled Receivable",
    "NonPosting": "Non Posting",
    "Stat": "Statistical",
}

STATUS_FIELD = FieldDef("status", "enum", "Status", readonly=True)


def _common(*, created: str = "createdDate") -> tuple[FieldDef, ...]:
    return (
        S("id", "Internal ID", readonly=True),
        S("externalId", "External ID"),
        DT("lastModifiedDate", "Last Modified Date", readonly=True),
        DT(created, "Date Created", readonly=True),
    )


_DIMS = (
    R("department", "department"),
    R("class", "classification", label="Class"),
    R("location", "location"),
)

_ITEM_LINE = SublistDef(
    "item",
    (
        I("line", "Line", readonly=True),
        R("item", "item"),
        N("quantity"),
        N("rate"),
        M("amount"),
        S("description"),
        M("tax1Amt", "Tax Amount"),
        *_DIMS,
        D("revRecStartDate", "Rev. Rec. Start Date"),
        D("revRecEndDate", "Rev. Rec. End Date"),
        B("isClosed", "Closed"),
        I("orderLine", "Order Line", readonly=True),
    ),
)

_APPLY = SublistDef(
    "apply",
    (
        R("doc", "transaction", label="Document"),
        B("apply"),
        M("amount", "Payment"),
        M("total", readonly=True),
        M("due", "Amount Due", readonly=True),
        S("refNum", "Ref No.", readonly=True),
        S("type", readonly=True),
        I("line", readonly=True),
    ),
    key="doc",
)


def _transaction(
    name: str,
    label: str,
    tx_type: str,
    prefix: str,
    *,
    entity: tuple[str, ...] | None,
    posting: bool,
    extra: tuple[FieldDef, ...] = (),
    sublists: tuple[SublistDef, ...] = (),
    mandatory: tuple[str, ...] = (),
    entity_field: str = "entity",
) -> RecordType:
    header = [
        *_common(),
        S("tranId", "Document Number"),
        D("tranDate", "Date"),
        R("postingPeriod", "accountingperiod", label="Posting Period"),
        R("subsidiary", "subsidiary"),
        R("currency", "currency"),
        N("exchangeRate", "Exchange Rate"),
        S("memo"),
        S("otherRefNum", "PO/Check Number"),
        *_DIMS,
        STATUS_FIELD,
        R("createdFrom", "transaction", label="Created From"),
        M("total", readonly=True),
    ]
    if entity is not None:
        header.insert(4, R(entity_field, *entity, label="Customer" if "customer" in entity else "Entity"))
    return RecordType(
        name=name,
        family="transaction",
        label=label,
        fields=(*header, *extra),
        sublists=sublists,
        mandatory=mandatory,
        posting=posting,
        transaction_type=tx_type,
        tranid_prefix=prefix,
        line_mandatory={s.name: _line_mandatory(name, s.name) for s in sublists},
    )


def _line_mandatory(record: str, sublist: str) -> tuple[str, ...]:
    if sublist == "item":
        return ("item",)
    if sublist == "expense":
        return ("account", "amount")
    if sublist == "line":
        return ("account",)
    if sublist == "apply":
        return ("doc",)
    return ()


_SALES_EXTRA = (
    M("subtotal", readonly=True),
    M("taxTotal", "Tax", readonly=True),
    R("salesRep", "entity", label="Sales Rep"),
    D("startDate", "Start Date"),
    D("endDate", "End Date"),
)

_AR_EXTRA = (
    R("account", "account", label="A/R Account"),
    D("dueDate", "Due Date"),
    M("amountRemaining", "Amount Remaining", readonly=True),
    M("amountPaid", "Amount Paid", readonly=True),
)


def _item_type(name: str, label: str, *, inventory: bool = False) -> RecordType:
    fields: list[FieldDef] = [
        *_common(),
        S("itemId", "Item Name"),
        S("displayName", "Display Name"),
        S("description", "Sales Description"),
        R("incomeAccount", "account", label="Income Account"),
        R("deferredRevenueAccount", "account", label="Deferred Revenue Account"),
        R("expenseAccount", "account", label="Expense Account"),
        R("subsidiary", "subsidiary"),
        R("taxSchedule", "taxschedule", label="Tax Schedule"),
        *_DIMS,
        B("isInactive", "Inactive"),
        S("itemType", "Item Type", readonly=True),
    ]
    if inventory:
        fields.append(R("assetAccount", "account", label="Asset Account"))
        fields.append(R("cogsAccount", "account", label="COGS Account"))
    return RecordType(name=name, family="item", label=label, fields=tuple(fields), mandatory=("itemId",))


def _list_type(name: str, label: str, *extra: FieldDef) -> RecordType:
    return RecordType(
        name=name,
        family=name,
        label=label,
        fields=(
            *_common(),
            S("name"),
            S("fullName", "Full Name", readonly=True),
            R("parent", name),
            R("subsidiary", "subsidiary"),
            B("isInactive", "Inactive"),
            B("includeChildren", "Include Children"),
            *extra,
        ),
        mandatory=("name",),
    )


_ENTITY_COMMON = (
    S("entityId", "ID"),
    S("companyName", "Company Name"),
    B("isPerson", "Type: Individual"),
    S("firstName", "First Name"),
    S("lastName", "Last Name"),
    S("email"),
    S("phone"),
    R("subsidiary", "subsidiary", label="Primary Subsidiary"),
    R("currency", "currency"),
    B("isInactive", "Inactive"),
    S("comments"),
)

_PERIOD_AMOUNTS = tuple(M(f"periodAmount{i}", f"Period {i} Amount") for i in range(1, 13))

RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        RecordType(
            name="customer",
            family="entity",
            label="Customer",
            fields=(
                *_common(created="dateCreated"),
                *_ENTITY_COMMON,
                R("parent", "customer"),
                D("startDate", "Start Date"),
                M("creditLimit", "Credit Limit"),
                R("receivablesAccount", "account", label="Default Receivables Account"),
                S("url", "Web Address"),
                M("balance", readonly=True),
            ),
            sublists=(
                SublistDef(
                    "addressBook",
                    (
                        S("label"),
                        B("defaultBilling", "Default Billing"),
                        B("defaultShipping", "Default Shipping"),
                        O("addressBookAddress", "Address"),
                    ),
                    key=None,
                ),
            ),
        ),
        RecordType(
            name="vendor",
            family="entity",
            label="Vendor",
            fields=(
                *_common(created="dateCreated"),
                *_ENTITY_COMMON,
                S("legalName", "Legal Name"),
                R("payablesAccount", "account", label="Default Payables Account"),
                R("expenseAccount", "account", label="Default Expense Account"),
                S("printOnCheckAs", "Print on Check As"),
                S("accountNumber", "Account"),
            ),
        ),
        _item_type("noninventorysaleitem", "Non-inventory Item for Sale"),
        _item_type("servicesaleitem", "Service Item for Sale"),
        _item_type("inventoryitem", "Inventory Item", inventory=True),
        _transaction(
            "salesorder",
            "Sales Order",
            "SalesOrd",
            "SO",
            entity=("customer",),
            posting=False,
            extra=_SALES_EXTRA,
            sublists=(_ITEM_LINE,),
            mandatory=("entity",),
        ),
        _transaction(
            "invoice",
            "Invoice",
            "CustInvc",
            "INV",
            entity=("customer",),
            posting=True,
            extra=(*_SALES_EXTRA, *_AR_EXTRA),
            sublists=(_ITEM_LINE,),
            mandatory=("entity",),
        ),
        _transaction(
            "creditmemo",
            "Credit Memo",
            "CustCred",
            "CM",
            entity=("customer",),
            posting=True,
            extra=(
                *_SALES_EXTRA,
                R("account", "account", label="A/R Account"),
                M("amountRemaining", "Unapplied", readonly=True),
                M("applied", readonly=True),
            ),
            sublists=(_ITEM_LINE, _APPLY),
            mandatory=("entity",),
        ),
        _transaction(
            "returnauthorization",
            "Return Authorization",
            "RtnAuth",
            "RMA",
            entity=("customer",),
            posting=False,
            extra=_SALES_EXTRA,
            sublists=(_ITEM_LINE,),
            mandatory=("entity",),
        ),
        _transaction(
            "customerpayment",
            "Customer Payment",
            "CustPymt",
            "PYMT",
            entity=("customer",),
            entity_field="customer",
            posting=True,
            extra=(
                M("payment", "Payment Amount"),
                R("account", "account", label="Account"),
                B("undepFunds", "Undeposited Funds"),
                R("arAcct", "account", label="A/R Account"),
                M("applied", readonly=True),
                M("unapplied", readonly=True),
            ),
            sublists=(_APPLY,),
            mandatory=("customer",),
        ),
        _transaction(
            "journalentry",
            "Journal Entry",
            "Journal",
            "JE",
            entity=None,
            posting=True,
            extra=(B("approved"), B("isReversal", "Reversal", readonly=True)),
            sublists=(
                SublistDef(
                    "line",
                    (
                        I("line", readonly=True),
                        R("account", "account"),
                        M("debit"),
                        M("credit"),
                        R("entity", "entity", label="Name"),
                        S("memo"),
                        *_DIMS,
                    ),
                ),
            ),
        ),
        _transaction(
            "vendorbill",
            "Vendor Bill",
            "VendBill",
            "BILL",
            entity=("vendor",),
            posting=True,
            extra=(
                R("account", "account", label="A/P Account"),
                D("dueDate", "Due Date"),
                M("amountRemaining", "Amount Remaining", readonly=True),
                M("amountPaid", "Amount Paid", readonly=True),
                M("userTotal", "Amount", readonly=True),
            ),
            sublists=(
                SublistDef(
                    "expense",
                    (
                        I("line", readonly=True),
                        R("account", "account"),
                        M("amount"),
                        S("memo"),
                        *_DIMS,
                    ),
                ),
                _ITEM_LINE,
            ),
            mandatory=("entity",),
        ),
        _transaction(
            "vendorpayment",
            "Bill Payment",
            "VendPymt",
            "VP",
            entity=("vendor",),
            posting=True,
            extra=(
                R("account", "account", label="Account"),
                R("apAcct", "account", label="A/P Account"),
            ),
            sublists=(_APPLY,),
            mandatory=("entity",),
        ),
        RecordType(
            name="budgetimport",
            family="budgetimport",
            label="Budget Import",
            fields=(
                *_common(),
                R("account", "account"),
                R("subsidiary", "subsidiary"),
                *_DIMS,
                R("category", "budgetcategory"),
                R("year", "accountingperiod", label="Year"),
                R("accountingBook", "accountingbook", label="Accounting Book"),
                R("currency", "currency"),
                R("accountingPeriod", "accountingperiod", label="Accounting Period"),
                M("amount"),
                *_PERIOD_AMOUNTS,
                M("total", readonly=True),
            ),
            mandatory=("account",),
        ),
        RecordType(
            name="budgetcategory",
            family="budgetcategory",
            label="Budget Category",
            fields=(*_common(), S("name"), B("isInactive", "Inactive")),
            mandatory=("name",),
        ),
        RecordType(
            name="accountingperiod",
            family="accountingperiod",
            label="Accounting Period",
            fields=(
                *_common(),
                S("periodName", "Period Name"),
                D("startDate", "Start Date"),
                D("endDate", "End Date"),
                B("isQuarter", "Quarter"),
                B("isYear", "Year"),
                B("isAdjust", "Adjustment"),
                B("isPosting", "Posting"),
                B("closed"),
                B("allLocked", "All Locked"),
                B("arLocked", "A/R Locked"),
                B("apLocked", "A/P Locked"),
                R("parent", "accountingperiod"),
            ),
            readonly=True,
        ),
        RecordType(
            name="subsidiary",
            family="subsidiary",
            label="Subsidiary",
            fields=(
                *_common(),
                S("name"),
                S("fullName", "Full Name", readonly=True),
                R("parent", "subsidiary"),
                R("currency", "currency"),
                S("country"),
                S("state"),
                S("legalName", "Legal Name"),
                B("isInactive", "Inactive"),
                B("isElimination", "Elimination"),
            ),
            mandatory=("name",),
        ),
        _list_type("department", "Department"),
        _list_type("classification", "Class"),
        _list_type("location", "Location"),
        RecordType(
            name="taxschedule",
            family="taxschedule",
            label="Tax Schedule",
            fields=(*_common(), S("name"), S("description"), B("isInactive", "Inactive")),
            mandatory=("name",),
        ),
        RecordType(
            name="account",
            family="account",
            label="Account",
            fields=(
                *_common(),
                S("acctNumber", "Number"),
                S("acctName", "Name"),
                E("acctType", ACCOUNT_TYPES, "Type"),
                R("parent", "account", label="Subaccount Of"),
                R("currency", "currency"),
                R("subsidiary", "subsidiary"),
                S("description"),
                B("isInactive", "Inactive"),
                B("isSummary", "Summary"),
                S("fullName", "Full Name", readonly=True),
            ),
            mandatory=("acctName", "acctType"),
        ),
        RecordType(
            name="currency",
            family="currency",
            label="Currency",
            fields=(
                *_common(),
                S("name"),
                S("symbol", "ISO Code"),
                S("displaySymbol", "Display Symbol"),
                N("exchangeRate", "Default Exchange Rate"),
                B("isBaseCurrency", "Base Currency"),
                B("isInactive", "Inactive"),
                I("currencyPrecision", "Currency Precision"),
            ),
            mandatory=("name", "symbol"),
        ),
    )
}

ITEM_TYPES = ("noninventorysaleitem", "servicesaleitem", "inventoryitem")
# SuiteQL item.itemtype for each REST item type.
ITEM_KIND = {"noninventorysaleitem": "NonInvtPart", "servicesaleitem": "Service", "inventoryitem": "InvtPart"}

FAMILIES: dict[str, tuple[str, ...]] = {}
for _rt in RECORD_TYPES.values():
    FAMILIES.setdefault(_rt.family, ())
    FAMILIES[_rt.family] = (*FAMILIES[_rt.family], _rt.name)

# Transaction status codes (SuiteQL transaction.status) and their display names per type.
STATUSES: dict[str, dict[str, str]] = {
    "SalesOrd": {
        "A": "Pending Approval",
        "B": "Pending Fulfillment",
        "C": "Cancelled",
        "F": "Pending Billing",
        "G": "Billed",
        "H": "Closed",
    },
    "CustInvc": {"A": "Open", "B": "Paid In Full", "V": "Voided"},
    "CustCred": {"A": "Open", "B": "Fully Applied", "V": "Voided"},
    "RtnAuth": {"A": "Pending Approval", "B": "Pending Receipt", "F": "Pending Refund", "H": "Closed"},
    "CustPymt": {"B": "Not Deposited", "C": "Deposited", "V": "Voided"},
    "Journal": {"A": "Pending Approval", "B": "Approved for Posting"},
    "VendBill": {"A": "Open", "B": "Paid In Full"},
    "VendPymt": {"Y": "Online Bill Pay Pending Accounting Approval", "Z": "Paid"},
}

TRANSACTION_LABEL = {rt.transaction_type: rt.label for rt in RECORD_TYPES.values() if rt.transaction_type}
ABBREV = {
    "SalesOrd": "Sales Order",
    "CustInvc": "INV",
    "CustCred": "CREDMEM",
    "RtnAuth": "RTN AUTH",
    "CustPymt": "PYMT",
    "Journal": "GENJRNL",
    "VendBill": "BILL",
    "VendPymt": "BILLPYMT",
}


def canonical(name: str) -> str | None:
    lowered = name.strip().lower()
    return lowered if lowered in RECORD_TYPES else None


def json_schema(rt: RecordType) -> dict[str, Any]:
    """The JSON Schema the metadata catalog serves for ``rt`` (``Accept: application/schema+json``)."""
    props: dict[str, Any] = {
        "links": {
            "title": "Links",
            "type": "array",
            "readOnly": True,
            "items": {"$ref": NSLINK_REF},
        }
    }
    for f in rt.fields:
        props[f.name] = _field_schema(f)
    for sub in rt.sublists:
        line_props = {"links": props["links"]} | {f.name: _field_schema(f) for f in sub.fields}
        props[sub.name] = {
            "title": sub.label or _humanise(sub.name),
            "type": "object",
            "properties": {
                "links": props["links"],
                "items": {"type": "array", "items": {"type": "object", "properties": line_props}},
                "totalResults": {"type": "integer", "format": "int64", "readOnly": True},
                "count": {"type": "integer", "format": "int64", "readOnly": True},
                "hasMore": {"type": "boolean", "readOnly": True},
                "offset": {"type": "integer", "format": "int64", "readOnly": True},
            },
        }
    required = [f for f in rt.mandatory if rt.field(f) is not None]
    schema: dict[str, Any] = {
        "type": "object",
        "title": rt.label,
        "properties": props,
        "x-ns-filterable": rt.filterable(),
    }
    if required:
        schema["required"] = required
    return schema


def _field_schema(f: FieldDef) -> dict[str, Any]:
    out: dict[str, Any] = {"title": f.title}
    if f.kind == "string":
        out["type"] = "string"
    elif f.kind == "integer":
        out |= {"type": "integer", "format": "int64"}
    elif f.kind in ("number", "money"):
        out |= {"type": "number", "format": "double"}
    elif f.kind == "boolean":
        out["type"] = "boolean"
    elif f.kind == "date":
        out |= {"type": "string", "format": "date"}
    elif f.kind == "datetime":
        out |= {"type": "string", "format": "date-time"}
    elif f.kind == "ref":
        out |= {"type": "object", "$ref": NSLINK_REF, "x-ns-ref-types": list(f.ref)}
    elif f.kind == "enum":
        out |= {
            "type": "object",
            "properties": {"id": {"type": "string", "enum": list(f.choices)}, "refName": {"type": "string"}},
        }
    else:
        out["type"] = "object"
    if f.readonly:
        out["readOnly"] = True
    out["nullable"] = True
    return out
