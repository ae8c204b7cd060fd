"""Imports (Import key): push a CSV into a saved configuration, trigger a pipeline, wait for the report.

A push is asynchronous: Pigment answers ``{"importId"}`` at once and the file is processed afterwards.
``wait_for_import`` polls the v1 status with the detailed report, backing off exponentially (tenacity),
and never treats ``Completed`` as success before checking the skip counts (notes §2.3).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, retry_if_result, stop_after_delay
from tenacity.wait import wait_exponential

from ledgerbridge.errors import Fatal, Retriable
from ledgerbridge.log import get_logger

from .config import ImportLayout
from .counts import RequestKind
from .csvwrite import encode_rows
from .errors import ImportFailedError, ImportTimeoutError, SkippedRowsError
from .gate import PushGate
from .records import ImportReport, parse_import_report
from .session import PigmentSession

_V1 = "/api/v1"
_log = get_logger("ledgerbridge.connectors.pigment")


def _import_id(body: Any, what: str) -> str:
    if not isinstance(body, Mapping) or not isinstance(body.get("importId"), str):
        raise Fatal(f"Pigment answered {what} without an importId (a broken contract)")
    return str(body["importId"])


async def _aiter(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    # httpx streams an async iterator as the request body (chunked on HTTP/1.1, DATA frames on HTTP/2)
    for chunk in chunks:
        yield chunk


async def push_csv(
    session: PigmentSession,
    gate: PushGate,
    configuration_id: str,
    layout: ImportLayout,
    rows: Iterable[Mapping[str, object]],
    *,
    name: str | None = None,
) -> str:
    """Send ``rows`` as one CSV file in ``layout``; return the import id.

    The first row is checked before the request is opened; a later invalid row aborts the upload, so
    Pigment never receives a partial file. Nothing is retried here: ``rows`` is consumed.
    """
    label = repr(name) if name else configuration_id
    iterator = iter(rows)
    first = next(iterator, None)
    chunks = encode_rows(_chain(first, iterator), layout, label)
    # encode the header and first row now: a mismatch is reported before any push slot or request is used
    head = next(chunks) + (next(chunks, b"") if first is not None else b"")
    what = f"the CSV push to import configuration {label}"

    def body() -> Iterable[bytes]:
        yield head
        yield from chunks

    async with gate.slot(configuration_id):
        response = await session.send_json(
            RequestKind.IMPORT,
            "Import",
            "POST",
            f"{_V1}/import/push/csv",
            what,
            params={"configurationId": configuration_id},
            content=_aiter(body()),
            headers={"Content-Type": "text/csv; charset=utf-8"},
        )
    import_id = _import_id(response, what)
    _log.info("pigment csv pushed", extra={"configuration_id": configuration_id, "import_id": import_id})
    return import_id


def _chain(
    first: Mapping[str, object] | None, rest: Iterable[Mapping[str, object]]
) -> Iterable[Mapping[str, object]]:
    if first is None:
        return
    yield first
    yield from rest


async def trigger_import(session: PigmentSession, configuration_id: str) -> str:
    """Run an integration import or a list/metric data copy (``POST /api/v1/import/trigger``)."""
    what = f"triggering import configuration {configuration_id}"
    body = await session.send_json(
        RequestKind.IMPORT,
        "Import",
        "POST",
        f"{_V1}/import/trigger",
        what,
        params={"configurationId": configuration_id},
    )
    return _import_id(body, what)


async def import_status(session: PigmentSession, import_id: str) -> ImportReport:
    """One status read, with the detailed report (filled once the import is Completed)."""
    body = await session.send_json(
        RequestKind.POLL,
        "Import",
        "GET",
        f"{_V1}/import/{quote(import_id, safe='')}/status",
        f"reading the status of import {import_id}",
        params={"includedDetailedReport": "true"},
    )
    return parse_import_report(body)


def _still_running(report: ImportReport) -> bool:
    return report.status == "InProgress"


async def wait_for_import(
    session: PigmentSession,
    import_id: str,
    *,
    allow_skipped: bool = False,
    max_wait: float | None = None,
) -> ImportReport:
    """Poll until the import ends; return its report, or raise.

    Raises :class:`ImportFailedError` on ``Failed``, :class:`SkippedRowsError` when any row was skipped
    (unless ``allow_skipped``), :class:`ImportTimeoutError` when still running
    after ``max_wait`` seconds.
    A transient error while polling (429, 5xx, network) is waited out, honouring ``Retry-After``.
    """
    settings = session.settings
    limit = max_wait if max_wait is not None else settings.poll_timeout_seconds
    backoff = wait_exponential(multiplier=settings.poll_initial_seconds, max=settings.poll_max_seconds)

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        if state.outcome is not None and state.outcome.failed:
            exc = state.outcome.exception()
            if isinstance(exc, Retriable) and exc.retry_after is not None:
                delay = max(delay, exc.retry_after)
        return float(delay)

    retrying = AsyncRetrying(
        retry=retry_if_result(_still_running) | retry_if_exception_type(Retriable),
        wait=wait,
        stop=stop_after_delay(limit),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
    report: ImportReport | None = await retrying(import_status, session, import_id)
    if report is None or report.status == "InProgress":
        raise ImportTimeoutError(import_id, limit)
    return check_report(report, allow_skipped=allow_skipped)


def check_report(report: ImportReport, *, allow_skipped: bool = False) -> ImportReport:
    """Apply the policy to a finished report: Failed and skipped rows raise."""
    if report.status == "Failed":
        raise ImportFailedError(report)
    if not report.detailed:
        raise Fatal(
            f"Pigment completed import {report.import_id} without the detailed report it was asked for, "
            "so skipped rows cannot be ruled out (a broken contract)"
        )
    if report.skipped and not allow_skipped:
        raise SkippedRowsError(report)
    return report
