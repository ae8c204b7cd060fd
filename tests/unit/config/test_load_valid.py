"""A complete, valid workspace loads into typed models with every reference resolved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from pydantic import SecretStr
from typer.testing import CliRunner

from ledgerbridge.config import (
    EmailConnection,
    NetSuiteConnection,
    NueConnection,
    OAuth2ClientCredentialsAuth,
    PigmentConnection,
    SecretValue,
    SlackConnection,
    Workspace,
    load_workspace,
)

from .conftest import VALID, VALID_ENV


@pytest.fixture
def workspace() -> Workspace:
    return load_workspace(VALID / "full.yaml", environ=VALID_ENV)


def test_sections_and_paths(workspace: Workspace) -> None:
    assert workspace.version == 1
    assert workspace.workspace.name == "acme-finance"
    assert str(workspace.zone) == "America/New_York"
    assert workspace.source_path == (VALID / "full.yaml").resolve()
    # relative paths start at the workspace file's folder, not the current directory
    assert workspace.hub.url == f"sqlite:///{VALID.resolve()}/state/hub.db"
    assert workspace.hub.is_sqlite
    assert workspace.logging.level == "DEBUG"
    assert workspace.logging.json_lines is True
    assert workspace.logging.file == VALID.resolve() / "logs" / "ledgerbridge.log"


def test_netsuite_with_oauth2_and_file_secrets(workspace: Workspace) -> None:
    netsuite = workspace.connection("netsuite-prod")
    assert isinstance(netsuite, NetSuiteConnection)
    assert netsuite.realm == "1234567_SB1"
    assert netsuite.url == "https://1234567-sb1.suitetalk.api.netsuite.com"
    assert netsuite.timeout_seconds == 120
    assert netsuite.timezone == "America/Los_Angeles"
    assert netsuite.limits.concurrency == 10
    assert netsuite.limits.effective_concurrency == 7
    assert isinstance(netsuite.auth, OAuth2ClientCredentialsAuth)
    assert netsuite.auth.client_id.get_secret_value() == "ns-client-id-valid-3a9d"
    assert netsuite.auth.private_key.get_secret_value().startswith("-----BEGIN PRIVATE KEY-----\n")
    assert netsuite.auth.private_key.get_secret_value().endswith("-----END PRIVATE KEY-----")
    assert isinstance(netsuite.auth.client_id, SecretValue)
    assert netsuite.auth.client_id.source == "file:secrets.json#netsuite.client_id"


def test_other_connections(workspace: Workspace) -> None:
    nue = workspace.connection("nue")
    assert isinstance(nue, NueConnection)
    assert nue.url == "https://api.sandbox.nue.io"  # trailing slash dropped
    assert nue.api_key.get_secret_value() == VALID_ENV["LB_VALID_NUE_KEY"]
    assert nue.limits.concurrency == 4 and nue.limits.requests_per_minute is None

    pigment = workspace.connection("pigment")
    assert isinstance(pigment, PigmentConnection)
    assert pigment.url == "https://pigment.app"
    assert pigment.metadata_key is None
    assert (
        pigment.import_key is not None and pigment.import_key.get_secret_value() == "pig-import-valid-0f4b2e"
    )
    assert pigment.limits.requests_per_minute == 100  # 500 per 5 minutes, spread evenly

    slack = workspace.connection("slack")
    assert isinstance(slack, SlackConnection)
    assert slack.url == "http://127.0.0.1:8704/api"  # plain http is fine on loopback
    assert slack.limits.concurrency == 1 and slack.limits.requests_per_minute == 60

    mail = workspace.connection("mail")
    assert isinstance(mail, EmailConnection)
    assert (mail.host, mail.port, mail.security) == ("smtp.example.com", 465, "tls")
    assert mail.recipients == ["controller@example.com", "fpa@example.com"]


def test_mappings_from_csv_and_inline_are_text(workspace: Workspace) -> None:
    gl = workspace.mappings["gl-accounts"]
    assert gl.file == VALID.resolve() / "mappings" / "gl_accounts.csv"
    assert gl.rows == [
        {
            "nue_revenue_category": "Subscription",
            "netsuite_account": "4000",
            "deferred_account": "2400",
            "rate": "12.50",
        },
        {
            "nue_revenue_category": "Services",
            "netsuite_account": "0410",
            "deferred_account": "2410",
            "rate": "0.10",
        },
        {
            "nue_revenue_category": "Usage, metered",
            "netsuite_account": "4020",
            "deferred_account": "2420",
            "rate": "1",
        },
    ]
    departments = workspace.mappings["departments"]
    assert departments.rows[0] == {"code": "0100", "netsuite_department": "7", "active": "true"}
    assert len(gl.fingerprint) == 16 and gl.fingerprint != departments.fingerprint


def test_flows(workspace: Workspace) -> None:
    billing = workspace.flow("billing-to-erp")
    assert billing is not None
    assert billing.params == {"rounding_tolerance": Decimal("0.01"), "memo_prefix": "Nue"}
    assert billing.trigger.kind == "interval" and billing.trigger.interval == timedelta(hours=1, minutes=30)
    assert (billing.batch.mode, billing.batch.interval, billing.batch.size) == (
        "scheduled",
        timedelta(minutes=10),
        250,
    )
    assert billing.systems.target == ("netsuite",)

    gl = workspace.flow("gl-actuals-to-planning")
    assert gl is not None and gl.trigger.cron == "0 6 * * 1-5"  # whitespace normalised
    assert gl.batch.mode == "realtime" and gl.batch.size == 100

    revenue = workspace.flow("revenue-to-planning")
    assert revenue is not None and revenue.trigger.interval == timedelta(seconds=900)

    writeback = workspace.flow("budget-writeback")
    assert writeback is not None and not writeback.enabled and writeback.trigger.kind == "manual"
    assert [flow.name for flow in workspace.enabled_flows()] == [
        "billing-to-erp",
        "gl-actuals-to-planning",
        "period-close",
        "revenue-to-planning",
        "forecast-digest",
    ]
    assert workspace.flow("hierarchy-to-planning") is None


def test_unknown_connection_lookup_names_the_known_ones(workspace: Workspace) -> None:
    with pytest.raises(KeyError, match="netsuite-prod"):
        workspace.connection("netsuite")


def test_models_are_immutable(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match="frozen"):
        workspace.workspace.name = "other"  # type: ignore[misc]


def test_config_check_on_the_valid_file(
    cli_app: typer.Typer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in VALID_ENV.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(cli_app, ["config", "check", "--path", str(VALID / "full.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("valid — 5 connections, 2 mappings, 6 flows (5 enabled)")


def test_built_in_code_checks_references_too() -> None:
    secret = SecretStr("code-built-secret-5d0e")
    data = {
        "version": 1,
        "workspace": {"name": "x", "timezone": "UTC"},
        "connections": {"nue": {"system": "nue", "api_key": secret}},
        "flows": [{"name": "billing-to-erp", "source": "nue", "target": "erp"}],
    }
    with pytest.raises(ValueError, match="no connection named 'erp'"):
        Workspace.model_validate(data)
    data["flows"] = []
    workspace = Workspace.model_validate(data)
    assert workspace.source_path is None
    # defaults apply to sections left out; with no loader context paths start at the current directory
    assert workspace.hub.url == f"sqlite:///{Path.cwd()}/.ledgerbridge/hub.db"
    assert workspace.connections["nue"].system == "nue"


def test_empty_sections_mean_none(tmp_path: Path) -> None:
    path = tmp_path / "ledgerbridge.yaml"
    path.write_text("version: 1\nworkspace: {name: a, timezone: UTC}\nconnections:\nmappings:\nflows:\n")
    workspace = load_workspace(path)
    assert (workspace.connections, workspace.mappings, workspace.flows) == ({}, {}, [])
