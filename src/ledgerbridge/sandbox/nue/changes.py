"""Change orders: ``POST /change-orders`` with ``assetChanges`` (and ``products`` to cross-sell), priced as
new order products against the existing subscriptions, entitlements and assets they change.

Change types (reference notes §1.4). ``UpdateQuantity`` and ``UpdateTerm`` are deltas (5 + 3 → 8 seats).
A change that takes something away — fewer seats, a shorter term, a cancellation, the old product of an
upgrade/downgrade/swap — is a line with a negative quantity and a negative total.

=================  ==============================================  ======================================
changeType         fields                                           lines
=================  ==============================================  ======================================
UpdateQuantity     quantity (delta), startDate                      Δqty from startDate to the end date
UpdateTerm         term (delta months)                              the added (or removed) months
Renew              renewalTerm, startDate (default: end + 1 day)    the new term at the current price
CoTerm             coTermDate (the new end date)                    the added (or removed) days
Cancel             cancellationDate (first day without service)    -qty from cancellationDate to the end
Upgrade/Downgrade  targetPriceBookEntryId or targetProductId,      -qty old product and +qty new product
/Swap              startDate                                        from startDate to the end date
=================  ==============================================  ======================================

Pricing: subscriptions per month (prorated by days); entitlements are sold per term, so changes are the
covered share of the term and term changes are free; assets are one-time and have no term (only
UpdateQuantity, Cancel and the product changes apply). ``ConvertFreeTrial`` and ``Reconfigure`` are
documented by Nue but not emulated (400). A draft remembers each asset's ``version``; activating it after the
asset changed answers 409 ``STALE_CHANGE_ORDER``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerbridge.money import quantize

from . import catalog, coerce
from .errors import NueError
from .orders import (
    ASSET_TABLES,
    create_assets,
    customer_id_of,
    find_asset,
    finish_totals,
    link_line_to_asset,
    new_line,
    order_shell,
    product_lines,
)
from .pricing import add_months, end_for_term, term_months
from .store import NueStore, Record

CHANGE_TYPES = ("UpdateQuantity", "UpdateTerm", "Renew", "CoTerm", "Cancel", "Upgrade", "Downgrade", "Swap")
NOT_EMULATED = ("ConvertFreeTrial", "Reconfigure")
PRODUCT_CHANGES = ("Upgrade", "Downgrade", "Swap")
_TERMLESS_OK = ("UpdateQuantity", "Cancel", *PRODUCT_CHANGES)
_EVENTS = {"Cancel": "canceled", "Renew": "renewed"}


def create_change_order(store: NueStore, payload: Any) -> Record:
    """A draft change (or renewal) order with its priced lines."""
    body = coerce.obj(payload, "body")
    changes = coerce.items(body.get("assetChanges"), "assetChanges", required=False)
    products = coerce.items(body.get("products"), "products", required=False)
    if not changes and not products:
        raise NueError.invalid("A change order needs assetChanges or products.", field="assetChanges")
    with store.lock:
        assets: list[tuple[Mapping[str, Any], Record]] = []
        for i, raw in enumerate(changes):
            where = f"assetChanges[{i}]"
            change = coerce.obj(raw, where)
            number = coerce.required_text(change, "assetNumber", where)
            _, asset = find_asset(store, number)
            assets.append((change, asset))
        customer_id = _customer(store, body, [asset for _, asset in assets])
        customer = catalog.require_customer(store, customer_id)
        numbers = [asset["assetNumber"] for _, asset in assets]
        repeated = next((n for n in numbers if numbers.count(n) > 1), None)
        if repeated is not None:
            raise NueError.invalid(
                f"{repeated} is changed twice; send one change per asset per change order."
            )
        types = [
            coerce.choice(c, "changeType", f"assetChanges[{i}]", CHANGE_TYPES + NOT_EMULATED)
            for i, (c, _) in enumerate(assets)
        ]
        order = order_shell(store, customer, body, "RenewalOrder" if "Renew" in types else "ChangeOrder")
        today = date.fromisoformat(order["effectiveDate"])
        for i, ((change, asset), change_type) in enumerate(zip(assets, types, strict=True)):
            where = f"assetChanges[{i}]"
            record, lines = _price_change(store, order, asset, change_type, change, where, today)
            order["assetChanges"].append(record)
            order["orderProducts"].extend(lines)
        for i, spec in enumerate(products):
            where = f"products[{i}]"
            order["orderProducts"].extend(
                product_lines(store, coerce.obj(spec, where), where, order=order, default_start=today)
            )
        finish_totals(order)
        return store.insert("orders", order)


def _customer(store: NueStore, body: Mapping[str, Any], assets: list[Record]) -> str:
    given = customer_id_of(body)
    owners = {asset["customerId"] for asset in assets}
    if len(owners) > 1:
        raise NueError.rule("CUSTOMER_MISMATCH", "All changed assets must belong to one customer.")
    if given is not None and owners and given not in owners:
        raise NueError.rule("CUSTOMER_MISMATCH", f"The changed assets do not belong to customer '{given}'.")
    if given is None and not owners:
        raise NueError.invalid("customer.id is required when only products are added.", field="customer.id")
    return given if given is not None else owners.pop()


def _price_change(
    store: NueStore,
    order: Record,
    asset: Record,
    change_type: str,
    change: Mapping[str, Any],
    where: str,
    today: date,
) -> tuple[Record, list[Record]]:
    if change_type in NOT_EMULATED:
        raise NueError.invalid(
            f"{where}: {change_type} is not supported by the sandbox.", field=f"{where}.changeType"
        )
    if asset["status"] != "Active":
        raise NueError.state(f"{asset['assetNumber']} is {asset['status']}; only active ones can be changed.")
    kind = asset["assetType"]
    if kind == "Asset" and change_type not in _TERMLESS_OK:
        raise NueError.rule("INVALID_CHANGE", f"{where}: assets have no term; {change_type} does not apply.")
    pricer = _Pricer(store, order, asset)
    record: Record = {
        "changeType": change_type,
        "assetNumber": asset["assetNumber"],
        "assetId": asset["id"],
        "assetType": kind,
        "assetVersion": asset["version"],
    }
    handler = {
        "UpdateQuantity": _update_quantity,
        "UpdateTerm": _update_term,
        "Renew": _renew,
        "CoTerm": _co_term,
        "Cancel": _cancel,
    }.get(change_type, _change_product)
    lines, result = handler(pricer, change, where, record, today)
    record["result"] = result
    for line in lines:
        line["changeType"] = change_type
    return record, lines


class _Pricer:
    """Builds change lines for one asset: its product, price, dates and original order."""

    def __init__(self, store: NueStore, order: Record, asset: Record) -> None:
        self.store = store
        self.order = order
        self.asset = asset
        self.kind: str = asset["assetType"]
        self.quantity: Decimal = asset["quantity"]
        self.unit: Decimal = asset["unitPrice"]
        self.start = date.fromisoformat(asset["startDate"])
        self.end = date.fromisoformat(asset["endDate"]) if asset["endDate"] else None
        self.term: Decimal | None = asset["term"]

    def line(
        self,
        quantity: Decimal,
        start: date,
        end: date | None,
        *,
        product: Record | None = None,
        entry: Record | None = None,
        unit: Decimal | None = None,
        free: bool = False,
    ) -> Record:
        entry = entry or self.store.require(
            "priceBookEntries", self.asset["priceBookEntryId"], "Price book entry"
        )
        product = product or self.store.require("products", self.asset["productId"], "Product")
        unit = self.unit if unit is None else unit
        total: Decimal | None = None
        if self.kind == "Entitlement" and end is not None:
            # entitlements are sold per term: a change is the share of the term it covers
            share = term_months(start, end) / self.term if self.term else Decimal(0)
            total = Decimal("0.00") if free else quantize(quantity * unit * share)
        line = new_line(
            self.store,
            order=self.order,
            product=product,
            entry=entry,
            line_type="LineItem",
            quantity=quantity,
            unit_price=unit,
            start=start,
            end=end,
            total=total,
            originalOrderId=self.asset["orderId"],
            originalOrderProductId=self.asset["orderProductId"],
        )
        link_line_to_asset(line, self.asset)
        return line

    def within_term(self, moment: date, where: str, field: str, *, allow_day_after: bool = False) -> None:
        last = self.end + timedelta(days=1) if (self.end and allow_day_after) else self.end
        if moment < self.start or (last is not None and moment > last):
            span = f"{self.start} to {last}" if last else f"on or after {self.start}"
            raise NueError.rule(
                "INVALID_DATE", f"{where}.{field} {moment} is outside {self.asset['assetNumber']} ({span})."
            )

    def require_end(self) -> date:
        assert self.end is not None  # termless assets were refused before pricing
        return self.end


def _update_quantity(
    p: _Pricer, change: Mapping[str, Any], where: str, record: Record, today: date
) -> tuple[list[Record], Record]:
    delta = coerce.required_amount(change, "quantity", where)
    start = coerce.required_day(change, "startDate", where)
    if delta == 0:
        raise NueError.invalid(f"{where}.quantity must not be zero.", field=f"{where}.quantity")
    if p.quantity + delta < 0:
        raise NueError.rule(
            "INVALID_QUANTITY", f"{where}: {p.quantity} {delta:+} leaves a negative quantity."
        )
    p.within_term(start, where, "startDate")
    record.update(quantity=delta, startDate=start.isoformat())
    return [p.line(delta, start, p.end)], {"quantity": p.quantity + delta}


def _update_term(
    p: _Pricer, change: Mapping[str, Any], where: str, record: Record, today: date
) -> tuple[list[Record], Record]:
    months = coerce.whole(change, "term", where)
    assert months is not None
    if months == 0:
        raise NueError.invalid(f"{where}.term must not be zero.", field=f"{where}.term")
    end = p.require_end()
    new_end = add_months(end + timedelta(days=1), months) - timedelta(days=1)
    if new_end < p.start:
        raise NueError.rule("INVALID_TERM", f"{where}: {months} months would end before the start date.")
    record.update(term=months)
    return _resize(p, end, new_end), _term_result(p, new_end)


def _co_term(
    p: _Pricer, change: Mapping[str, Any], where: str, record: Record, today: date
) -> tuple[list[Record], Record]:
    new_end = coerce.required_day(change, "coTermDate", where)
    end = p.require_end()
    if new_end == end:
        raise NueError.rule("INVALID_CHANGE", f"{where}: {p.asset['assetNumber']} already ends on {end}.")
    if new_end < p.start:
        raise NueError.rule("INVALID_DATE", f"{where}.coTermDate {new_end} is before the start date.")
    record.update(coTermDate=new_end.isoformat())
    return _resize(p, end, new_end), _term_result(p, new_end)


def _resize(p: _Pricer, end: date, new_end: date) -> list[Record]:
    if new_end > end:
        return [p.line(p.quantity, end + timedelta(days=1), new_end, free=True)]
    return [p.line(-p.quantity, new_end + timedelta(days=1), end, free=True)]


def _term_result(p: _Pricer, new_end: date) -> Record:
    return {"endDate": new_end.isoformat(), "term": term_months(p.start, new_end)}


def _renew(
    p: _Pricer, change: Mapping[str, Any], where: str, record: Record, today: date
) -> tuple[list[Record], Record]:
    months = coerce.whole(change, "renewalTerm", where)
    assert months is not None
    if months <= 0:
        raise NueError.invalid(f"{where}.renewalTerm must be above zero.", field=f"{where}.renewalTerm")
    end = p.require_end()
    start = coerce.day(change, "startDate", where, required=False) or end + timedelta(days=1)
    if start <= end:
        raise NueError.rule(
            "INVALID_DATE", f"{where}.startDate {start} must be after the current end date {end}."
        )
    new_end = end_for_term(start, months)
    record.update(renewalTerm=months, startDate=start.isoformat())
    line = p.line(p.quantity, start, new_end)
    if p.kind == "Entitlement":
        line["totalPrice"] = quantize(p.quantity * p.unit)  # a renewed entitlement is a whole new term
    result = {
        "endDate": new_end.isoformat(),
        "term": term_months(p.start, new_end),
        "renewalCount": p.asset["renewalCount"] + 1,
    }
    return [line], result


def _cancel(
    p: _Pricer, change: Mapping[str, Any], where: str, record: Record, today: date
) -> tuple[list[Record], Record]:
    when = coerce.required_day(change, "cancellationDate", where)
    p.within_term(when, where, "cancellationDate", allow_day_after=True)
    record.update(cancellationDate=when.isoformat())
    result: Record = {"status": "Canceled", "cancellationDate": when.isoformat()}
    if p.end is None:
        return [p.line(-p.quantity, when, None)], result
    last_day = when - timedelta(days=1)
    result.update(endDate=last_day.isoformat(), term=term_months(p.start, last_day))
    return [p.line(-p.quantity, when, p.end)], result


def _change_product(
    p: _Pricer, change: Mapping[str, Any], where: str, record: Record, today: date
) -> tuple[list[Record], Record]:
    change_type = record["changeType"]
    entry = catalog.price_entry_for(
        p.store,
        entry_id=coerce.text(change, "targetPriceBookEntryId", where, required=False),
        product_id=coerce.text(change, "targetProductId", where, required=False),
        where=where,
    )
    product = catalog.product_of(p.store, entry)
    if product["id"] == p.asset["productId"]:
        raise NueError.rule(
            "INVALID_CHANGE", f"{where}: the target is the product {p.asset['assetNumber']} has."
        )
    if product["productType"] != p.kind:
        raise NueError.rule(
            "INVALID_CHANGE", f"{where}: a {p.kind} can only change to another {p.kind} product."
        )
    new_unit: Decimal = entry["listPrice"]
    if change_type == "Upgrade" and new_unit < p.unit:
        raise NueError.rule(
            "INVALID_CHANGE", f"{where}: an upgrade must not lower the price ({p.unit} → {new_unit})."
        )
    if change_type == "Downgrade" and new_unit > p.unit:
        raise NueError.rule(
            "INVALID_CHANGE", f"{where}: a downgrade must not raise the price ({p.unit} → {new_unit})."
        )
    default_start = max(p.start, min(today, p.end)) if p.end else max(p.start, today)
    start = coerce.day(change, "startDate", where, required=False) or default_start
    p.within_term(start, where, "startDate")
    record.update(
        startDate=start.isoformat(), targetPriceBookEntryId=entry["id"], targetProductId=product["id"]
    )
    removed = p.line(-p.quantity, start, p.end)
    added = p.line(p.quantity, start, p.end, product=product, entry=entry, unit=new_unit)
    result = {
        "productId": product["id"],
        "productName": product["name"],
        "productSku": product["sku"],
        "priceBookEntryId": entry["id"],
        "unitPrice": new_unit,
    }
    return [removed, added], result


def apply_change_order(store: NueStore, order: Record) -> list[Record]:
    """Activation: apply each asset change (refusing stale drafts) and create assets for new products."""
    targets: list[tuple[str, Record, Record]] = []
    for change in order["assetChanges"]:
        table = ASSET_TABLES[change["assetType"]]
        asset = store.require(table, change["assetId"], change["assetType"])
        if asset["version"] != change["assetVersion"]:
            raise NueError(
                409,
                "STALE_CHANGE_ORDER",
                f"{asset['assetNumber']} changed after this change order was drafted; create a new one.",
            )
        if asset["status"] != "Active":
            raise NueError.state(f"{asset['assetNumber']} is {asset['status']}; it can no longer be changed.")
        targets.append((table, asset, change))
    changed: list[Record] = []
    for table, asset, change in targets:
        asset.update(change["result"])
        asset["version"] += 1
        asset["lastOrderId"] = order["id"]
        asset["lastChangeType"] = change["changeType"]
        store.touch(table, asset, event=_EVENTS.get(change["changeType"], "updated"))
        changed.append(asset)
    new_products = [line for line in order["orderProducts"] if line["changeType"] is None]
    return changed + create_assets(store, order, new_products)
