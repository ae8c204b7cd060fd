"""Async jobs: ``/services/rest/async/v1/job/...`` (notes §1.10; shapes in docs/sandbox.md).

==============================================  ============================================================
GET /job/{id}                                   ``{links, completed, id, progress, task:{links}, createdTime,
                                                startTime?, endTime?}``; progress: pending | processing |
                                                succeeded | failed | partiallySucceeded
GET /job/{id}/task                              the task collection ``{links, count, hasMore, offset,
                                                totalResults, items:[{links:[self], id}]}``;
                                                ``?expandSubResources=true`` inlines every task *with its
                                                result* — all outcomes of a batch in one request
GET /job/{id}/task/{t}                          ``{links:[related→result, self], completed, endTime, id,
                                                progress, startTime, externalId?, result?}``
GET /job/{id}/task/{t}/result                   the task's original response, replayed: 204 + Location,
                                                200 + document, or the NetSuite error with its status
==============================================  ============================================================

Task ``t`` of a batch is item ``t - 1`` of the request's ``items`` array (1-based, in order).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .context import NetSuiteEmulator, emulator, require_login
from .errors import NsError
from .jobs import JOB_ROOT, job_document, task_document
from .params import bool_param, int_param
from .render import COLLECTION, SINGULAR, base_url, page_links

router = APIRouter(prefix=JOB_ROOT, dependencies=[Depends(require_login)])


@router.get("/{job_id}")
async def get_job(job_id: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    job = ns.jobs.get(job_id)
    return ExactJSONResponse(job_document(job, base_url(request.url)), media_type=SINGULAR)


@router.get("/{job_id}/task")
@router.get("/{job_id}/task/")
async def list_tasks(job_id: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    job = ns.jobs.get(job_id)
    origin = base_url(request.url)
    limit = int_param(request, "limit", ns.settings.max_page_size, minimum=1)
    offset = int_param(request, "offset", 0)
    expand = bool_param(request, "expandSubResources")
    page = job.tasks[offset : offset + limit]
    has_more = offset + len(page) < len(job.tasks)
    items = [
        task_document(job, task, origin)
        if expand
        else {"links": [{"rel": "self", "href": f"{origin}{job.location}/task/{task.id}"}], "id": task.id}
        for task in page
    ]
    params = {"expandSubResources": "true"} if expand else {}
    document = {
        "links": page_links(
            f"{origin}{job.location}/task",
            params,
            limit=limit,
            offset=offset,
            reachable=len(job.tasks),
            has_more=has_more,
        ),
        "count": len(items),
        "hasMore": has_more,
        "offset": offset,
        "totalResults": len(job.tasks),
        "items": items,
    }
    return ExactJSONResponse(document, media_type=COLLECTION)


@router.get("/{job_id}/task/{task_id}")
async def get_task(
    job_id: str, task_id: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    job = ns.jobs.get(job_id)
    task = ns.jobs.task(job_id, task_id)
    return ExactJSONResponse(task_document(job, task, base_url(request.url)), media_type=SINGULAR)


@router.get("/{job_id}/task/{task_id}/result")
async def get_task_result(job_id: str, task_id: str, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    task = ns.jobs.task(job_id, task_id)
    if task.outcome is None:
        raise NsError(
            404,
            "NONEXISTENT_ID",
            f"The task {task_id} of async job {job_id} has not finished; no result yet.",
        )
    return task.outcome.response()
