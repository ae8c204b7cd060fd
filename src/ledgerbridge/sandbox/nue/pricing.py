"""Term and price arithmetic for order products, in ``Decimal``.

Subscriptions are priced per unit per month: ``total = quantity * unit price * term in months``, a partial
month counting by its days (17 days of a 31-day month are 17/31 of a month). Entitlements and assets are
one-time: ``total = quantity * unit price``. Terms are kept to 4 decimal places, totals to cents.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from ledgerbridge.money import quantize

TERM_PLACES = Decimal("0.0001")
RECURRING = "Subscription"


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, the day clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def end_for_term(start: date, months: int) -> date:
    """The last day of a term of ``months`` starting on ``start`` (12 months from Jan 1 end Dec 31)."""
    return add_months(start, months) - timedelta(days=1)


def term_months(start: date, end: date) -> Decimal:
    """Months from ``start`` through ``end`` inclusive; the part month by its days. Negative if reversed."""
    if end < start - timedelta(days=1):
        return -term_months(end + timedelta(days=1), start - timedelta(days=1))
    stop = end + timedelta(days=1)
    whole = 0
    while add_months(start, whole + 1) <= stop:
        whole += 1
    anchor = add_months(start, whole)
    if anchor == stop:
        return Decimal(whole)
    period = (add_months(start, whole + 1) - anchor).days
    fraction = Decimal((stop - anchor).days) / Decimal(period)
    return (Decimal(whole) + fraction).quantize(TERM_PLACES)


def line_total(product_type: str, quantity: Decimal, unit_price: Decimal, term: Decimal | None) -> Decimal:
    """The total of one order product (negative when the quantity or the term is)."""
    if product_type == RECURRING:
        return quantize(quantity * unit_price * (term if term is not None else Decimal(0)))
    return quantize(quantity * unit_price)
