"""The import endpoints' protocol: asynchronous status, the detailed report on request, Looker and
triggered pipelines, the legacy twins, and every documented 400/404."""

from __future__ import annotations

import time
import uuid

import pytest

from .support import Pigment, summary

HEADER = "Month;Account;Department;Amount\n"


@pytest.fixture
def seed() -> str:
    return "test"


def _push(pigment: Pigment, params: dict[str, str], body: bytes, **headers: str) -> tuple[int, str]:
    response = pigment.imports.post("/api/v1/import/push/csv", params=params, content=body, headers=headers)
    return response.status_code, response.text


def test_an_import_is_in_progress_until_it_has_run(pigment: Pigment) -> None:
    assert pigment.control.post("/pigment/imports/delay", json={"seconds": 60}).status_code == 200
    import_id = pigment.push("Actuals · skip", HEADER + "Jan 26;4000;Sales;1\n")

    waiting = pigment.status(import_id)
    assert waiting["importStatus"] == "InProgress"
    assert waiting["completedAt"] is None and waiting["detailedReport"] is None
    assert pigment.cells("Actuals") == {}

    # Lowering the delay releases the waiting import.
    pigment.control.post("/pigment/imports/delay", json={"seconds": 0})
    assert pigment.wait(import_id)["importStatus"] == "Completed"
    assert pigment.cells("Actuals") == {("Jan 26", "Revenue", "Sales"): "1"}


def test_imports_run_in_the_order_they_were_pushed(pigment: Pigment) -> None:
    ids = [pigment.push("Actuals · skip", HEADER + f"Jan 26;4000;Sales;{value}\n") for value in range(1, 6)]
    for import_id in ids:
        pigment.wait(import_id)

    assert pigment.cells("Actuals") == {("Jan 26", "Revenue", "Sales"): "5"}


def test_the_detailed_report_only_when_asked_and_only_on_v1(pigment: Pigment) -> None:
    import_id = pigment.push("Actuals · skip", HEADER + "Jan 26;4000;Sales;1\n", v1=False)
    pigment.wait(import_id)

    assert pigment.status(import_id, detailed=False)["detailedReport"] is None
    plain = pigment.imports.get(f"/api/v1/import/{import_id}/status")
    assert plain.json()["detailedReport"] is None
    legacy = pigment.imports.get(f"/api/import/{import_id}/status", params={"includedDetailedReport": "true"})
    assert legacy.status_code == 200
    assert legacy.json()["importStatus"] == "Completed"
    assert legacy.json()["detailedReport"] is None
    assert set(legacy.json()) == {
        "importId",
        "createdAt",
        "completedAt",
        "importStatus",
        "errorsDetails",
        "detailedReport",
    }


def test_status_errors(pigment: Pigment) -> None:
    assert pigment.imports.get(f"/api/v1/import/{uuid.uuid4()}/status").status_code == 404
    assert pigment.imports.get(f"/api/import/{uuid.uuid4()}/status").status_code == 404
    assert pigment.imports.get("/api/v1/import/not-a-uuid/status").status_code == 400
    import_id = pigment.push("Actuals · skip", HEADER + "Jan 26;4000;Sales;1\n")
    bad = pigment.imports.get(
        f"/api/v1/import/{import_id}/status", params={"includedDetailedReport": "maybe"}
    )
    assert bad.status_code == 400


def test_push_errors(pigment: Pigment) -> None:
    config = pigment.configuration_id("Actuals · skip")
    body = (HEADER + "Jan 26;4000;Sales;1\n").encode()

    assert _push(pigment, {}, body)[0] == 400
    assert _push(pigment, {"configurationId": "nope"}, body)[0] == 400
    status, text = _push(pigment, {"configurationId": str(uuid.uuid4())}, body)
    assert (status, text.split(":")[0]) == (404, "Import configuration with the specified ID was not found")
    assert _push(pigment, {"configurationId": config}, b"")[0] == 400
    assert _push(pigment, {"configurationId": pigment.configuration_id("Headcount look")}, body)[0] == 400
    # Any content type is accepted: Workday's EIB and scripts send octet-stream.
    status, _ = _push(
        pigment, {"configurationId": config}, body, **{"Content-Type": "application/octet-stream"}
    )
    assert status == 200


