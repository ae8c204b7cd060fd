"""Invariant §4.6: planted credentials never appear in a log line, a hub row, an error or CLI output.

Real traffic: the workspace references the secrets by env var; the NetSuite connector signs every request
with them against the emulator (strict TBA); the executor moves records through the hub, one of them failing
with a vendor message that echoes a credential. Then every place text can leave the process is scanned.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledgerbridge.config.loader import load_workspace
from ledgerbridge.engine.executor import Executor, WriteResult
from ledgerbridge.errors import LedgerbridgeError, RecordRejected
from ledgerbridge.hub import ClaimedRecord, HubStore, StagedRecord
from ledgerbridge.interfaces.cli.main import app
from ledgerbridge.log import configure_logging, get_logger
from ledgerbridge.runtimes.local.connections import open_connections
from ledgerbridge.sandbox.world import start_sandbox

SECRETS = {
    "consumer_key": "ck-PLANTED-7f3a9c2e41b8",
    "consumer_secret": "cs-PLANTED-d41d8cd98f00b204",
    "token_id": "ti-PLANTED-0cc175b9c0f1b6a8",
    "token_secret": "ts-PLANTED-92eb5ffee6ae2fec",
}


class EchoingWriter:
    """Upserts customers through the real connector; one record 'fails' with a vendor echo of a secret."""

    system = "netsuite"

    def __init__(self, client: object) -> None:
        self.client = client

    async def write(self, batch: Sequence[ClaimedRecord]) -> list[WriteResult]:
        results: list[WriteResult] = []
        for record in batch:
            if record.source_id == "leaky":
                token, key = SECRETS["token_secret"], SECRETS["consumer_key"]
                echo = f"signature mismatch for token {token} and key {key}"
                results.append(WriteResult.failed(RecordRejected(echo, vendor_code="USER_ERROR")))
                continue
            try:
                target_id = await self.client.upsert("customer", record.external_id, record.payload)  # type: ignore[attr-defined]
            except LedgerbridgeError as exc:
                results.append(WriteResult.failed(exc))
            else:
                results.append(WriteResult.ok(target_id))
        return results

    async def lookup(self, record: ClaimedRecord) -> str | None:
        return await self.client.find_id_by_external_id("customer", record.external_id)  # type: ignore[attr-defined,no-any-return]


def _staged(source_id: str, payload: dict[str, object]) -> StagedRecord:
    return StagedRecord(
        source_system="nue",
        source_type="customer",
        source_id=source_id,
        external_id=f"lb-nue-cust-{source_id}",
        target_system="netsuite",
        target_type="customer",
        payload=payload,
    )


def _everything_written(folder: Path, log_file: Path) -> dict[str, str]:
    """The log file and the hub database files (incl. WAL) as text."""
    hub_bytes = b"".join(path.read_bytes() for path in folder.glob("hub.db*"))
    return {
        "log file": log_file.read_text(encoding="utf-8"),
        "hub database": hub_bytes.decode("utf-8", errors="replace"),
    }


@pytest.mark.asyncio
async def test_planted_secrets_never_leave_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in SECRETS.items():
        monkeypatch.setenv(f"PLANTED_{key.upper()}", value)
    log_file = tmp_path / "ledgerbridge.log"
    with start_sandbox(
        seed="demo", port_base=None, workdir=tmp_path, systems=["netsuite"], credentials={"netsuite": SECRETS}
    ) as sandbox:
        (tmp_path / "ledgerbridge.yaml").write_text(
            f"""
version: 1
workspace: {{name: leak-test, timezone: UTC}}
hub: {{url: "sqlite:///hub.db"}}
logging: {{level: DEBUG, json: true, file: {log_file}}}
connections:
  netsuite:
    system: netsuite
    base_url: {sandbox.urls["netsuite"]}
    account_id: {sandbox.info["netsuite"]["account_id"]}
    auth:
      type: tba
      consumer_key: {{env: PLANTED_CONSUMER_KEY}}
      consumer_secret: {{env: PLANTED_CONSUMER_SECRET}}
      token_id: {{env: PLANTED_TOKEN_ID}}
      token_secret: {{env: PLANTED_TOKEN_SECRET}}
""",
            encoding="utf-8",
        )
        workspace = load_workspace(tmp_path / "ledgerbridge.yaml")
        configure_logging("DEBUG", json_lines=True, file=log_file)  # httpx/httpcore captured at DEBUG too
        log = get_logger("ledgerbridge.tests.leak")
        log.debug("connecting with %s", workspace.connections["netsuite"])
        with HubStore.open(workspace.hub.connect_url()) as hub:
            subsidiary = "1"
            hub.stage(
                "billing-to-erp",
                [
                    _staged("ok-1", {"companyName": "Acme Corp", "subsidiary": {"id": subsidiary}}),
                    _staged("bad-ref", {"companyName": "Bad Ref", "subsidiary": {"id": "999999"}}),
                    _staged("leaky", {"companyName": "Leaky"}),
                ],
            )
            async with open_connections(workspace) as clients:
                executor = Executor(hub, "billing-to-erp", EchoingWriter(clients["netsuite"]), batch_size=10)
                report = await executor.run_once()
            assert report.transferred == 1 and report.failed == 2
            leaky = hub.find("billing-to-erp", "nue", "customer", "leaky")
            assert leaky is not None and leaky.error_message is not None
            assert "***" in leaky.error_message  # the echo was stored, redacted

        runner = CliRunner()
        outputs = [
            runner.invoke(app, ["--config", str(tmp_path / "ledgerbridge.yaml"), *args]).output
            for args in (
                ["hub", "list", "--json"],
                ["hub", "show", "3", "--json"],
                ["config", "check", "--json"],
            )
        ]
    captured = capsys.readouterr()
    texts = _everything_written(tmp_path, log_file)
    texts["cli output"] = "\n".join(outputs)
    texts["stdout/stderr"] = captured.out + captured.err
    assert json.loads(outputs[0])["records"], "the CLI listed the hub"
    assert "netsuite" in texts["log file"], "the log file saw the traffic"
    for where, text in texts.items():
        for name, value in SECRETS.items():
            assert value not in text, f"{name} leaked into the {where}"
