"""Asynchronous REST jobs: ``Prefer: respond-async`` requests and batch operations (notes §1.10).

A job is a list of tasks; a task is one operation (one record of a batch, or the whole of a single async
request) that ends in an :class:`Outcome` — exactly what the synchronous call would have answered (204 +
``Location``, 200 + a document, or a NetSuite error). Tasks run one after the other in a worker thread,
each independently: one failing item does not stop the others.

Idempotency: a job submitted with ``X-NetSuite-Idempotency-Key`` owns that key for the life of the sandbox
(until ``/_sandbox/reset``); a second submission with the same key gets 400 ``IDEMPOTENCY_ERROR`` with the
first job's ``Location`` and nothing is run.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .errors import NsError
from .render import JSON, REST_ROOT, error_body, link

logger = logging.getLogger(__name__)

JOB_ROOT = f"{REST_ROOT}/async/v1/job"
TaskProgress = Literal["pending", "processing", "succeeded", "failed"]
JobProgress = Literal["pending", "processing", "succeeded", "failed", "partiallySucceeded"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one operation answered: its HTTP status, headers' worth of facts, and JSON body."""

    status: int
    body: Any = None
    location: str | None = None
    record_id: str | None = None
    external_id: str | None = None
    media_type: str = JSON

    @classmethod
    def from_error(cls, error: NsError, *, external_id: str | None = None) -> Outcome:
        return cls(status=error.status, body=error_body(error), external_id=external_id)

    @property
    def succeeded(self) -> bool:
        return self.status < 400

    def response(self) -> Response:
        """The synchronous answer."""
        headers = {"Location": self.location} if self.location else {}
        if self.body is None:
            return Response(status_code=self.status, headers=headers)
        return ExactJSONResponse(
            self.body, status_code=self.status, headers=headers, media_type=self.media_type
        )

    def summary(self) -> dict[str, Any]:
        """The task's inline ``result``: ``{"status", "id", "location", "externalId"}`` for a write,
        ``{"status", "body"}`` for a read, or the NetSuite error document (which carries ``status``)."""
        if not self.succeeded and isinstance(self.body, dict):
            result = dict(self.body)
            if self.external_id is not None:
                result["externalId"] = self.external_id
            return result
        result = {"status": self.status}
        if self.record_id is not None:
            result["id"] = self.record_id
        if self.location is not None:
            result["location"] = self.location
        if self.external_id is not None:
            result["externalId"] = self.external_id
        if self.body is not None:
            result["body"] = self.body
        return result


Operation = Callable[[], Outcome]


@dataclass(slots=True)
class Task:
    id: str
    operation: Operation | None
    external_id: str | None = None
    progress: TaskProgress = "pending"
    start_time: datetime | None = None
    end_time: datetime | None = None
    outcome: Outcome | None = None

    @property
    def completed(self) -> bool:
        return self.outcome is not None


@dataclass(slots=True)
class Job:
    id: str
    tasks: list[Task]
    created_time: datetime
    idempotency_key: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    progress: JobProgress = "pending"
    runner: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def completed(self) -> bool:
        return self.end_time is not None

    @property
    def location(self) -> str:
        """Relative, as in Oracle's example (``Location: /services/rest/async/v1/job/123456``)."""
        return f"{JOB_ROOT}/{self.id}"


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """Submission refused: the idempotency key already belongs to ``job``."""

    job: Job


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def timestamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