@pytest.mark.parametrize("settings_overrides", [{"max_push_bytes": 64}])
def test_a_push_over_the_size_limit_is_refused(pigment: Pigment) -> None:
    config = pigment.configuration_id("Actuals · skip")
    status, text = _push(
        pigment, {"configurationId": config}, (HEADER + "Jan 26;4000;Sales;1\n" * 5).encode()
    )

    assert status == 400
    assert "size limit exceeded" in text


def test_looker_push_runs_the_looks_data(pigment: Pigment) -> None:
    config = pigment.configuration_id("Headcount look")
    for path in ("/api/import/push/looker", "/api/v1/import/push/looker"):
        response = pigment.imports.post(path, params={"configurationId": config})
        assert response.status_code == 200
        pigment.wait(response.json()["importId"])

    assert pigment.cells("Headcount") == {("Feb 26", "Sales"): "13"}
    csv_config = pigment.configuration_id("Actuals · skip")
    assert (
        pigment.imports.post("/api/v1/import/push/looker", params={"configurationId": csv_config}).status_code
        == 400
    )


def test_trigger_runs_integration_imports_and_data_copies(pigment: Pigment) -> None:
    def trigger(name: str) -> dict[str, object]:
        response = pigment.imports.post(
            "/api/v1/import/trigger", params={"configurationId": pigment.configuration_id(name)}
        )
        assert response.status_code == 200, response.text
        return pigment.wait(response.json()["importId"])

    report = trigger("Headcount feed")
    assert summary(report) == (2, 0, 0, 0)
    assert pigment.cells("Headcount") == {("Jan 26", "Sales"): "12", ("Jan 26", "R&D"): "30"}

    pigment.load(
        "Budget · pivoted",
        "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\nBudget A,4000,Sales,5,6,,,\n",
    )
    copied = trigger("Copy budget")
    assert copied["detailedReport"]["blockType"] == "Metric"
    assert summary(copied) == (2, 0, 0, 0)
    assert pigment.cells("Budget Copy") == pigment.cells("Budget")

    teams = trigger("Copy regions into teams")
    assert teams["detailedReport"]["blockType"] == "List"
    assert summary(teams) == (2, 0, 0, 0)
    assert set(pigment.item_ids("Team")) == {"EMEA", "AMER"}
    assert summary(trigger("Copy regions into teams")) == (0, 0, 0, 0)


def test_trigger_errors_and_the_legacy_status_of_a_triggered_import(pigment: Pigment) -> None:
    csv_config = pigment.configuration_id("Actuals · skip")
    assert (
        pigment.imports.post("/api/v1/import/trigger", params={"configurationId": csv_config}).status_code
        == 400
    )
    missing = pigment.imports.post("/api/v1/import/trigger", params={"configurationId": str(uuid.uuid4())})
    assert missing.status_code == 404
    assert pigment.imports.post("/api/v1/import/trigger").status_code == 400

    response = pigment.imports.post(
        "/api/v1/import/trigger", params={"configurationId": pigment.configuration_id("Headcount feed")}
    )
    import_id = response.json()["importId"]
    pigment.wait(import_id)
    # Only the v1 status covers integration imports and data copies.
    assert pigment.imports.get(f"/api/import/{import_id}/status").status_code == 404


def test_reset_forgets_imports_and_restores_the_start_seed(pigment: Pigment) -> None:
    import_id = pigment.push("Actuals · skip", HEADER + "Jan 26;4000;Sales;1\n")
    pigment.wait(import_id)

    assert pigment.control.post("/reset").status_code == 200
    # The start seed of this app is "empty" (the test workspace was loaded on top of it).
    assert pigment.blocks() == {}
    assert pigment.imports.get(f"/api/v1/import/{import_id}/status").status_code == 404


def test_sandbox_stats_count_imports(pigment: Pigment) -> None:
    pigment.wait(pigment.push("Actuals · skip", HEADER + "Jan 26;4000;Sales;1\n"))
    pigment.wait(pigment.push("Actuals · skip", "wrong\n"))
    time.sleep(0.01)

    stats = pigment.control.get("/stats").json()
    assert stats["imports"] == {"InProgress": 0, "Completed": 1, "Failed": 1}
    assert stats["requests_by_route"]["POST /api/v1/import/push/csv"] == 2
