"""The client over respx: error mapping, report parsing, polling, push bodies, export truncation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from ledgerbridge.connectors.pigment import (
    ColumnMismatchError,
    ImportFailedError,
    ImportLayout,
    PigmentClient,
    PigmentSettings,
    SkippedRowsError,
    TruncatedExportError,
)
from ledgerbridge.connectors.pigment.errors import DEFAULT_RETRY_AFTER, ImportTimeoutError
from ledgerbridge.connectors.pigment.records import parse_import_report
from ledgerbridge.errors import ConfigError, Fatal, RecordRejected, Retriable

BASE = "https://pigment.test"
KEY = "import-key-secret-value-123"
LAYOUT = ImportLayout(columns=("Month", "Amount"), delimiter=";")


def settings(**extra: Any) -> PigmentSettings:
    values: dict[str, Any] = {
        "base_url": f"{BASE}/api",
        "import_key": KEY,
        "export_key": "export-key-secret-value-456",
        "metadata_key": "metadata-key-secret-789",
        "import_layouts": {"cfg-1": LAYOUT},
        "poll_initial_seconds": 0.001,
        "poll_max_seconds": 0.002,
        "poll_timeout_seconds": 5.0,
    }
    values.update(extra)
    return PigmentSettings(**values)


def report(
    status: str, *, skipped: list[dict[str, Any]] | None = None, detailed: bool = True
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "importId": "imp-1",
        "createdAt": "2026-06-15T10:00:00Z",
        "completedAt": None if status == "InProgress" else "2026-06-15T10:00:02Z",
        "importStatus": status,
        "errorsDetails": [{"name": "HeaderMismatch", "description": "missing Amount"}]
        if status == "Failed"
        else None,
        "detailedReport": None,
    }
    if status == "Completed" and detailed:
        entries = skipped or []
        body["detailedReport"] = {
            "blockType": "Metric",
            "summary": {
                "insertedCount": 3,
                "updatedCount": 1,
                "deletedCount": 0,
                "skippedCount": sum(e["count"] for e in entries),
            },
            "impactedBlocks": [
                {
                    "blockId": "b-1",
                    "scenarioId": None,
                    "insertedCount": 3,
                    "updatedCount": 1,
                    "deletedCount": 0,
                    "skippedData": entries,
                }
            ],
            "autoCreatedDimensionModalities": [{"blockId": "b-2", "count": 2}],
        }
    return body


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (400, {}, RecordRejected),
        (404, {}, RecordRejected),
        (413, {}, RecordRejected),
        (422, {}, RecordRejected),
        (401, {}, Fatal),
        (403, {}, Fatal),
        (405, {}, Fatal),
        (429, {"Retry-After": "17"}, Retriable),
        (500, {}, Retriable),
        (503, {}, Retriable),
    ],
)
@respx.mock
async def test_each_status_maps_to_its_class(
    status: int, headers: dict[str, str], kind: type[Exception]
) -> None:
    respx.get(f"{BASE}/api/v1/applications").mock(
        return_value=httpx.Response(status, text=f"server says {status}", headers=headers)
    )
    async with PigmentClient(settings()) as client:
        with pytest.raises(kind) as caught:
            await client.list_applications()
    error = caught.value
    assert type(error) is kind
    if status == 429:
        assert isinstance(error, Retriable) and error.retry_after == 17.0
    if status in (400, 404, 413, 422):
        assert f"server says {status}" in str(error)
    if status in (401, 403):
        assert "ModelingMetadata" in str(error)


@respx.mock
async def test_429_without_retry_after_waits_the_five_minute_window_and_transport_errors_retry() -> None:
    respx.get(f"{BASE}/api/v1/applications").mock(
        side_effect=[httpx.Response(429), httpx.ConnectError("refused")]
    )
    async with PigmentClient(settings()) as client:
        with pytest.raises(Retriable) as caught:
            await client.list_applications()
        assert caught.value.retry_after == DEFAULT_RETRY_AFTER
        with pytest.raises(Retriable, match="ConnectError"):
            await client.list_applications()


@respx.mock
async def test_server_text_never_leaks_a_key() -> None:
    respx.get(f"{BASE}/api/v1/import/imp-1/status").mock(
        return_value=httpx.Response(400, text=f"bad key {KEY}")
    )
    async with PigmentClient(settings()) as client:
        with pytest.raises(RecordRejected) as caught:
            await client.import_status("imp-1")
    assert KEY not in str(caught.value)


def test_report_parsing() -> None:
    skipped = [{"count": 2, "reason": "ParsingError", "sourceColumnName": "Amount", "samples": ["1,2", "x"]}]
    parsed = parse_import_report(report("Completed", skipped=skipped))
    assert (parsed.inserted, parsed.updated, parsed.deleted, parsed.skipped) == (3, 1, 0, 2)
    assert parsed.detailed and parsed.block_type == "Metric"
    assert parsed.skip_reasons[0].samples == ("1,2", "x") and parsed.skip_reasons[0].block_id == "b-1"
    assert parsed.auto_created == (("b-2", 2),)
    failed = parse_import_report(report("Failed"))
    assert failed.errors[0].name == "HeaderMismatch" and failed.completed_at is not None
    with pytest.raises(Fatal):
        parse_import_report({"importId": "x", "createdAt": "2026-01-01T00:00:00Z", "importStatus": "Done"})


@respx.mock
async def test_wait_polls_through_in_progress_and_transient_errors() -> None:
    route = respx.get(f"{BASE}/api/v1/import/imp-1/status").mock(
        side_effect=[
            httpx.Response(200, json=report("InProgress")),
            httpx.Response(503),
            httpx.Response(200, json=report("Completed")),
        ]
    )
    async with PigmentClient(settings()) as client:
        done = await client.wait_for_import("imp-1")
        assert client.requests_sent["poll"] == 3
    assert done.status == "Completed" and done.inserted == 3
    assert route.calls[0].request.url.params["includedDetailedReport"] == "true"


@respx.mock
async def test_wait_raises_on_failed_skipped_missing_detail_and_timeout() -> None:
    skipped = [
        {
            "count": 1,
            "reason": "MissingModalitySkippedDataRow",
            "sourceColumnName": "Account",
            "samples": ["9999"],
        }
    ]
    route = respx.get(f"{BASE}/api/v1/import/imp-1/status")
    async with PigmentClient(settings()) as client:
        route.mock(return_value=httpx.Response(200, json=report("Failed")))
        with pytest.raises(ImportFailedError, match="missing Amount"):
            await client.wait_for_import("imp-1")
        route.mock(return_value=httpx.Response(200, json=report("Completed", skipped=skipped)))
        with pytest.raises(SkippedRowsError) as caught:
            await client.wait_for_import("imp-1")
        assert (
            caught.value.samples == ("9999",) and caught.value.vendor_code == "MissingModalitySkippedDataRow"
        )
        assert (await client.wait_for_import("imp-1", allow_skipped=True)).skipped == 1
        route.mock(return_value=httpx.Response(200, json=report("Completed", detailed=False)))
        with pytest.raises(Fatal, match="detailed report"):
            await client.wait_for_import("imp-1")
        route.mock(return_value=httpx.Response(200, json=report("InProgress")))
        with pytest.raises(ImportTimeoutError) as timed_out:
            await client.wait_for_import("imp-1", max_wait=0.05)
        assert timed_out.value.import_id == "imp-1"


@respx.mock
async def test_push_sends_the_exact_csv_as_text_csv_with_the_import_key() -> None:
    route = respx.post(f"{BASE}/api/v1/import/push/csv").mock(
        return_value=httpx.Response(200, json={"importId": "imp-9"})
    )
    rows = [{"Month": "Jan 26", "Amount": Decimal("1.10")}, {"Amount": Decimal(-2), "Month": "Feb 26"}]
    async with PigmentClient(settings()) as client:
        assert await client.push_csv("cfg-1", rows) == "imp-9"
        assert client.requests_sent["import"] == 1
    request = route.calls[0].request
    assert request.content == b"Month;Amount\nJan 26;1.10\nFeb 26;-2\n"
    assert request.headers["Content-Type"].startswith("text/csv")
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.url.params["configurationId"] == "cfg-1"


@respx.mock
async def test_push_refuses_bad_rows_and_unknown_layouts_without_a_request() -> None:
    route = respx.post(f"{BASE}/api/v1/import/push/csv").mock(
        return_value=httpx.Response(200, json={"importId": "x"})
    )
    async with PigmentClient(settings(metadata_key=None)) as client:
        with pytest.raises(ColumnMismatchError):
            await client.push_csv("cfg-1", [{"Month": "Jan 26"}])
        with pytest.raises(ConfigError, match="import_layouts"):
            await client.push_csv("cfg-unknown", [{"Month": "Jan 26", "Amount": 1}])
    assert not route.called


class CountingGate:
    def __init__(self) -> None:
        self.slots: list[str] = []

    def slot(self, configuration_id: str) -> Any:
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def held() -> AsyncIterator[None]:
            self.slots.append(configuration_id)
            yield

        return held()


@respx.mock
async def test_every_push_goes_through_the_injected_gate() -> None:
    respx.post(f"{BASE}/api/v1/import/push/csv").mock(
        return_value=httpx.Response(200, json={"importId": "x"})
    )
    gate = CountingGate()
    async with PigmentClient(settings(), push_gate=gate) as client:
        await client.push_csv("cfg-1", [{"Month": "Jan 26", "Amount": 1}])
        await client.push_csv("cfg-1", [{"Month": "Feb 26", "Amount": 2}])
    assert gate.slots == ["cfg-1", "cfg-1"]


async def test_a_later_bad_row_aborts_the_upload() -> None:
    received: list[bytes] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        async for chunk in request.stream:  # type: ignore[union-attr]
            received.append(chunk)
        return httpx.Response(200, json={"importId": "x"})

    def rows() -> Any:
        for i in range(5000):
            yield {"Month": "Jan 26", "Amount": i}
        yield {"Month": "Jan 26", "Amount": 0.5}

    async with PigmentClient(settings(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(RecordRejected, match="float"):
            await client.push_csv("cfg-1", rows())


@respx.mock
async def test_exports_detect_truncation_by_content_length_and_by_last_record() -> None:
    route = respx.post(f"{BASE}/api/v1/export/metric/m-1")
    async with PigmentClient(settings()) as client:
        route.mock(return_value=httpx.Response(200, content=b"A;B\n1;2\n"))
        async with client.export_metric("m-1") as rows:
            assert await rows.all() == [{"A": "1", "B": "2"}]
        assert route.calls[0].request.headers["Authorization"].startswith("Bearer export-key")
        route.mock(return_value=httpx.Response(200, content=b"A;B\n1;2\n3;"))
        with pytest.raises(TruncatedExportError):
            async with client.export_metric("m-1") as rows:
                await rows.all()
        route.mock(return_value=httpx.Response(200, content=b"A;B\n1;2\n", headers={"Content-Length": "40"}))
        with pytest.raises(TruncatedExportError, match="Content-Length"):
            async with client.export_metric("m-1") as rows:
                await rows.all()
        assert client.requests_sent["export"] == 3
