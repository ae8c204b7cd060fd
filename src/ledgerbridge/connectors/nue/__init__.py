"""The Nue connector: incremental reads of Nue's billing records, keyed payment and credit applications,
credit memos and cancellations.

Public surface (everything else is an implementation detail of this package):

- :class:`NueClient` — the one object flows use (``client.py``)
- :class:`NueSettings` (``config.py``)
- records (``records.py``): :class:`Customer`, :class:`Product`, :class:`PriceBookEntry`, :class:`Order`,
  :class:`OrderProduct`, :class:`ChangeOrder`, :class:`AssetChange`, :class:`Subscription`,
  :class:`Entitlement`, :class:`Asset`, :class:`Invoice`, :class:`InvoiceItem`, :class:`InvoiceItemDetail`,
  :class:`CreditMemo`, :class:`CreditMemoItem`, :class:`Payment`, :class:`PaymentApplication`,
  :class:`CreditApplication`, :class:`Event`, :class:`Webhook` and their enumerations
- writes (``writes.py``): :class:`PaymentRequest`, :class:`CreditRequest`, :class:`CreditMemoRequest`,
  :class:`CreditMemoLine`, :class:`PaymentResult`, :class:`CreditResult`, :class:`FeedPage`
- :func:`idempotency_key` (``keys.py``), :func:`parse_error`, :class:`DuplicateRequest`,
  :class:`CursorExpired` (``errors.py``), :class:`RequestCounts`, :class:`RequestKind` (``counts.py``),
  :func:`build_transport` (``session.py``)
"""

from .client import NueClient
from .config import MAX_PAGE_SIZE, NueSettings
from .counts import RequestCounts, RequestKind
from .errors import CursorExpired, DuplicateRequest, parse_error
from .keys import idempotency_key
from .records import (
    TRANSFERABLE_LINE_TYPES,
    Application,
    Asset,
    AssetChange,
    AssetRecord,
    ChangeOrder,
    ChangeType,
    CreditApplication,
    CreditMemo,
    CreditMemoItem,
    CreditMemoStatus,
    Customer,
    Entitlement,
    Event,
    Invoice,
    InvoiceItem,
    InvoiceItemDetail,
    InvoiceStatus,
    LineType,
    Order,
    OrderProduct,
    OrderStatus,
    OrderType,
    Payment,
    PaymentApplication,
    PaymentStatus,
    PriceBookEntry,
    Product,
    ProductType,
    Subscription,
    Webhook,
)
from .session import build_transport
from .writes import (
    CreditMemoLine,
    CreditMemoRequest,
    CreditRequest,
    CreditResult,
    FeedPage,
    PaymentRequest,
    PaymentResult,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "TRANSFERABLE_LINE_TYPES",
    "Application",
    "Asset",
    "AssetChange",
    "AssetRecord",
    "ChangeOrder",
    "ChangeType",
    "CreditApplication",
    "CreditMemo",
    "CreditMemoItem",
    "CreditMemoLine",
    "CreditMemoRequest",
    "CreditMemoStatus",
    "CreditRequest",
    "CreditResult",
    "CursorExpired",
    "Customer",
    "DuplicateRequest",
    "Entitlement",
    "Event",
    "FeedPage",
    "Invoice",
    "InvoiceItem",
    "InvoiceItemDetail",
    "InvoiceStatus",
    "LineType",
    "NueClient",
    "NueSettings",
    "Order",
    "OrderProduct",
    "OrderStatus",
    "OrderType",
    "Payment",
    "PaymentApplication",
    "PaymentRequest",
    "PaymentResult",
    "PaymentStatus",
    "PriceBookEntry",
    "Product",
    "ProductType",
    "RequestCounts",
    "RequestKind",
    "Subscription",
    "Webhook",
    "build_transport",
    "idempotency_key",
    "parse_error",
]
