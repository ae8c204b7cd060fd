"""Shared route helpers: one record by id, and a paged, filtered list in the ``{status, data, pagination}``
envelope — both rendered from a snapshot taken under the store lock."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from fastapi import Request
from starlette.responses import Response

from . import billing
from .context import NueEmulator
from .envelope import success
from .errors import NueError
from .query import ListQuery, pagination, parse_query, select
from .store import Record

Render = Callable[[Record, ListQuery], Record]
INVOICE_INCLUDES = ("assets", "orders", "paymentApplications")


def invoice_renderer(nue: NueEmulator) -> Render:
    """Invoices with the related data their ``includes`` asks for (one renderer per request: the
    applications index is built once, on first use, under the store lock the listing holds)."""
    index: dict[str, list[Record]] | None = None

    def render(record: Record, query: ListQuery) -> Record:
        nonlocal index
        if "paymentApplications" in query.includes and index is None:
            index = billing.applications_by_invoice(nue.store)
        return billing.with_includes(nue.store, record, query.includes, index)

    return render


def list_response(
    nue: NueEmulator,
    request: Request,
    rows: Callable[[], Iterable[Record]],
    *,
    includes: Iterable[str] = (),
    customer_id: str | None = None,
    render: Render | None = None,
) -> Response:
    query = parse_query(request.url.query, nue.settings, allowed_includes=includes)
    with nue.store.lock:
        page, total = select(list(rows()), query, customer_id=customer_id)
        data = [render(record, query) if render else record for record in page]
        body = copy.deepcopy(data)
    return success(nue.settings, body, pagination=pagination(query, total))


def one_response(
    nue: NueEmulator,
    request: Request,
    table: str,
    key: str,
    kind: str,
    *,
    includes: Iterable[str] = (),
    customer_id: str | None = None,
    render: Render | None = None,
) -> Response:
    query = parse_query(request.url.query, nue.settings, allowed_includes=includes)
    with nue.store.lock:
        record = nue.store.require(table, key, kind)
        if customer_id is not None and record.get("customerId") != customer_id:
            raise NueError.not_found(kind, key)  # the same 404 as an unknown id: no hint that it exists
        body = copy.deepcopy(render(record, query) if render else record)
    return success(nue.settings, body)
