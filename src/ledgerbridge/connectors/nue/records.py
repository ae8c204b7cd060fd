"""Typed records of the Nue connector, parsed from Nue's camelCase JSON.

Amounts and quantities are ``Decimal`` (the wire decoder never produces a float), dates are ``date`` and
timestamps aware ``datetime``. Unknown fields are kept (``model_extra``): tenants add custom fields, and
custom fields on order products flow on to subscriptions (reference notes §1.3). Enumerations parse into
``StrEnum`` members where the value is known and stay plain strings otherwise, so a new Nue status never
breaks a read.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ledgerbridge.money import Money


class NueModel(BaseModel):
    """Base of every parsed shape: camelCase on the wire, snake_case in Python, extra fields kept."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True)


class NueRecord(NueModel):
    """A top-level Nue record with its id and stamps."""

    id: str
    created_date: datetime | None = None
    last_modified_date: datetime | None = None

    @property
    def position(self) -> tuple[datetime, str]:
        """Where this record sits in an incremental read: ``(lastModifiedDate, id)``."""
        if self.last_modified_date is None:
            raise ValueError(f"{type(self).__name__} {self.id} has no lastModifiedDate")
        return (self.last_modified_date, self.id)


# --- enumerations ---------------------------------------------------------------------------------------


class ProductType(StrEnum):
    """Decides the NetSuite item record type (subscription → non-inventory, entitlement → service,
    asset → inventory; reference notes §1.8)."""

    SUBSCRIPTION = "Subscription"
    ENTITLEMENT = "Entitlement"
    ASSET = "Asset"


class LineType(StrEnum):
    LINE_ITEM = "LineItem"
    RAMP_ITEM = "RampItem"
    SUMMARY_ITEM = "SummaryItem"
    SPLIT_ITEM = "SplitItem"


#: the only line types an ERP ever receives (summary and split lines would double count)
TRANSFERABLE_LINE_TYPES = frozenset({LineType.LINE_ITEM, LineType.RAMP_ITEM})


class ChangeType(StrEnum):
    UPDATE_QUANTITY = "UpdateQuantity"
    UPDATE_TERM = "UpdateTerm"
    RENEW = "Renew"
    CO_TERM = "CoTerm"
    CANCEL = "Cancel"
    UPGRADE = "Upgrade"
    DOWNGRADE = "Downgrade"
    SWAP = "Swap"
    CONVERT_FREE_TRIAL = "ConvertFreeTrial"
    RECONFIGURE = "Reconfigure"


class OrderType(StrEnum):
    NEW = "NewOrder"
    CHANGE = "ChangeOrder"
    RENEWAL = "RenewalOrder"


class OrderStatus(StrEnum):
    DRAFT = "Draft"
    ACTIVATED = "Activated"
    CANCELED = "Canceled"


class InvoiceStatus(StrEnum):
    DRAFT = "Draft"
    ACTIVE = "Active"
    CANCELED = "Canceled"


class PaymentStatus(StrEnum):
    OPEN = "Open"
    PARTIALLY_PAID = "PartiallyPaid"
    PAID = "Paid"
    CANCELED = "Canceled"


class CreditMemoStatus(StrEnum):
    DRAFT = "Draft"
    ACTIVE = "Active"
    PARTIALLY_APPLIED = "PartiallyApplied"
    APPLIED = "Applied"
    CANCELED = "Canceled"


E = TypeVar("E", bound=StrEnum)
#: a known value parses into the enum, an unknown one stays a string (a new Nue value never breaks a read)
Open = Annotated[E | str, Field(union_mode="left_to_right")]


# --- customers and catalog -------------------------------------------------------------------------------


class Customer(NueRecord):
    """A billing account. ``customer_since`` set is what makes it ready to mirror into the ERP."""

    name: str
    account_number: str | None = None
    record_type: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    customer_since: date | None = None
    currency_iso_code: str = "USD"
    payment_term: str | None = None
    billing_address: dict[str, Any] | None = None
    status: str | None = None


class Product(NueRecord):
    name: str
    sku: str | None = None
    product_type: Open[ProductType]
    description: str | None = None
    product_category: str | None = None
    price_model: str | None = None
    billing_period: str | None = None
    uom: str | None = None
    status: str | None = None


class PriceBookEntry(NueRecord):
    product_id: str
    list_price: Decimal
    name: str | None = None
    price_book_id: str | None = None
    product_sku: str | None = None
    currency_iso_code: str = "USD"
    billing_period: str | None = None
    active: bool = True


