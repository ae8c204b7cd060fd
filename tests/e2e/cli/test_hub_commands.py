"""`ledgerbridge hub …` and `ledgerbridge runs` through the real CLI against a real hub file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledgerbridge.errors import ActionNeeded, RecordRejected
from ledgerbridge.hub import HubStore, Outcome, StagedRecord, State
from ledgerbridge.interfaces.cli.main import app

runner = CliRunner()


def _staged(n: int) -> StagedRecord:
    return StagedRecord(
        source_system="nue",
        source_type="invoice",
        source_id=f"INV-{n:04d}",
        external_id=f"lb-nue-inv-INV-{n:04d}",
        target_system="netsuite",
        target_type="invoice",
        payload={"tranId": f"INV-{n:04d}", "amount": "100.00"},
    )


@pytest.fixture()
def hub_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no workspace file: the CLI uses the default hub .ledgerbridge/hub.db there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGERBRIDGE_CONFIG", raising=False)
    (tmp_path / ".ledgerbridge").mkdir()
    with HubStore.open(f"sqlite:///{tmp_path / '.ledgerbridge' / 'hub.db'}") as hub:
        result = hub.stage("billing-to-erp", [_staged(n) for n in range(1, 5)])
        claimed = hub.claim("billing-to-erp", owner="test", limit=10, lease_seconds=60)
        assert len(claimed) == 4
        hub.record_outcomes(
            "test",
            [
                Outcome(result.ids[0], target_id="101"),
                Outcome(
                    result.ids[1],
                    error=RecordRejected("Invalid item reference key 999", vendor_code="INVALID_KEY_OR_REF"),
                ),
                Outcome(
                    result.ids[2],
                    error=ActionNeeded("You cannot post to a closed period", vendor_code="USER_ERROR"),
                ),
                Outcome(
                    result.ids[3],
                    error=RecordRejected("Please enter value(s) for: Customer", vendor_code="USER_ERROR"),
                ),
            ],
        )
        run_id = hub.start_run("billing-to-erp", trigger="manual", run_key="manual-1")
        assert run_id is not None
        hub.finish_run(
            run_id,
            status="partial",
            counters={"transferred": 1, "failed": 2},
            requests={"netsuite": 3},
            throttled={},
        )
    return tmp_path


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_filters_by_state_and_flow(hub_dir: Path) -> None:
    failed = _json(["hub", "list", "--state", "failed", "--json"])
    assert isinstance(failed, dict)
    assert sorted(r["source_id"] for r in failed["records"]) == ["INV-0002", "INV-0004"]
    assert {r["error_vendor_code"] for r in failed["records"]} == {"INVALID_KEY_OR_REF", "USER_ERROR"}
    other = _json(["hub", "list", "--flow", "gl-actuals-to-planning", "--json"])
    assert isinstance(other, dict) and other["records"] == []


def test_show_has_payload_and_audit_trail(hub_dir: Path) -> None:
    shown = _json(["hub", "show", "2", "--json"])
    assert isinstance(shown, dict)
    assert shown["record"]["payload"] == {"tranId": "INV-0002", "amount": "100.00"}
    assert shown["record"]["error_message"] == "Invalid item reference key 999"
    transitions = [(e["from_state"], e["to_state"]) for e in shown["audit"]]
    assert ("in_flight", "failed") in transitions


def test_retry_by_id_and_by_state_then_resolve(hub_dir: Path) -> None:
    assert _json(["hub", "retry", "2", "--reason", "item fixed", "--json"]) == {"retried": 1}
    assert _json(["hub", "retry", "--state", "action_needed", "--json"]) == {"retried": 1}
    resolved = _json(["hub", "resolve", "4", "--reason", "entered by hand in NetSuite", "--json"])
    assert isinstance(resolved, dict) and resolved["record"]["state"] == State.SKIPPED.value
    stats = _json(["hub", "stats", "--json"])
    assert isinstance(stats, dict)
    by_state = stats["billing-to-erp"]
    assert (by_state["pending"], by_state["transferred"], by_state["skipped"], by_state["failed"]) == (
        2,
        1,
        1,
        0,
    )
    audit = _json(["hub", "show", "4", "--json"])
    assert isinstance(audit, dict)
    last = audit["audit"][-1]
    assert last["reason"] == "entered by hand in NetSuite" and last["actor"].startswith("cli:")


def test_illegal_operations_exit_2_without_traceback(hub_dir: Path) -> None:
    result = runner.invoke(app, ["hub", "retry", "1"])  # transferred: nothing to retry
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["hub", "show", "999"])
    assert missing.exit_code == 2 and "no hub record 999" in missing.output
    bad_state = runner.invoke(app, ["hub", "list", "--state", "lost"])
    assert bad_state.exit_code == 2 and "unknown state" in bad_state.output


def test_runs_show_requests_per_connection(hub_dir: Path) -> None:
    runs = _json(["runs", "--json"])
    assert isinstance(runs, dict)
    (run,) = runs["runs"]
    assert run["requests"] == {"netsuite": 3} and run["status"] == "partial"
    table = runner.invoke(app, ["runs", "--flow", "billing-to-erp"])
    assert table.exit_code == 0 and table.stdout.startswith("runs")
