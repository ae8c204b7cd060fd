"""Run an operation now (synchronous REST) or as a job (``Prefer: respond-async``), the same way for all.

Every route turns its request into an :data:`Operation` — a blocking function returning the
:class:`Outcome` — and hands it here, so async execution, batching and idempotency behave identically
across record writes, reads and SuiteQL.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .context import NetSuiteEmulator
from .jobs import DuplicateKey, Operation
from .params import idempotency_key, wants_async
from .render import idempotency_error


async def execute(
    request: Request, ns: NetSuiteEmulator, operation: Operation, *, external_id: str | None = None
) -> Response:
    """Synchronously: run in a worker thread and answer its outcome (NsError propagates to the
    handler). With ``Prefer: respond-async``: submit a one-task job and answer 202."""
    if wants_async(request):
        return submit(request, ns, [(operation, external_id)])
    outcome = await run_in_threadpool(operation)
    return outcome.response()


def submit(
    request: Request, ns: NetSuiteEmulator, operations: list[tuple[Operation, str | None]]
) -> Response:
    """202 + ``Location`` of the new job, or 400 IDEMPOTENCY_ERROR naming the job that owns the key."""
    result = ns.jobs.submit(operations, idempotency_key=idempotency_key(request))
    if isinstance(result, DuplicateKey):
        return idempotency_error(result.job.location)
    return Response(
        status_code=202, headers={"Location": result.location, "Preference-Applied": "respond-async"}
    )
