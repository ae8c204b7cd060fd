"""Batch writes through NetSuite's async REST jobs: ≤100 records per request, one outcome per record.

A batch is ``POST`` (create), ``PUT`` (upsert; every item carries ``externalId``) or ``PATCH`` (update; every
item carries ``id``) on ``/record/v1/<type>`` with ``Prefer: respond-async``, the collection content type and
a body ``{"items": [...]}``; NetSuite answers ``202`` with the job's ``Location`` (notes §1.10). The job is
polled with backoff until it completes; then every task's result is read — in one request when the server
inlines them (``.../task?expandSubResources=true``) — and mapped back to the caller's records by position.

Idempotency: each chunk carries a deterministic ``X-NetSuite-Idempotency-Key`` (a UUID derived from the
record type, the operation, the chunk's external ids and payload hashes). Re-sending a chunk — after a
dropped response, or a whole re-run — is answered ``IDEMPOTENCY_ERROR`` with the earlier job's ``Location``;
the writer follows it and reads *that* job's results, so nothing is written twice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
)

from ledgerbridge.errors import Fatal, LedgerbridgeError, RecordRejected, Retriable

from .errors import IdempotencyConflict, error_from_payload
from .record_service import record_path
from .records import ItemResult, JsonObject, RequestKind, check_external_id, id_from_location
from .session import COLLECTION_CONTENT_TYPE, NetSuiteSession, decode_json
from .wire import payload_hash

_NAMESPACE = uuid.UUID("6c1f3f0e-3b1c-5d0e-9a53-6c6564676572")  # fixed: keys must be stable across releases

_CREATE, _UPSERT, _UPDATE = "POST", "PUT", "PATCH"
_EXPAND = {"expandSubResources": "true"}
#: statuses a task-result replay may carry (the item's own outcome, not a failure of the poll)
_TASK_ERRORS = (400, 404, 409)


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    external_id: str | None
    #: the internal id for updates
    record_id: str | None
    item: JsonObject


@dataclass(frozen=True, slots=True)
class _Outcome:
    record_id: str | None
    error: LedgerbridgeError | None


def idempotency_key(prefix: str, record_type: str, method: str, items: Sequence[Mapping[str, Any]]) -> str:
    """The chunk's key: a UUID (NetSuite asks for RFC 4122) over its type, operation and items' content.

    The same records with the same payloads give the same key, so a replay is recognised; any change to a
    payload gives a new key, so a real update is not mistaken for a replay.
    """
    scope = uuid.uuid5(_NAMESPACE, prefix)
    parts = [record_type.lower(), method]
    for item in items:
        ident = item.get("externalId") or item.get("id") or ""
        parts.append(f"{ident}:{payload_hash(item)}")
    return str(uuid.uuid5(scope, "\n".join(parts)))


class _PollWait:
    """Exponential waits between polls (or submission attempts), never shorter than a server's Retry-After."""

    def __init__(self, initial: float, cap: float) -> None:
        self._initial = max(initial, 0.001)
        self._cap = cap

    def __call__(self, state: RetryCallState) -> float:
        delay = float(min(self._cap, self._initial * 2 ** (state.attempt_number - 1)))
        outcome = state.outcome
        if outcome is not None and outcome.failed:
            exc = outcome.exception()
            if isinstance(exc, Retriable) and exc.retry_after is not None:
                delay = max(delay, exc.retry_after)
        return delay


