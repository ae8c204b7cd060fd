"""`ledgerbridge init` and `init --sandbox`: the files they write pass `config check`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from ledgerbridge.config import (
    EmailConnection,
    NetSuiteConnection,
    OAuth2ClientCredentialsAuth,
    TbaAuth,
    load_workspace,
    render_default,
    render_example,
    render_sandbox,
)
from ledgerbridge.errors import ConfigError

#: what `ledgerbridge sandbox up` writes (fake credentials)
SANDBOX: dict[str, Any] = {
    "netsuite": {
        "base_url": "http://127.0.0.1:8701",
        "account_id": "1234567_SB1",
        "consumer_key": "sbx-ck-0a1b2c3d",
        "consumer_secret": "sbx-cs-4e5f6a7b",
        "token_id": "sbx-ti-8c9d0e1f",
        "token_secret": "sbx-ts-2a3b4c5d",
        "client_id": "sbx-client-6e7f8a9b",
        "certificate_id": "sbx-cert-0c1d2e3f",
        "private_key_pem": "-----BEGIN PRIVATE KEY-----\nsbx-pem-4a5b6c7d\n-----END PRIVATE KEY-----\n",
    },
    "nue": {"base_url": "http://127.0.0.1:8702", "api_key": "sbx-nue-8e9f0a1b"},
    "pigment": {
        "base_url": "http://127.0.0.1:8703",
        "import_key": "sbx-pig-imp-2c3d4e5f",
        "export_key": "sbx-pig-exp-6a7b8c9d",
        "metadata_key": "sbx-pig-meta-0e1f2a3b",
    },
    "slack": {"base_url": "http://127.0.0.1:8704", "token": "xoxb-sbx-4c5d6e7f"},
    "smtp": {"host": "127.0.0.1", "port": 8725},
}
ALL_FLOWS = [
    "billing-to-erp",
    "erp-payments-to-billing",
    "gl-actuals-to-planning",
    "period-close",
    "ar-ap-to-planning",
    "hierarchy-to-planning",
    "revenue-to-planning",
    "budget-writeback",
]


def write_sandbox(folder: Path, sandbox: dict[str, Any]) -> None:
    (folder / ".ledgerbridge").mkdir(exist_ok=True)
    (folder / ".ledgerbridge" / "sandbox.json").write_text(json.dumps(sandbox), encoding="utf-8")


def secret_values(sandbox: dict[str, Any]) -> list[str]:
    return [
        value
        for section in sandbox.values()
        for key, value in section.items()
        if key not in {"base_url", "account_id", "host", "port"}
    ]


def test_default_file_is_valid_and_its_commented_example_is_the_full_example(tmp_path: Path) -> None:
    default = render_default()
    path = tmp_path / "ledgerbridge.yaml"
    path.write_text(default)
    workspace = load_workspace(path, environ={})
    assert (workspace.connections, workspace.flows) == ({}, [])

    # uncommenting the example block gives exactly the complete example, which is itself valid
    commented = default[default.index("# connections:") :]
    uncommented = re.sub(r"(?m)^# ?", "", commented)
    assert render_example().endswith(uncommented)
    assert default.startswith(render_example()[: render_example().index("connections:")])
    example = tmp_path / "example.yaml"
    example.write_text(render_example())
    names = re.findall(r"\{env: ([A-Z_]+)\}", render_example())
    environ = {name: f"example-{name.lower()}-7d1c" for name in names}
    loaded = load_workspace(example, environ=environ)
    assert set(loaded.connections) == {"netsuite", "nue", "pigment", "slack", "email"}
    assert [flow.name for flow in loaded.flows][:2] == ["billing-to-erp", "erp-payments-to-billing"]


def test_init_writes_a_file_that_passes_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_app: typer.Typer, runner: CliRunner
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli_app, ["init"])
    assert result.exit_code == 0, result.output
    assert "wrote ledgerbridge.yaml" in result.stdout
    assert Path("ledgerbridge.yaml").read_text() == render_default()
    assert runner.invoke(cli_app, ["config", "check"]).exit_code == 0

    again = runner.invoke(cli_app, ["init"])
    assert again.exit_code == 2
    assert "ledgerbridge.yaml already exists — pass --force to overwrite it" in again.stderr
    assert runner.invoke(cli_app, ["init", "--force"]).exit_code == 0


def test_init_sandbox_passes_check_and_copies_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_app: typer.Typer, runner: CliRunner
) -> None:
    monkeypatch.chdir(tmp_path)
    write_sandbox(tmp_path, SANDBOX)
    result = runner.invoke(cli_app, ["init", "--sandbox"])
    assert result.exit_code == 0, result.output
    text = Path("ledgerbridge.yaml").read_text()
    for value in secret_values(SANDBOX):
        assert value not in text and value not in result.output

    check = runner.invoke(cli_app, ["config", "check", "--json"])
    assert check.exit_code == 0, check.output
    assert json.loads(check.stdout)["summary"] == {
        "connections": 5,
        "mappings": 4,
        "flows": 8,
        "enabled_flows": 8,
    }

    workspace = load_workspace(Path("ledgerbridge.yaml"))
    assert [flow.name for flow in workspace.flows] == ALL_FLOWS
    netsuite = workspace.connection("netsuite")
    assert isinstance(netsuite, NetSuiteConnection) and isinstance(netsuite.auth, TbaAuth)
    assert netsuite.url == "http://127.0.0.1:8701" and netsuite.realm == "1234567_SB1"
    assert netsuite.auth.token_secret.get_secret_value() == "sbx-ts-2a3b4c5d"
    email = workspace.connection("email")
    assert isinstance(email, EmailConnection) and (email.port, email.security) == (8725, "none")


def test_init_sandbox_in_a_subfolder_refers_back_to_the_sandbox_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_app: typer.Typer, runner: CliRunner
) -> None:
    monkeypatch.chdir(tmp_path)
    write_sandbox(tmp_path, SANDBOX)
    result = runner.invoke(cli_app, ["init", "--sandbox", "--path", "ws/ledgerbridge.yaml"])
    assert result.exit_code == 0, result.output
    assert (
        "{file: ../.ledgerbridge/sandbox.json, key: nue.api_key}" in Path("ws/ledgerbridge.yaml").read_text()
    )


def test_init_sandbox_without_a_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_app: typer.Typer, runner: CliRunner
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli_app, ["init", "--sandbox"])
    assert result.exit_code == 2
    assert "no sandbox found (.ledgerbridge/sandbox.json is missing)" in result.stderr
    assert "run `ledgerbridge sandbox up`" in result.stderr
    assert "Traceback" not in result.output
    assert not Path("ledgerbridge.yaml").exists()

    (tmp_path / ".ledgerbridge").mkdir()
    (tmp_path / ".ledgerbridge" / "sandbox.json").write_text("{half")
    result = runner.invoke(cli_app, ["init", "--sandbox"])
    assert result.exit_code == 2 and "JSONDecodeError" in result.stderr


def test_partial_sandbox_leaves_out_missing_systems_and_their_flows(tmp_path: Path) -> None:
    sandbox = {"netsuite": SANDBOX["netsuite"], "pigment": SANDBOX["pigment"]}
    write_sandbox(tmp_path, sandbox)
    path = tmp_path / "ledgerbridge.yaml"
    path.write_text(render_sandbox(sandbox))
    workspace = load_workspace(path)
    assert set(workspace.connections) == {"netsuite", "pigment"}
    assert [flow.name for flow in workspace.flows] == [
        "gl-actuals-to-planning",
        "period-close",
        "ar-ap-to-planning",
        "hierarchy-to-planning",
        "revenue-to-planning",
        "budget-writeback",
    ]


def test_oauth2_only_sandbox_and_tls(tmp_path: Path) -> None:
    netsuite = {
        key: value for key, value in SANDBOX["netsuite"].items() if not key.startswith(("consumer", "token"))
    }
    netsuite["base_url"] = "https://127.0.0.1:8701"
    sandbox = {"netsuite": netsuite}
    write_sandbox(tmp_path, sandbox)
    (tmp_path / ".ledgerbridge" / "sandbox-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    path = tmp_path / "ledgerbridge.yaml"
    path.write_text(render_sandbox(sandbox))
    connection = load_workspace(path).connection("netsuite")
    assert isinstance(connection, NetSuiteConnection)
    assert isinstance(connection.auth, OAuth2ClientCredentialsAuth)
    assert connection.auth.private_key.get_secret_value().startswith("-----BEGIN PRIVATE KEY-----")
    assert connection.ca_file == tmp_path / ".ledgerbridge" / "sandbox-ca.pem"
    assert load_workspace(path).flows == []


@pytest.mark.parametrize(
    ("sandbox", "message"),
    [
        ({"nue": {"api_key": "x"}}, "sandbox.json: 'nue' has no base_url"),
        ({"netsuite": {"base_url": "http://127.0.0.1:1"}}, "sandbox.json: 'netsuite' has no account_id"),
        ({"smtp": "127.0.0.1:25"}, "sandbox.json: 'smtp' is not an object"),
    ],
)
def test_malformed_sandbox_json(sandbox: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        render_sandbox(sandbox)


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"
    section = docs.read_text(encoding="utf-8").split("## A complete example", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "ledgerbridge.yaml"
    path.write_text(example)
    environ = {name: f"doc-{name.lower()}-31f7" for name in re.findall(r"\{env: ([A-Z_]+)\}", example)}
    workspace = load_workspace(path, environ=environ)
    assert [flow.name for flow in workspace.flows] == [
        "billing-to-erp",
        "gl-actuals-to-planning",
        "period-close",
    ]
