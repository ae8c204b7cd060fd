"""Async batch writes against a respx fake of NetSuite's job protocol (shapes as in docs/sandbox.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx

from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.connectors.netsuite.batch import idempotency_key
from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable

from .conftest import REST, error_json, tba_settings

JOB_ROOT = "/services/rest/async/v1/job"


@dataclass
class FakeJobs:
    """Just enough of NetSuite's async batch behaviour: jobs, tasks with inline results, idempotency."""

    inline_results: bool = True
    #: polls that still see the job running before it completes
    running_polls: int = 0
    reject: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)
    submissions: list[httpx.Request] = field(default_factory=list)
    polls: int = 0

    def submit(self, request: httpx.Request) -> httpx.Response:
        self.submissions.append(request)
        key = request.headers.get("X-NetSuite-Idempotency-Key")
        if key in self.keys:
            body = error_json(
                400, "IDEMPOTENCY_ERROR", "A request with the same idempotency key is already submitted."
            )
            return httpx.Response(400, json=body, headers={"Location": f"{JOB_ROOT}/{self.keys[key]}"})
        job_id = str(len(self.jobs) + 1)
        results = []
        for item in json.loads(request.content)["items"]:
            ident = item.get("externalId") or item.get("id") or f"new-{len(self.records)}"
            if ident in self.reject:
                results.append({**self.reject[ident], "externalId": ident})
                continue
            record_id = item.get("id") or self.records.setdefault(ident, str(100 + len(self.records)))
            results.append(
                {"status": 204, "id": record_id, "location": f"{REST}/record/v1/customer/{record_id}"}
            )
        self.jobs[job_id] = results
        if key:
            self.keys[key] = job_id
        return httpx.Response(
            202, headers={"Location": f"{JOB_ROOT}/{job_id}", "Preference-Applied": "respond-async"}
        )

    def tasks(self, request: httpx.Request, job_id: str) -> httpx.Response:
        self.polls += 1
        assert request.url.params["expandSubResources"] == "true"
        completed = self.polls > self.running_polls
        items = []
        for number, result in enumerate(self.jobs[job_id], start=1):
            task: dict[str, Any] = {"id": str(number), "completed": completed, "progress": "pending"}
            if completed and self.inline_results:
                task["result"] = result
            items.append(task)
        items.reverse()  # the client must map by task id, not list order
        return httpx.Response(200, json={"count": len(items), "hasMore": False, "items": items})

    def result(self, request: httpx.Request, job_id: str, task_id: str) -> httpx.Response:
        result = self.jobs[job_id][int(task_id) - 1]
        if "o:errorDetails" in result:
            return httpx.Response(result["status"], json=result)
        return httpx.Response(204, headers={"Location": result["location"]})

    def install(self, router: respx.MockRouter, record_type: str = "customer") -> None:
        for method in ("POST", "PUT", "PATCH"):
            router.route(method=method, url=f"{REST}/record/v1/{record_type}").mock(side_effect=self.submit)
        router.get(url__regex=rf"{REST}/async/v1/job/(?P<job_id>\d+)/task(\?|$)").mock(side_effect=self.tasks)
        router.get(
            url__regex=rf"{REST}/async/v1/job/(?P<job_id>\d+)/task/(?P<task_id>\d+)/result(\?|$)"
        ).mock(side_effect=self.result)


@pytest.fixture
def fake(router: respx.MockRouter) -> FakeJobs:
    jobs = FakeJobs()
    jobs.install(router)
    return jobs


def customers(n: int, start: int = 0) -> list[tuple[str, dict[str, Any]]]:
    return [(f"C-{i:04d}", {"companyName": f"Customer {i}"}) for i in range(start, start + n)]


async def test_250_upserts_take_three_submissions(client: NetSuiteClient, fake: FakeJobs) -> None:
    fake.reject["C-0007"] = error_json(400, "USER_ERROR", "Please enter value(s) for: Subsidiary.")
    results = await client.upsert_many("customer", customers(250), idempotency_key_prefix="test")
    assert [r.index for r in results] == list(range(250))
    assert [r.external_id for r in results] == [eid for eid, _ in customers(250)]
    assert len(fake.submissions) == 3
    sizes = [len(json.loads(request.content)["items"]) for request in fake.submissions]
    assert sorted(sizes) == [50, 100, 100]
    for request in fake.submissions:
        assert request.method == "PUT"
        assert request.headers["Prefer"] == "respond-async"
        assert request.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=collection"
        assert all("externalId" in item for item in json.loads(request.content)["items"])
    failed = results[7]
    assert failed.id is None
    assert isinstance(failed.error, RecordRejected)
    assert failed.error.vendor_code == "USER_ERROR"
    assert all(r.ok for i, r in enumerate(results) if i != 7)
    assert results[8].id == fake.records["C-0008"]
    counts = client.requests_sent.as_dict()
    assert counts["write"] == 3
    assert counts["poll"] == 3  # one task listing per finished job
    assert counts["read"] == counts["query"] == counts["auth"] == 0


async def test_repeating_a_batch_follows_the_earlier_job(client: NetSuiteClient, fake: FakeJobs) -> None:
    first = await client.upsert_many("customer", customers(120))
    again = await client.upsert_many("customer", customers(120))
    assert [r.id for r in again] == [r.id for r in first]
    assert len(fake.jobs) == 2  # the replay created no job
    assert len(fake.records) == 120
    keys = [request.headers["X-NetSuite-Idempotency-Key"] for request in fake.submissions]
    assert sorted(keys[:2]) == sorted(keys[2:])