class JobManager:
    """Keeps every job of the sandbox run and runs them in the background."""

    def __init__(
        self, *, delay_seconds: float = 0.0, retention: int = 10_000, clock: Callable[[], datetime] = _now
    ) -> None:
        self._delay = delay_seconds
        self._retention = retention
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._keys: dict[str, str] = {}
        self._ids = itertools.count(1)

    def submit(
        self, operations: list[tuple[Operation, str | None]], *, idempotency_key: str | None = None
    ) -> Job | DuplicateKey:
        """Register a job of ``(operation, external id)`` tasks and start it; call from the event loop."""
        with self._lock:
            if idempotency_key is not None and idempotency_key in self._keys:
                return DuplicateKey(self._jobs[self._keys[idempotency_key]])
            job = Job(
                id=str(next(self._ids)),
                tasks=[
                    Task(id=str(index), operation=operation, external_id=external_id)
                    for index, (operation, external_id) in enumerate(operations, start=1)
                ],
                created_time=self._clock(),
                idempotency_key=idempotency_key,
            )
            self._jobs[job.id] = job
            if idempotency_key is not None:
                self._keys[idempotency_key] = job.id
            self._evict_oldest_completed()
        job.runner = asyncio.get_running_loop().create_task(self._run(job), name=f"netsuite-job-{job.id}")
        return job

    def _evict_oldest_completed(self) -> None:
        """Keep at most ``retention`` jobs (a long demo run must not grow without bound); the oldest
        finished jobs and their idempotency keys go first. Call with the lock held."""
        excess = len(self._jobs) - self._retention
        if excess <= 0:
            return
        for job_id in [job.id for job in self._jobs.values() if job.completed][:excess]:
            evicted = self._jobs.pop(job_id)
            if evicted.idempotency_key is not None:
                self._keys.pop(evicted.idempotency_key, None)

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NsError(404, "NONEXISTENT_ID", f"The async job {job_id} does not exist.")
        return job

    def task(self, job_id: str, task_id: str) -> Task:
        job = self.get(job_id)
        for task in job.tasks:
            if task.id == task_id:
                return task
        raise NsError(404, "NONEXISTENT_ID", f"The task {task_id} of async job {job_id} does not exist.")

    async def _run(self, job: Job) -> None:
        if self._delay:
            await asyncio.sleep(self._delay)
        job.start_time = self._clock()
        job.progress = "processing"
        for task in job.tasks:
            task.start_time = self._clock()
            task.progress = "processing"
            operation = task.operation
            outcome = await run_in_threadpool(self._execute, operation, task.external_id)
            task.outcome = outcome
            task.operation = None  # the closure holds the request body; free it
            task.progress = "succeeded" if outcome.succeeded else "failed"
            task.end_time = self._clock()
        succeeded = sum(1 for task in job.tasks if task.progress == "succeeded")
        if succeeded == len(job.tasks):
            job.progress = "succeeded"
        elif succeeded == 0:
            job.progress = "failed"
        else:
            job.progress = "partiallySucceeded"
        job.end_time = self._clock()

    @staticmethod
    def _execute(operation: Operation | None, external_id: str | None) -> Outcome:
        if operation is None:  # pragma: no cover - a task runs once
            raise RuntimeError("task already ran")
        try:
            return operation()
        except NsError as error:
            return Outcome.from_error(error, external_id=external_id)
        except Exception:
            logger.exception("async task failed unexpectedly")
            return Outcome.from_error(
                NsError(500, "UNEXPECTED_ERROR", "An unexpected error occurred while running the task."),
                external_id=external_id,
            )

    async def wait(self, job_id: str) -> Job:
        """Until the job has finished (tests and the in-process demo)."""
        job = self.get(job_id)
        if job.runner is not None:
            await asyncio.shield(job.runner)
        return job

    async def aclose(self) -> None:
        """Cancel jobs still running (server shutdown)."""
        with self._lock:
            runners = [job.runner for job in self._jobs.values() if job.runner and not job.runner.done()]
        for runner in runners:
            runner.cancel()
        for runner in runners:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner

    def reset(self) -> None:
        """Forget every job and idempotency key (running jobs are cancelled)."""
        with self._lock:
            for job in self._jobs.values():
                runner = job.runner
                if runner is not None and not runner.done():
                    # reset() may run in a worker thread; only the loop's own thread may cancel a task.
                    runner.get_loop().call_soon_threadsafe(runner.cancel)
            self._jobs.clear()
            self._keys.clear()
            self._ids = itertools.count(1)


# --- documents ------------------------------------------------------------------------------------------


def job_document(job: Job, origin: str) -> dict[str, Any]:
    """``GET /async/v1/job/{id}`` — Oracle's fields plus start/end times."""
    href = origin + job.location
    document: dict[str, Any] = {
        "links": [link("self", href)],
        "completed": job.completed,
        "id": job.id,
        "progress": job.progress,
        "task": {"links": [link("self", f"{href}/task")]},
        "createdTime": timestamp(job.created_time),
    }
    if job.start_time is not None:
        document["startTime"] = timestamp(job.start_time)
    if job.end_time is not None:
        document["endTime"] = timestamp(job.end_time)
    return document


def task_document(job: Job, task: Task, origin: str, *, with_result: bool = True) -> dict[str, Any]:
    """``GET /async/v1/job/{id}/task/{t}`` — Oracle's fields plus the inline ``result`` summary."""
    href = f"{origin}{job.location}/task/{task.id}"
    links = [link("self", href)]
    if task.completed:
        links.insert(0, link("related", f"{href}/result"))
    document: dict[str, Any] = {"links": links, "completed": task.completed, "id": task.id}
    if task.end_time is not None:
        document["endTime"] = timestamp(task.end_time)
    document["progress"] = task.progress
    if task.start_time is not None:
        document["startTime"] = timestamp(task.start_time)
    if task.external_id is not None:
        document["externalId"] = task.external_id
    if with_result and task.outcome is not None:
        document["result"] = task.outcome.summary()
    return document
