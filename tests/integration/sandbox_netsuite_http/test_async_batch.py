"""Async requests, batch operations, per-item outcomes and idempotency keys (notes §1.10)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ledgerbridge.sandbox.netsuite.app import create_app
from ledgerbridge.sandbox.netsuite.context import NetSuiteEmulator
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings
from tests.support.servers import serve

from .support import COLLECTION, customer, ns_error, tba_auth, wait_for_job

ASYNC = {"Prefer": "respond-async"}


def _batch_headers(key: str | None = None) -> dict[str, str]:
    headers = {**ASYNC, "Content-Type": COLLECTION}
    if key is not None:
        headers["X-NetSuite-Idempotency-Key"] = key
    return headers


def _customer_count(ns: NetSuiteEmulator) -> int:
    return ns.store.list("customer", limit=1000, offset=0)[1]


def _tasks(client: httpx.Client, job_location: str) -> list[dict[str, Any]]:
    """All task outcomes of a job in ONE request."""
    url = client.base_url.copy_with(path=f"{job_location}/task")
    page = client.get(url, params={"expandSubResources": "true"}).json()
    assert page["hasMore"] is False
    return list(page["items"])


def test_single_async_create_runs_as_a_one_task_job(client: httpx.Client, base_url: str) -> None:
    response = client.post("/record/v1/customer", json=customer("Async Co"), headers=ASYNC)

    assert response.status_code == 202
    assert response.headers["preference-applied"] == "respond-async"
    location = response.headers["location"]
    assert location.startswith("/services/rest/async/v1/job/")
    job = wait_for_job(client, location)
    assert (job["progress"], job["completed"]) == ("succeeded", True)
    assert job["task"]["links"][0]["href"] == f"{base_url}{location}/task"

    task = client.get(client.base_url.copy_with(path=f"{location}/task/1")).json()
    assert task["progress"] == "succeeded"
    assert [link["rel"] for link in task["links"]] == ["related", "self"]
    record_location = task["result"]["location"]
    assert task["result"]["status"] == 204
    # the result resource replays the original answer: 204 + Location
    replay = client.get(task["links"][0]["href"])
    assert (replay.status_code, replay.headers["location"]) == (204, record_location)
    assert client.get(record_location).json()["companyName"] == "Async Co"


def test_async_read_keeps_the_document_as_the_result(client: httpx.Client) -> None:
    created = client.post("/record/v1/customer", json=customer("Readable"))
    response = client.get(created.headers["location"], headers=ASYNC)

    assert response.status_code == 202
    wait_for_job(client, response.headers["location"])
    result = client.get(client.base_url.copy_with(path=response.headers["location"] + "/task/1/result"))
    assert result.json()["companyName"] == "Readable"


def test_batch_upsert_maps_every_item_to_its_outcome(client: httpx.Client, ns: NetSuiteEmulator) -> None:
    items = [
        customer("Batch One", externalId="B-1"),
        customer("Batch Two", externalId="B-2") | {"subsidiary": {"id": "999"}},  # bad reference
        customer("Batch Three", externalId="B-3"),
        customer("No External Id"),
    ]

    response = client.put(
        "/record/v1/customer", json={"items": items}, headers=_batch_headers(str(uuid.uuid4()))
    )

    assert response.status_code == 202
    job = wait_for_job(client, response.headers["location"])
    assert job["progress"] == "partiallySucceeded"
    tasks = _tasks(client, response.headers["location"])
    assert [task["id"] for task in tasks] == ["1", "2", "3", "4"]
    assert [task["externalId"] for task in tasks[:3]] == ["B-1", "B-2", "B-3"]
    assert [task["progress"] for task in tasks] == ["succeeded", "failed", "succeeded", "failed"]
    ok = tasks[0]["result"]
    assert ok["status"] == 204 and ok["externalId"] == "B-1"
    assert client.get(ok["location"]).json()["externalId"] == "B-1"
    failed = tasks[1]["result"]
    assert failed["status"] == 400
    assert failed["o:errorDetails"][0]["o:errorCode"] == "INVALID_KEY_OR_REF"
    assert tasks[3]["result"]["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    assert _customer_count(ns) == 2


def test_duplicate_idempotency_key_points_at_the_first_job_and_changes_nothing(
    client: httpx.Client, ns: NetSuiteEmulator
) -> None:
    key = str(uuid.uuid4())
    items = [customer(f"Idem {n}", externalId=f"I-{n}") for n in range(3)]
    first = client.post("/record/v1/customer", json={"items": items}, headers=_batch_headers(key))
    wait_for_job(client, first.headers["location"])
    count = _customer_count(ns)

    # header names are case-insensitive
    again = client.post(
        "/record/v1/customer",
        json={"items": items},
        headers={**ASYNC, "Content-Type": COLLECTION, "x-netsuite-IDEMPOTENCY-key": key},
    )

    ns_error(again, 400, "IDEMPOTENCY_ERROR")
    body = again.json()
    assert (body["title"], body["type"]) == (
        "Conflict",
        "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10",
    )
    assert again.headers["location"] == first.headers["location"]
    assert _customer_count(ns) == count == 3


def test_batch_update_and_delete(client: httpx.Client, ns: NetSuiteEmulator) -> None:
    ids = [
        client.post("/record/v1/customer", json=customer(f"U{n}")).headers["location"].rsplit("/", 1)[1]
        for n in range(2)
    ]

    update = client.patch(
        "/record/v1/customer",
        json={"items": [{"id": ids[0], "companyName": "Renamed"}, {"companyName": "no id"}]},
        headers=_batch_headers(),
    )
    wait_for_job(client, update.headers["location"])
    outcomes = [task["progress"] for task in _tasks(client, update.headers["location"])]

    assert outcomes == ["succeeded", "failed"]
    assert client.get(f"/record/v1/customer/{ids[0]}").json()["companyName"] == "Renamed"
    delete = client.request(
        "DELETE", "/record/v1/customer", json={"items": [{"id": ids[1]}]}, headers=_batch_headers()
    )
    assert wait_for_job(client, delete.headers["location"])["progress"] == "succeeded"
    assert _customer_count(ns) == 1


def test_a_250_record_upsert_takes_three_submissions(
    client: httpx.Client, control: httpx.Client, ns: NetSuiteEmulator
) -> None:
    records = [customer(f"Bulk {n}", externalId=f"BULK-{n:04d}") for n in range(250)]
    control.post("/reset")

    jobs = []
    for start in range(0, 250, 100):
        chunk = records[start : start + 100]
        response = client.put(
            "/record/v1/customer", json={"items": chunk}, headers=_batch_headers(str(uuid.uuid4()))
        )
        assert response.status_code == 202
        jobs.append(response.headers["location"])
    outcomes = []
    for location in jobs:
        wait_for_job(client, location)
        outcomes += _tasks(client, location)

    assert [task["externalId"] for task in outcomes] == [record["externalId"] for record in records]
    assert all(task["result"]["status"] == 204 for task in outcomes)
    assert _customer_count(ns) == 250
    by_route = control.get("/stats").json()["requests_by_route"]
    assert by_route["PUT /services/rest/record/v1/{record_type}"] == 3


@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        ({"items": [customer("x")] * 101}, _batch_headers(), "INVALID_PARAMETER"),
        ({"items": []}, _batch_headers(), "INVALID_PARAMETER"),
        ({"items": ["not an object"]}, _batch_headers(), "INVALID_PARAMETER"),
        ({"items": [customer("x")]}, {"Content-Type": COLLECTION}, "INVALID_PARAMETER"),
    ],
)
def test_bad_batches_are_refused_whole(
    client: httpx.Client, ns: NetSuiteEmulator, body: dict[str, Any], headers: dict[str, str], code: str
) -> None:
    ns_error(client.post("/record/v1/customer", json=body, headers=headers), 400, code)
    assert _customer_count(ns) == 0


def test_put_on_the_collection_without_a_batch_body(client: httpx.Client) -> None:
    ns_error(client.put("/record/v1/customer", json=customer("x")), 400, "USER_ERROR")


def test_unknown_job_and_task(client: httpx.Client) -> None:
    ns_error(client.get("/async/v1/job/999"), 404, "NONEXISTENT_ID")


def test_jobs_stay_pending_for_the_configured_delay() -> None:
    settings = EmulatorSettings(seed="empty", async_job_delay_seconds=0.5)
    with (
        serve(create_app(settings)) as url,
        httpx.Client(base_url=url + "/services/rest", auth=tba_auth(settings)) as http,
    ):
        response = http.post("/record/v1/customer", json=customer("Later"), headers=ASYNC)
        job = http.get(http.base_url.copy_with(path=response.headers["location"])).json()
        assert (job["completed"], job["progress"]) == (False, "pending")
        tasks = http.get(http.base_url.copy_with(path=response.headers["location"] + "/task/1/result"))
        ns_error(tasks, 404, "NONEXISTENT_ID")
        assert wait_for_job(http, response.headers["location"])["progress"] == "succeeded"


def test_old_jobs_and_their_keys_leave_the_retention_window() -> None:
    settings = EmulatorSettings(seed="empty", async_job_retention=2)
    with (
        serve(create_app(settings)) as url,
        httpx.Client(base_url=url + "/services/rest", auth=tba_auth(settings)) as http,
    ):
        locations = []
        for n in range(3):
            response = http.post(
                "/record/v1/customer",
                json=customer(f"Kept {n}"),
                headers={**ASYNC, "X-NetSuite-Idempotency-Key": f"key-{n}"},
            )
            wait_for_job(http, response.headers["location"])
            locations.append(response.headers["location"])

        ns_error(http.get(http.base_url.copy_with(path=locations[0])), 404, "NONEXISTENT_ID")
        assert http.get(http.base_url.copy_with(path=locations[2])).status_code == 200
        reused = http.post(
            "/record/v1/customer",
            json=customer("Again"),
            headers={**ASYNC, "X-NetSuite-Idempotency-Key": "key-0"},
        )
        assert reused.status_code == 202
        duplicate = http.post(
            "/record/v1/customer",
            json=customer("Again"),
            headers={**ASYNC, "X-NetSuite-Idempotency-Key": "key-2"},
        )
        ns_error(duplicate, 400, "IDEMPOTENCY_ERROR")