async def test_changed_payload_is_not_a_replay(client: NetSuiteClient, fake: FakeJobs) -> None:
    await client.upsert_many("customer", customers(3))
    changed = [(eid, {**body, "email": "ap@example.com"}) for eid, body in customers(3)]
    await client.upsert_many("customer", changed)
    assert len(fake.jobs) == 2


def test_idempotency_key_is_deterministic_uuid() -> None:
    items = [{"externalId": "A", "x": 1}, {"externalId": "B", "x": 2}]
    key = idempotency_key("flow-1", "customer", "PUT", items)
    assert key == idempotency_key(
        "flow-1", "Customer", "PUT", [dict(reversed(list(i.items()))) for i in items]
    )
    assert len(key) == 36 and key.count("-") == 4
    assert key != idempotency_key("flow-2", "customer", "PUT", items)
    assert key != idempotency_key("flow-1", "customer", "POST", items)
    assert key != idempotency_key("flow-1", "customer", "PUT", [items[0], {"externalId": "B", "x": 3}])


async def test_dropped_submission_is_resent_with_the_same_key(
    client: NetSuiteClient, fake: FakeJobs, router: respx.MockRouter
) -> None:
    def drop_after_commit(request: httpx.Request) -> httpx.Response:
        fake.submit(request)  # the job is created ...
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    router.put(f"{REST}/record/v1/customer").mock(side_effect=[drop_after_commit, fake.submit])
    results = await client.upsert_many("customer", customers(5))
    assert all(r.ok for r in results)
    assert len(fake.jobs) == 1  # ... and the retry followed it instead of writing again
    keys = {request.headers["X-NetSuite-Idempotency-Key"] for request in fake.submissions}
    assert len(keys) == 1
    assert client.requests_sent["write"] == 2


async def test_polls_until_the_job_completes(client: NetSuiteClient, fake: FakeJobs) -> None:
    fake.running_polls = 3
    results = await client.upsert_many("customer", customers(4))
    assert all(r.ok for r in results)
    assert client.requests_sent["poll"] == 4


async def test_results_not_inlined_are_read_per_task(client: NetSuiteClient, fake: FakeJobs) -> None:
    fake.inline_results = False
    fake.reject["C-0001"] = error_json(
        400, "USER_ERROR", "This record has been locked by a user defined workflow."
    )
    results = await client.upsert_many("customer", customers(3))
    assert results[0].ok and results[2].ok
    assert isinstance(results[1].error, ActionNeeded)
    assert client.requests_sent["poll"] == 1 + 3


async def test_bad_external_ids_and_duplicates_never_leave_the_process(
    client: NetSuiteClient, fake: FakeJobs
) -> None:
    records = [("OK-1", {"a": 1}), ("bad id", {"a": 2}), ("OK-1", {"a": 3}), ("OK-2", {"a": 4})]
    results = await client.upsert_many("customer", records)
    assert results[0].ok and results[3].ok
    assert isinstance(results[1].error, RecordRejected)
    assert results[1].error.vendor_code == "INVALID_EXTERNAL_ID"
    assert isinstance(results[2].error, RecordRejected)
    assert "more than once" in results[2].error.message
    sent = json.loads(fake.submissions[0].content)["items"]
    assert [item["externalId"] for item in sent] == ["OK-1", "OK-2"]


async def test_a_refused_chunk_fails_its_records_only(
    client: NetSuiteClient, fake: FakeJobs, router: respx.MockRouter
) -> None:
    calls: list[int] = []

    def refuse_second(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 2:
            return httpx.Response(400, json=error_json(400, "INVALID_PARAMETER", "Malformed batch body."))
        return fake.submit(request)

    router.put(f"{REST}/record/v1/customer").mock(side_effect=refuse_second)
    async with NetSuiteClient(
        tba_settings(concurrency=1), transport=httpx.MockTransport(router.async_handler)
    ) as ns:
        results = await ns.upsert_many("customer", customers(150))
    assert all(r.ok for r in results[:100])
    assert all(isinstance(r.error, RecordRejected) and r.id is None for r in results[100:])


async def test_throttled_submission_is_retried_then_reported(
    client: NetSuiteClient, fake: FakeJobs, router: respx.MockRouter
) -> None:
    router.put(f"{REST}/record/v1/customer").respond(
        429, json=error_json(429, "CONCURRENCY_LIMIT_EXCEEDED", "busy"), headers={"Retry-After": "0"}
    )
    results = await client.upsert_many("customer", customers(2))
    assert all(isinstance(r.error, Retriable) for r in results)
    assert client.requests_sent["write"] == client.settings.submit_attempts


async def test_invalid_login_stops_the_run(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.put(f"{REST}/record/v1/customer").respond(
        401, json=error_json(401, "INVALID_LOGIN", "Invalid login.")
    )
    with pytest.raises(Fatal):
        await client.upsert_many("customer", customers(2))


async def test_create_and_update_batches(client: NetSuiteClient, fake: FakeJobs) -> None:
    created = await client.create_many(
        "customer", [{"companyName": "A"}, {"companyName": "B", "externalId": "B-1"}]
    )
    assert all(r.ok for r in created)
    assert created[1].external_id == "B-1"
    assert fake.submissions[-1].method == "POST"
    updated = await client.update_many("customer", [(created[0].id or "", {"companyName": "A2"})])
    assert updated[0].ok and updated[0].id == created[0].id
    request = fake.submissions[-1]
    assert request.method == "PATCH"
    assert json.loads(request.content)["items"] == [{"companyName": "A2", "id": created[0].id}]
    rejected = await client.update_many("customer", [("abc", {"companyName": "x"})])
    assert isinstance(rejected[0].error, RecordRejected)
