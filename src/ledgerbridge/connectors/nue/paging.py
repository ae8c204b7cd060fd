"""Reading Nue lists page by page, and incrementally from a cursor without losing a record.

Nue lists page by ``page``/``limit`` and filter by any field (``lastModifiedDate>=...``; notes §1.5).
Offset paging over a list ordered by modification time loses records: one modified mid-read moves to the
end, the rest shift left, and the next page starts one record too far. So :func:`keyset_rows` asks for
``lastModifiedDate >= <moment>`` ordered by ``(lastModifiedDate, id)`` and always reads page 1, moving the
moment to the last record of each full page and skipping what it has already passed. A record modified
mid-read gets a later stamp and is met again further on. Only when a whole page shares one stamp does it step
to page 2, 3, … of that moment.

:func:`scan_rows` is the fallback for a tenant that ignores the sort or the filter: it reads every page in
the default (creation) order — stable under updates — and sorts locally.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

Row = dict[str, Any]
#: a query term ``(field, operator, value)``: ``("page", "=", "2")``, ``("lastModifiedDate", ">=", "...")``
Term = tuple[str, str, str]
Params = list[Term]
#: fetch one page: the query terms → (rows, total matching)
Fetch = Callable[[Params], Awaitable[tuple[list[Row], int | None]]]
Position = tuple[datetime, str]

LAST_MODIFIED = "lastModifiedDate"


def timestamp(moment: datetime) -> str:
    """A filter value in Nue's form: UTC, milliseconds, ``Z``; rounded down, so ``>=`` includes the moment."""
    if moment.tzinfo is None:
        raise ValueError("incremental reads need a timezone-aware datetime")
    utc = moment.astimezone(UTC)
    return (
        utc.replace(microsecond=utc.microsecond // 1000 * 1000)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def since_filter(moment: datetime) -> Term:
    """``lastModifiedDate>=<moment>``."""
    return (LAST_MODIFIED, ">=", timestamp(moment))


def position(row: Row) -> Position:
    raw = row.get(LAST_MODIFIED)
    if not isinstance(raw, str):
        raise ValueError(f"record {row.get('id')!r} has no {LAST_MODIFIED}")
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment, str(row.get("id", "")))


def _after(row: Row, since: Position | None) -> bool:
    return since is None or position(row) > since


async def pages(fetch: Fetch, base: Sequence[Term], page_size: int) -> AsyncIterator[list[Row]]:
    """Every page of a list in the server's order, until a short page (or the stated total)."""
    page = 1
    seen = 0
    while True:
        rows, total = await fetch([*base, ("page", "=", str(page)), ("limit", "=", str(page_size))])
        if rows:
            yield rows
        seen += len(rows)
        if len(rows) < page_size or (total is not None and seen >= total):
            return
        page += 1


async def keyset_rows(
    fetch: Fetch,
    *,
    since: Position | None,
    page_size: int,
    sort_param: str,
    filters: Sequence[Term] = (),
) -> AsyncIterator[Row]:
    """Rows changed after ``since`` in ``(lastModifiedDate, id)`` order (see the module docstring)."""
    moment = since[0] if since is not None else None
    passed = since
    page = 1
    while True:
        params: Params = [
            *filters,
            (sort_param, "=", LAST_MODIFIED),
            ("page", "=", str(page)),
            ("limit", "=", str(page_size)),
        ]
        if moment is not None:
            params.insert(0, since_filter(moment))
        rows, _ = await fetch(params)
        for row in rows:
            if _after(row, passed):
                passed = position(row)
                yield row
        if len(rows) < page_size:
            return
        last = position(rows[-1])[0]
        if moment is not None and last <= moment:
            page += 1  # a whole page at one stamp: step through that stamp's pages
        else:
            moment, page = last, 1


async def scan_rows(
    fetch: Fetch,
    *,
    since: Position | None,
    page_size: int,
    use_filter: bool,
    filters: Sequence[Term] = (),
) -> AsyncIterator[Row]:
    """Rows changed after ``since``, read in full and sorted locally by ``(lastModifiedDate, id)``."""
    base: Params = list(filters)
    if use_filter and since is not None:
        base.insert(0, since_filter(since[0]))
    found: dict[str, Row] = {}
    async for rows in pages(fetch, base, page_size):
        for row in rows:
            if _after(row, since):
                found[str(row.get("id"))] = row
    for row in sorted(found.values(), key=position):
        yield row