class BatchWriter:
    """Writes many records of one type through async batch jobs."""

    def __init__(self, session: NetSuiteSession) -> None:
        self._session = session
        self._settings = session.settings

    # --- public operations -------------------------------------------------------------------------
    async def upsert_many(
        self,
        record_type: str,
        records: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        idempotency_key_prefix: str = "ledgerbridge",
    ) -> list[ItemResult]:
        """Upsert ``(external_id, body)`` pairs (``PUT`` batch; ``externalId`` set on every item)."""
        entries: list[_Entry] = []
        early: dict[int, ItemResult] = {}
        seen: set[str] = set()
        for index, (external_id, body) in enumerate(records):
            try:
                check_external_id(external_id, record_type=record_type)
            except RecordRejected as exc:
                early[index] = ItemResult(index=index, external_id=external_id, error=exc)
                continue
            if external_id in seen:
                early[index] = ItemResult(
                    index=index,
                    external_id=external_id,
                    error=RecordRejected(
                        f"external id {external_id!r} appears more than once in one batch; only the first "
                        "occurrence is sent",
                        vendor_code="DUPLICATE_IN_BATCH",
                    ),
                )
                continue
            seen.add(external_id)
            entries.append(_Entry(index, external_id, None, {**body, "externalId": external_id}))
        return await self._run(record_type, _UPSERT, entries, early, len(records), idempotency_key_prefix)

    async def create_many(
        self,
        record_type: str,
        bodies: Sequence[Mapping[str, Any]],
        *,
        idempotency_key_prefix: str = "ledgerbridge",
    ) -> list[ItemResult]:
        """Create records (``POST`` batch). Bodies with an ``externalId`` have it checked first."""
        entries: list[_Entry] = []
        early: dict[int, ItemResult] = {}
        for index, body in enumerate(bodies):
            raw = body.get("externalId")
            external_id = str(raw) if raw is not None else None
            if external_id is not None:
                try:
                    check_external_id(external_id, record_type=record_type)
                except RecordRejected as exc:
                    early[index] = ItemResult(index=index, external_id=external_id, error=exc)
                    continue
            entries.append(_Entry(index, external_id, None, dict(body)))
        return await self._run(record_type, _CREATE, entries, early, len(bodies), idempotency_key_prefix)

    async def update_many(
        self,
        record_type: str,
        records: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        idempotency_key_prefix: str = "ledgerbridge",
    ) -> list[ItemResult]:
        """Update ``(internal_id, body)`` pairs (``PATCH`` batch; ``id`` set on every item)."""
        entries: list[_Entry] = []
        early: dict[int, ItemResult] = {}
        for index, (record_id, body) in enumerate(records):
            raw = body.get("externalId")
            external_id = str(raw) if raw is not None else None
            if not str(record_id).isdigit():
                early[index] = ItemResult(
                    index=index,
                    external_id=external_id,
                    error=RecordRejected(f"not a NetSuite internal id: {record_id!r}"),
                )
                continue
            entries.append(_Entry(index, external_id, str(record_id), {**body, "id": str(record_id)}))
        return await self._run(record_type, _UPDATE, entries, early, len(records), idempotency_key_prefix)

    # --- machinery -----------------------------------------------------------------------------------
    async def _run(
        self,
        record_type: str,
        method: str,
        entries: list[_Entry],
        early: dict[int, ItemResult],
        total: int,
        prefix: str,
    ) -> list[ItemResult]:
        size = self._settings.batch_size
        chunks = [entries[start : start + size] for start in range(0, len(entries), size)]
        gate = asyncio.Semaphore(self._settings.concurrency)

        async def run_chunk(chunk: list[_Entry]) -> list[ItemResult]:
            async with gate:
                return await self._chunk(record_type, method, chunk, prefix)

        # Every chunk runs to its end even if another fails: their effects are real and must be reported.
        done = await asyncio.gather(*(run_chunk(chunk) for chunk in chunks), return_exceptions=True)
        results = dict(early)
        for outcome in done:
            if isinstance(outcome, BaseException):
                raise outcome  # Fatal (credentials, broken contract) stops the run
            for item in outcome:
                results[item.index] = item
        return [results[index] for index in range(total)]

    async def _chunk(
        self, record_type: str, method: str, chunk: list[_Entry], prefix: str
    ) -> list[ItemResult]:
        items = [entry.item for entry in chunk]
        key = idempotency_key(prefix, record_type, method, items)
        try:
            job_url = await self._submit(record_type, method, items, key)
            outcomes = await self._results(job_url, len(chunk))
        except Fatal:
            raise
        except LedgerbridgeError as exc:
            # The chunk as a whole failed (after retries): every record in it carries the same error.
            return [ItemResult(e.index, e.external_id, None, exc) for e in chunk]
        return [
            ItemResult(
                index=entry.index,
                external_id=entry.external_id,
                id=(outcome.record_id or entry.record_id) if outcome.error is None else None,
                error=outcome.error,
            )
            for entry, outcome in zip(chunk, outcomes, strict=True)
        ]

    async def _submit(self, record_type: str, method: str, items: list[JsonObject], key: str) -> str:
        """Send one chunk; the job's URL. Retriable failures are retried with the same key (safe: a
        duplicate only points us at the earlier job)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Retriable),
            stop=stop_after_attempt(self._settings.submit_attempts),
            wait=_PollWait(self._settings.poll_initial_seconds * 10, self._settings.poll_max_seconds),
            reraise=True,
        )
        headers = {"Prefer": "respond-async", "X-NetSuite-Idempotency-Key": key}
        async for attempt in retrying:
            with attempt:
                try:
                    response = await self._session.send(
                        RequestKind.WRITE,
                        method,
                        record_path(record_type),
                        json={"items": items},
                        content_type=COLLECTION_CONTENT_TYPE,
                        headers=headers,
                    )
                except IdempotencyConflict as conflict:
                    if conflict.job_location:
                        return str(conflict.job_location)  # already submitted: read that job
                    raise
                location = response.headers.get("Location")
                if response.status_code != 202 or not location:
                    raise Fatal(
                        f"NetSuite batch {method} {record_type}: expected 202 Accepted with a job "
                        f"Location, got HTTP {response.status_code}",
                        hint="the account or base_url does not support asynchronous batch requests",
                    )
                return str(location)
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying returns or raises

    async def _results(self, job_url: str, expected: int) -> list[_Outcome]:
        """Wait for the job to finish, then every item's outcome in submission order.

        Polling reads the job's task collection with ``expandSubResources=true``: one request says whether
        every task has completed *and* carries each task's result, so a finished job costs one poll.
        """
        await asyncio.sleep(self._settings.poll_initial_seconds)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Retriable) | retry_if_result(lambda tasks: tasks is None),
            stop=stop_after_delay(self._settings.poll_timeout_seconds),
            wait=_PollWait(self._settings.poll_initial_seconds, self._settings.poll_max_seconds),
            retry_error_callback=self._poll_gave_up,
        )
        tasks: list[JsonObject] = await retrying(self._finished_tasks, job_url, expected)
        tasks_url = f"{_job_path(job_url)}/task"
        outcomes: list[_Outcome] = []
        for task in tasks:
            result = task.get("result")
            if not isinstance(result, dict):
                # This server does not inline results: one request per task (Oracle's documented path).
                result = await self._task_result(f"{tasks_url}/{task['id']}/result")
            outcomes.append(_outcome(result))
        return outcomes

    async def _finished_tasks(self, job_url: str, expected: int) -> list[JsonObject] | None:
        """Every task of the job in item order once all have completed; ``None`` while any is running."""
        tasks_url = f"{_job_path(job_url)}/task"
        tasks: list[JsonObject] = []
        offset = 0
        while True:
            params = {**_EXPAND, "offset": str(offset)} if offset else _EXPAND
            listing = await self._get_listing(tasks_url, params)
            page = [task for task in listing.get("items", []) if isinstance(task, dict)]
            tasks.extend(page)
            if not listing.get("hasMore") or not page:
                break
            offset += len(page)
        if len(tasks) < expected or not all(task.get("completed") for task in tasks):
            return None
        if len(tasks) > expected:
            raise Fatal(f"NetSuite async job {job_url} has {len(tasks)} tasks for {expected} records")
        # Task t is item t-1 of the request (1-based ids); order by id rather than trusting list order.
        return sorted(tasks, key=lambda task: _task_number(task, tasks))

    def _poll_gave_up(self, state: RetryCallState) -> Any:
        outcome = state.outcome
        if outcome is not None and outcome.failed:
            exc = outcome.exception()
            if isinstance(exc, LedgerbridgeError) and not isinstance(exc, Retriable):
                raise exc
        raise Retriable(
            f"NetSuite async job did not complete within {self._settings.poll_timeout_seconds:.0f} s",
            hint="the job keeps running in NetSuite; a retry with the same records follows the same job",
        )

    async def _get_listing(self, url: str, params: Mapping[str, str]) -> JsonObject:
        body = await self._session.send_json(RequestKind.POLL, "GET", url, params=params)
        if not isinstance(body, dict):
            raise Retriable(f"NetSuite answered GET {url} without a JSON object")
        return body

    async def _task_result(self, url: str) -> JsonObject:
        """A task's replayed response (204 + Location, 200 + document, or the item's NetSuite error)."""
        response = await self._session.send(RequestKind.POLL, "GET", url, allow=_TASK_ERRORS)
        body = decode_json(response)
        result: JsonObject = dict(body) if isinstance(body, dict) else {}
        result.setdefault("status", response.status_code)
        if response.headers.get("Location"):
            result.setdefault("location", response.headers["Location"])
        return result


def _job_path(job_url: str) -> str:
    return job_url.split("?", 1)[0].rstrip("/")


def _task_number(task: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]) -> int:
    ident = str(task.get("id", ""))
    return int(ident) if ident.isdigit() else list(tasks).index(task) + 1


def _outcome(result: Mapping[str, Any]) -> _Outcome:
    """One task result: a write's ``{id, location}`` / record body, or NetSuite's error JSON."""
    status = result.get("status")
    if "o:errorDetails" in result:
        code = int(status) if isinstance(status, int | str) and str(status).isdigit() else 400
        return _Outcome(None, error_from_payload(code, result, where="NetSuite batch item"))
    record_id = result.get("id")
    if record_id is None:
        record_id = id_from_location(str(result.get("location") or result.get("Location") or "") or None)
    if record_id is None:
        return _Outcome(None, RecordRejected("NetSuite batch item: the task result names no record"))
    return _Outcome(str(record_id), None)