# --- orders ------------------------------------------------------------------------------------------------


class OrderProduct(NueRecord):
    """One order line. Change lines carry the change type and the subscription/asset/entitlement they
    change, plus the order that originally created it (where an ERP appends the change)."""

    order_id: str
    line_type: Open[LineType]
    quantity: Decimal
    total_price: Decimal
    customer_id: str | None = None
    parent_id: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    product_sku: str | None = None
    product_type: Open[ProductType] | None = None
    price_book_entry_id: str | None = None
    list_price: Decimal | None = None
    net_sales_price: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    subscription_term: Decimal | None = None
    change_type: Open[ChangeType] | None = None
    asset_type: str | None = None
    asset_id: str | None = None
    asset_number: str | None = None
    subscription_id: str | None = None
    original_order_id: str | None = None
    original_order_product_id: str | None = None
    invoice_id: str | None = None
    credit_memo_id: str | None = None
    billable: bool | None = None
    currency_iso_code: str = "USD"

    @property
    def is_transferable(self) -> bool:
        """LineItem or RampItem: the only lines an ERP receives."""
        return self.line_type in TRANSFERABLE_LINE_TYPES

    @property
    def amount(self) -> Money:
        return Money(self.total_price, self.currency_iso_code)


class AssetChange(NueModel):
    """One requested change of a change order, as Nue recorded it."""

    change_type: Open[ChangeType]
    asset_number: str
    asset_id: str | None = None
    asset_type: str | None = None
    quantity: Decimal | None = None
    term: int | None = None
    renewal_term: int | None = None
    start_date: date | None = None
    co_term_date: date | None = None
    cancellation_date: date | None = None
    target_price_book_entry_id: str | None = None
    target_product_id: str | None = None


class Order(NueRecord):
    """A new, change or renewal order with its order products."""

    customer_id: str
    order_type: Open[OrderType] = OrderType.NEW
    status: Open[OrderStatus]
    order_number: str | None = None
    name: str | None = None
    description: str | None = None
    effective_date: date | None = None
    subscription_start_date: date | None = None
    subscription_end_date: date | None = None
    activated_date: date | None = None
    po_number: str | None = None
    total_amount: Decimal = Decimal(0)
    currency_iso_code: str = "USD"
    order_products: list[OrderProduct] = Field(default_factory=list)
    asset_changes: list[AssetChange] = Field(default_factory=list)

    @property
    def transferable_lines(self) -> list[OrderProduct]:
        return [line for line in self.order_products if line.is_transferable]

    @property
    def is_negative(self) -> bool:
        """A change that takes more away than it adds (an ERP return authorization)."""
        return self.total_amount < 0

    @property
    def total(self) -> Money:
        return Money(self.total_amount, self.currency_iso_code)


class ChangeOrder(Order):
    """An order of type ChangeOrder or RenewalOrder (``/change-orders``)."""

    @property
    def change_types(self) -> set[str]:
        return {str(change.change_type) for change in self.asset_changes}

    @property
    def is_renewal(self) -> bool:
        return self.order_type == OrderType.RENEWAL


# --- subscriptions, entitlements, assets ------------------------------------------------------------------


class AssetRecord(NueRecord):
    """What an activated order line created: a subscription, an entitlement or an asset."""

    asset_number: str
    asset_type: Open[ProductType]
    customer_id: str
    quantity: Decimal
    status: str
    name: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    product_sku: str | None = None
    price_book_entry_id: str | None = None
    unit_price: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    term: Decimal | None = None
    order_id: str | None = None
    order_product_id: str | None = None
    last_order_id: str | None = None
    last_change_type: str | None = None
    cancellation_date: date | None = None
    renewal_count: int = 0
    version: int | None = None
    currency_iso_code: str = "USD"


class Subscription(AssetRecord):
    pass


class Entitlement(AssetRecord):
    entitlement_number: str | None = None
    used_quantity: Decimal | None = None


class Asset(AssetRecord):
    pass


# --- invoices and credit memos ----------------------------------------------------------------------------


class InvoiceItemDetail(NueModel):
    """The order product an invoice item bills, and the subscription and original order behind it."""

    id: str
    amount: Decimal
    order_id: str | None = None
    order_product_id: str | None = None
    original_order_id: str | None = None
    original_order_product_id: str | None = None
    invoice_item_id: str | None = None
    invoice_id: str | None = None
    change_type: Open[ChangeType] | None = None
    line_type: Open[LineType] | None = None
    subscription_id: str | None = None
    asset_id: str | None = None
    asset_number: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None


