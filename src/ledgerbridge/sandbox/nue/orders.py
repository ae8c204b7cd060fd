"""Orders and their order products: drafts from ``POST /orders``, the four line types, and the
subscriptions, assets and entitlements an activated order creates.

Line types (reference notes §1.3):

- ``LineItem`` — one product line; billable. With ``splitIntervalMonths`` it gets ``SplitItem`` children that
  show how its total splits into billing segments (informational, never billed on their own).
- ``SummaryItem`` + ``RampItem`` — a product sold in ramps (``ramps: [{term, quantity, unitPrice?}]``, e.g.
  a free first month then 11 paid months): the summary carries the whole term and total and is not billed;
  each ramp is billed for its own dates.

Only ``LineItem`` and ``RampItem`` are ever invoiced (``billable``). Activation gives every top-level
``LineItem`` and every ``SummaryItem`` one subscription (``SUB-…``), entitlement (``ENT-…``) or asset
(``AST-…``) according to the product type; the lines under it reference the same one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from . import catalog, coerce
from .errors import NueError
from .pricing import end_for_term, line_total, term_months
from .store import NueStore, Record

LINE_TYPES = ("LineItem", "RampItem", "SummaryItem", "SplitItem")
BILLABLE_LINE_TYPES = ("LineItem", "RampItem")
ORDER_TYPES = ("NewOrder", "ChangeOrder", "RenewalOrder")
ASSET_TABLES = {"Subscription": "subscriptions", "Entitlement": "entitlements", "Asset": "assets"}
ASSET_PREFIXES = {"Subscription": "SUB", "Entitlement": "ENT", "Asset": "AST"}
DEFAULT_TERM_MONTHS = 12


def new_line(
    store: NueStore,
    *,
    order: Mapping[str, Any],
    product: Record,
    entry: Record,
    line_type: str,
    quantity: Decimal,
    unit_price: Decimal,
    start: date,
    end: date | None,
    parent_id: str | None = None,
    total: Decimal | None = None,
    **extra: Any,
) -> Record:
    """One order product in wire shape; the total is priced from the dates unless given."""
    term = term_months(start, end) if end is not None else None
    line: Record = {
        "id": store.new_id("orderproduct"),
        "orderId": order["id"],
        "customerId": order["customerId"],
        "lineType": line_type,
        "parentId": parent_id,
        "productId": product["id"],
        "productName": product["name"],
        "productSku": product["sku"],
        "productType": product["productType"],
        "priceBookEntryId": entry["id"],
        "quantity": quantity,
        "listPrice": entry["listPrice"],
        "netSalesPrice": unit_price,
        "totalPrice": total
        if total is not None
        else line_total(product["productType"], quantity, unit_price, term),
        "startDate": start.isoformat(),
        "endDate": end.isoformat() if end is not None else None,
        "subscriptionTerm": term,
        "changeType": None,
        "assetType": product["productType"],
        "assetId": None,
        "assetNumber": None,
        "subscriptionId": None,
        "originalOrderId": None,
        "originalOrderProductId": None,
        "billable": line_type in BILLABLE_LINE_TYPES,
        "invoiceId": None,
        "creditMemoId": None,
        "currencyIsoCode": order["currencyIsoCode"],
    }
    line.update(extra)
    return line


def product_lines(
    store: NueStore, spec: Mapping[str, Any], where: str, *, order: Mapping[str, Any], default_start: date
) -> list[Record]:
    """The order products one ``orderProducts[]`` entry becomes (1 line, a line + splits, or a ramp)."""
    entry = catalog.price_entry_for(
        store,
        entry_id=coerce.text(spec, "priceBookEntryId", where, required=False),
        product_id=coerce.text(spec, "productId", where, required=False),
        where=where,
    )
    product = catalog.product_of(store, entry)
    kind = product["productType"]
    start = coerce.day(spec, "subscriptionStartDate", where, required=False) or default_start
    unit = coerce.amount(spec, "unitPrice", where, required=False)
    unit = entry["listPrice"] if unit is None else unit
    if unit < 0:
        raise NueError.invalid(f"{where}.unitPrice cannot be negative.", field=f"{where}.unitPrice")
    ramps = coerce.items(spec.get("ramps"), f"{where}.ramps", required=False)
    if ramps:
        if kind != "Subscription":
            raise NueError.invalid(f"{where}: only subscription products can be sold in ramps.")
        return _ramp_lines(
            store, ramps, where, order=order, product=product, entry=entry, start=start, unit=unit
        )
    quantity = coerce.required_amount(spec, "quantity", where)
    if quantity <= 0:
        raise NueError.invalid(f"{where}.quantity must be above zero.", field=f"{where}.quantity")
    end: date | None = None
    if kind != "Asset":
        months = coerce.whole(spec, "subscriptionTerm", where, required=False) or DEFAULT_TERM_MONTHS
        if months <= 0:
            raise NueError.invalid(
                f"{where}.subscriptionTerm must be above zero.", field=f"{where}.subscriptionTerm"
            )
        end = end_for_term(start, months)
    line = new_line(
        store,
        order=order,
        product=product,
        entry=entry,
        line_type="LineItem",
        quantity=quantity,
        unit_price=unit,
        start=start,
        end=end,
    )
    interval = coerce.whole(spec, "splitIntervalMonths", where, required=False)
    if interval is None:
        return [line]
    if kind != "Subscription" or end is None:
        raise NueError.invalid(f"{where}: only subscription lines can be split.")
    if interval <= 0:
        raise NueError.invalid(f"{where}.splitIntervalMonths must be above zero.")
    return [line, *_split_lines(store, line, interval, order=order, product=product, entry=entry)]


def _ramp_lines(
    store: NueStore,
    ramps: Any,
    where: str,
    *,
    order: Mapping[str, Any],
    product: Record,
    entry: Record,
    start: date,
    unit: Decimal,
) -> list[Record]:
    segments: list[tuple[date, date, Decimal, Decimal]] = []
    cursor = start
    for i, raw in enumerate(ramps):
        ramp_where = f"{where}.ramps[{i}]"
        ramp = coerce.obj(raw, ramp_where)
        months = coerce.whole(ramp, "term", ramp_where)
        assert months is not None
        quantity = coerce.required_amount(ramp, "quantity", ramp_where)
        price = coerce.amount(ramp, "unitPrice", ramp_where, required=False)
        price = unit if price is None else price
        if months <= 0 or quantity <= 0 or price < 0:
            raise NueError.invalid(
                f"{ramp_where}: term and quantity must be above zero, the price not negative."
            )
        end = end_for_term(cursor, months)
        segments.append((cursor, end, quantity, price))
        cursor = end + timedelta(days=1)
    summary = new_line(
        store,
        order=order,
        product=product,
        entry=entry,
        line_type="SummaryItem",
        quantity=segments[-1][2],
        unit_price=segments[-1][3],
        start=start,
        end=segments[-1][1],
        total=Decimal(0),
    )
    lines = [summary]
    for seg_start, seg_end, quantity, price in segments:
        lines.append(
            new_line(
                store,
                order=order,
                product=product,
                entry=entry,
                line_type="RampItem",
                quantity=quantity,
                unit_price=price,
                start=seg_start,
                end=seg_end,
                parent_id=summary["id"],
            )
        )
    summary["totalPrice"] = sum((line["totalPrice"] for line in lines[1:]), Decimal(0))
    return lines


def _split_lines(
    store: NueStore, line: Record, interval: int, *, order: Mapping[str, Any], product: Record, entry: Record
) -> list[Record]:
    start = date.fromisoformat(line["startDate"])
    end = date.fromisoformat(line["endDate"])
    splits: list[Record] = []
    cursor = start
    while cursor <= end:
        seg_end = min(end_for_term(cursor, interval), end)
        splits.append(
            new_line(
                store,
                order=order,
                product=product,
                entry=entry,
                line_type="SplitItem",
                quantity=line["quantity"],
                unit_price=line["netSalesPrice"],
                start=cursor,
                end=seg_end,
                parent_id=line["id"],
            )
        )
        cursor = seg_end + timedelta(days=1)
    # rounding per segment may leave a cent over or under: the last segment absorbs it
    difference = line["totalPrice"] - sum((s["totalPrice"] for s in splits), Decimal(0))
    splits[-1]["totalPrice"] += difference
    return splits


def order_shell(store: NueStore, customer: Record, body: Mapping[str, Any], order_type: str) -> Record:
    """An order record without lines (the caller adds ``orderProducts`` and totals)."""
    effective = coerce.day(body, "effectiveDate", "order", required=False) or store.clock.today()
    return {
        "id": store.new_id("order"),
        "orderNumber": store.next_number("ORD"),
        "name": coerce.text(body, "name", "order", required=False),
        "description": coerce.text(body, "description", "order", required=False),
        "customerId": customer["id"],
        "orderType": order_type,
        "status": "Draft",
        "effectiveDate": effective.isoformat(),
        "subscriptionStartDate": None,
        "subscriptionEndDate": None,
        "activatedDate": None,
        "canceledDate": None,
        "poNumber": coerce.text(body, "poNumber", "order", required=False),
        "totalAmount": Decimal(0),
        "currencyIsoCode": customer["currencyIsoCode"],
        "assetChanges": [],
        "orderProducts": [],
    }


def finish_totals(order: Record) -> None:
    """Order dates and total from its lines (the total counts billable lines only)."""
    lines = order["orderProducts"]
    starts = [line["startDate"] for line in lines if line["startDate"]]
    ends = [line["endDate"] for line in lines if line["endDate"]]
    order["subscriptionStartDate"] = min(starts) if starts else None
    order["subscriptionEndDate"] = max(ends) if ends else None
    order["totalAmount"] = sum((line["totalPrice"] for line in lines if line["billable"]), Decimal(0))


def customer_id_of(body: Mapping[str, Any]) -> str | None:
    customer = body.get("customer")
    if isinstance(customer, Mapping) and isinstance(customer.get("id"), str):
        return str(customer["id"])
    value = body.get("customerId")
    return value if isinstance(value, str) and value else None


def create_order(store: NueStore, payload: Any) -> Record:
    """``POST /orders``: a draft new order (``data.order``)."""
    body = coerce.obj(payload, "body")
    customer_id = customer_id_of(body)
    if customer_id is None:
        raise NueError.invalid("order.customer.id is required.", field="customer.id")
    specs = coerce.items(body.get("orderProducts"), "orderProducts")
    if not specs:
        raise NueError.invalid("An order needs at least one order product.", field="orderProducts")
    with store.lock:
        customer = catalog.require_customer(store, customer_id)
        order = order_shell(store, customer, body, "NewOrder")
        start = date.fromisoformat(order["effectiveDate"])
        for i, spec in enumerate(specs):
            where = f"orderProducts[{i}]"
            order["orderProducts"].extend(
                product_lines(store, coerce.obj(spec, where), where, order=order, default_start=start)
            )
        finish_totals(order)
        return store.insert("orders", order)


def create_assets(store: NueStore, order: Record, lines: list[Record]) -> list[Record]:
    """Give each top-level LineItem and SummaryItem among ``lines`` its subscription/entitlement/asset."""
    created: list[Record] = []
    for line in lines:
        if line["lineType"] not in ("LineItem", "SummaryItem") or line["parentId"] is not None:
            continue
        kind = line["productType"]
        number = store.next_number(ASSET_PREFIXES[kind])
        record: Record = {
            "id": store.new_id(kind.lower()),
            "name": number,
            "assetNumber": number,
            "assetType": kind,
            "customerId": order["customerId"],
            "productId": line["productId"],
            "productName": line["productName"],
            "productSku": line["productSku"],
            "priceBookEntryId": line["priceBookEntryId"],
            "quantity": line["quantity"],
            "unitPrice": line["netSalesPrice"],
            "startDate": line["startDate"],
            "endDate": line["endDate"],
            "term": line["subscriptionTerm"],
            "status": "Active",
            "orderId": order["id"],
            "orderProductId": line["id"],
            "lastOrderId": order["id"],
            "lastChangeType": None,
            "cancellationDate": None,
            "renewalCount": 0,
            "version": 1,
            "currencyIsoCode": line["currencyIsoCode"],
        }
        if kind == "Entitlement":
            record["entitlementNumber"] = number
            record["usedQuantity"] = Decimal(0)
        store.insert(ASSET_TABLES[kind], record)
        for member in lines:
            if member is line or member["parentId"] == line["id"]:
                link_line_to_asset(member, record)
        created.append(record)
    return created


def link_line_to_asset(line: Record, asset: Mapping[str, Any]) -> None:
    line["assetId"] = asset["id"]
    line["assetNumber"] = asset["assetNumber"]
    line["subscriptionId"] = asset["id"] if asset["assetType"] == "Subscription" else None


def find_asset(store: NueStore, asset_number: str) -> tuple[str, Record]:
    """The subscription, entitlement or asset with this number (``SUB-…``, ``ENT-…``, ``AST-…``)."""
    for table in ASSET_TABLES.values():
        found = store.find(table, "assetNumber", asset_number)
        if found is not None:
            return table, found
    raise NueError.rule(
        "ASSET_NOT_FOUND", f"No subscription, entitlement or asset is numbered '{asset_number}'."
    )