class InvoiceItem(NueModel):
    id: str
    amount: Decimal
    product_id: str | None = None
    product_name: str | None = None
    product_sku: str | None = None
    product_type: Open[ProductType] | None = None
    asset_type: str | None = None
    asset_id: str | None = None
    asset_number: str | None = None
    subscription_id: str | None = None
    quantity: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    details: list[InvoiceItemDetail] = Field(default_factory=list, alias="invoiceItemDetails")


class Application(NueRecord):
    """A payment or credit memo applied to an invoice (``applicationType`` says which; an ``Unapply``
    has a negative amount). ``duplicate`` marks an answer replayed for an idempotency key seen before."""

    invoice_id: str
    amount: Decimal
    application_type: str | None = None
    name: str | None = None
    invoice_name: str | None = None
    customer_id: str | None = None
    applied_date: date | None = None
    idempotency_key: str | None = None
    status: str | None = None
    duplicate: bool = False


class PaymentApplication(Application):
    payment_id: str | None = None


class CreditApplication(Application):
    credit_memo_id: str
    credit_memo_name: str | None = None


class Invoice(NueRecord):
    """An invoice with its items and item details (and its applications when asked for)."""

    customer_id: str
    status: Open[InvoiceStatus]
    amount: Decimal
    balance: Decimal
    name: str | None = None
    payment_status: Open[PaymentStatus] | None = None
    order_ids: list[str] = Field(default_factory=list)
    invoice_date: date | None = None
    due_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    amount_without_tax: Decimal | None = None
    tax_amount: Decimal | None = None
    currency_iso_code: str = "USD"
    is_catch_up: bool = False
    activated_date: date | None = None
    cancellation_date: date | None = None
    items: list[InvoiceItem] = Field(default_factory=list, alias="invoiceItems")
    payment_applications: list[dict[str, Any]] | None = None

    @property
    def total(self) -> Money:
        return Money(self.amount, self.currency_iso_code)

    @property
    def open_balance(self) -> Money:
        return Money(self.balance, self.currency_iso_code)

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    @property
    def details(self) -> list[InvoiceItemDetail]:
        return [detail for item in self.items for detail in item.details]

    def applications(self) -> list[PaymentApplication | CreditApplication]:
        """The applications included with ``includes=paymentApplications`` (empty if not asked for)."""
        found: list[PaymentApplication | CreditApplication] = []
        for raw in self.payment_applications or ():
            if raw.get("creditMemoId"):
                found.append(CreditApplication.model_validate(raw))
            else:
                found.append(PaymentApplication.model_validate(raw))
        return found


class CreditMemoItem(NueModel):
    id: str
    amount: Decimal
    description: str | None = None
    credit_memo_id: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    order_id: str | None = None
    order_product_id: str | None = None
    original_order_id: str | None = None
    subscription_id: str | None = None
    asset_id: str | None = None
    asset_number: str | None = None
    change_type: Open[ChangeType] | None = None
    quantity: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None


class CreditMemo(NueRecord):
    customer_id: str
    status: Open[CreditMemoStatus]
    amount: Decimal
    balance: Decimal
    name: str | None = None
    tax_amount: Decimal | None = None
    credit_memo_date: date | None = None
    source: str | None = None
    source_invoice_id: str | None = None
    order_ids: list[str] = Field(default_factory=list)
    currency_iso_code: str = "USD"
    activated_date: date | None = None
    cancellation_date: date | None = None
    idempotency_key: str | None = None
    duplicate: bool = False
    items: list[CreditMemoItem] = Field(default_factory=list, alias="creditMemoItems")

    @property
    def total(self) -> Money:
        return Money(self.amount, self.currency_iso_code)


class Payment(NueRecord):
    customer_id: str
    amount: Decimal
    name: str | None = None
    payment_date: date | None = None
    payment_source: str | None = None
    payment_method: str | None = None
    payment_reference: str | None = None
    status: str | None = None
    application_ids: list[str] = Field(default_factory=list)


# --- change feed ------------------------------------------------------------------------------------------


class Event(NueModel):
    """One change: ``<object>.<action>`` (``invoice.activated``) with the record as it was after it."""

    id: str
    sequence: int
    type: str
    created_date: datetime
    object_type: str | None = None
    object_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Webhook(NueRecord):
    url: str
    event_types: list[str] = Field(default_factory=lambda: ["*"])
    active: bool = True
    signed: bool = False
    last_delivered_sequence: int | None = None
