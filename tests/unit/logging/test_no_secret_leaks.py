"""Plant secrets (env vars and files), load a workspace, then push the values through every output path —
log levels, message/args/extra/exception/stack, text and JSON lines, a log file, config errors, CLI output,
model reprs and dumps — and find none of them anywhere."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from urllib.parse import quote

import pytest
import typer
from typer.testing import CliRunner

from ledgerbridge.config import ConfigErrors, Workspace, load_workspace
from ledgerbridge.interfaces.cli.config_cmds import register
from ledgerbridge.log import REDACTED, configure_logging, get_logger

ENV_SECRETS = {
    "LB_LEAK_NUE_KEY": "leak-env-nue-3f9a1c7e",
    # characters that change under URL and JSON quoting
    "LB_LEAK_SLACK_TOKEN": 'xoxb-leak/p@ss+w0rd="9x"',
}
FILE_SECRETS = {
    "consumer_key": "leak-file-ck-51d0e2",
    "consumer_secret": "leak-file-cs-a7c4b9",
    "token_id": "leak-file-ti-0e88f1",
    "token_secret": "leak-file-ts-c3d2a6",
}
PEM = "\n".join(
    [
        "-----BEGIN PRIVATE KEY-----",
        "leak-pem-line-one-4b2f9d",
        "leak-pem-line-two-8e1a07",
        "-----END PRIVATE KEY-----",
    ]
)
HUB_PASSWORD = "leak-hub-password-2c6e"

WORKSPACE = """\
version: 1
workspace: {name: leak-test, timezone: UTC}
hub:
  url: postgresql+psycopg://ledger@127.0.0.1/ledger
  password: {env: LB_LEAK_HUB_PASSWORD}
connections:
  ns:
    system: netsuite
    account_id: 1234567_SB1
    auth: {type: tba, consumer_key: {file: s.yaml, key: ns.consumer_key},
           consumer_secret: {file: s.yaml, key: ns.consumer_secret},
           token_id: {file: s.yaml, key: ns.token_id}, token_secret: {file: s.yaml, key: ns.token_secret}}
  ns2:
    system: netsuite
    account_id: "7654321"
    auth: {type: oauth2_client_credentials, client_id: {env: LB_LEAK_NUE_KEY},
           certificate_id: {file: s.yaml, key: ns.token_id}, private_key: {file: key.pem}}
  nue: {system: nue, api_key: {env: LB_LEAK_NUE_KEY}}
  slack: {system: slack, token: {env: LB_LEAK_SLACK_TOKEN}, default_channel: "#close"}
"""
# every way an error could echo a secret: inline values, a URL password, a bad reference beside good ones
BROKEN = """\
version: 1
workspace: {name: leak-test, timezone: UTC}
hub: {url: "postgresql://ledger:leak-url-password-71f3@db/ledger"}
connections:
  nue: {system: nue, api_key: leak-inline-api-key-90ab, base_url: "https://nue.example.com/?k=leak-query-5e2d"}
  slack: {system: slack, token: {env: LB_LEAK_SLACK_TOKEN}, default_channel: "not a channel"}
  pig: {system: pigment, import_key: {file: s.yaml, key: ns.nope}, export_key: {env: LB_LEAK_NUE_KEY}}
"""
BROKEN_SECRETS = ["leak-url-password-71f3", "leak-inline-api-key-90ab", "leak-query-5e2d"]


class Holder:
    """An arbitrary object whose str() carries a secret, as a careless extra= value would."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __str__(self) -> str:
        return f"Holder({self.value})"


def all_secrets() -> list[str]:
    values = [*ENV_SECRETS.values(), *FILE_SECRETS.values(), PEM, HUB_PASSWORD, *BROKEN_SECRETS]
    pem_lines = [line for line in PEM.splitlines() if "leak" in line]
    return values + pem_lines


def forms(secret: str) -> list[str]:
    """The secret and the quoted forms it takes on the way out."""
    return [secret, quote(secret, safe=""), json.dumps(secret)[1:-1], repr(secret)[1:-1]]


def assert_clean(text: str) -> None:
    for secret in all_secrets():
        for form in forms(secret):
            assert form not in text, f"secret leaked in the form {form!r}"


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in ENV_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LB_LEAK_HUB_PASSWORD", HUB_PASSWORD)
    (tmp_path / "s.yaml").write_text(json.dumps({"ns": FILE_SECRETS}))
    (tmp_path / "key.pem").write_text(PEM + "\n")
    (tmp_path / "ledgerbridge.yaml").write_text(WORKSPACE)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    return tmp_path


def emit_everything(workspace: Workspace) -> None:
    log = get_logger("leaktest")
    secrets = [*ENV_SECRETS.values(), *FILE_SECRETS.values(), PEM, HUB_PASSWORD]
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL):
        for secret in secrets:
            log.log(level, f"f-string {secret}")
            log.log(level, "args %s and %r", secret, {"body": secret})
            log.log(level, "extra", extra={"token": secret, "nested": {"k": [secret]}, "obj": Holder(secret)})
            log.log(level, "url https://x.example/?token=%s", quote(secret, safe=""))
            log.log(level, "stack %s", secret, stack_info=True)
            try:
                raise RuntimeError(f"boom with {secret}")
            except RuntimeError:
                log.log(level, "caught %s", secret, exc_info=True)
    log.info("workspace %s", workspace)
    log.info("workspace %r", workspace)
    log.info("dump", extra={"dump": workspace.model_dump(), "json": workspace.model_dump_json()})
    log.info("hub", extra={"url": workspace.hub.connect_url()})
    log.info("bad format %s %s", ENV_SECRETS["LB_LEAK_NUE_KEY"])  # one argument short
    logging.getLogger("httpx").warning("HTTP Request: GET https://x/?k=%s", FILE_SECRETS["token_secret"])


@pytest.mark.parametrize("json_lines", [False, True], ids=["text", "json"])
def test_logs_never_carry_a_secret(planted: Path, json_lines: bool) -> None:
    workspace = load_workspace(planted / "ledgerbridge.yaml")
    stream = io.StringIO()
    log_file = planted / "logs" / "lb.log"
    configure_logging("DEBUG", json_lines=json_lines, file=log_file, stream=stream)

    emit_everything(workspace)
    for handler in logging.getLogger("ledgerbridge").handlers:
        handler.flush()

    output = stream.getvalue()
    assert output.count("\n") > 200 and REDACTED in output  # it did log, and it did redact
    assert "boom with ***" in output and "Holder(***)" in output and "HTTP Request" in output
    assert output == log_file.read_text(encoding="utf-8")
    assert_clean(output)
    if json_lines:
        records = [json.loads(line) for line in output.splitlines()]
        assert {record["level"] for record in records} == {"debug", "info", "warning", "error", "critical"}
        assert any("exc" in record and "stack" not in record for record in records)


def test_models_print_no_secret(planted: Path) -> None:
    workspace = load_workspace(planted / "ledgerbridge.yaml")
    # the values were really resolved...
    nue_key = workspace.connections["nue"].api_key  # type: ignore[union-attr]
    assert nue_key.get_secret_value() == ENV_SECRETS["LB_LEAK_NUE_KEY"]
    # ...and no rendering of the models shows them
    assert_clean(repr(workspace) + str(workspace) + str(workspace.model_dump()) + workspace.model_dump_json())
    for connection in workspace.connections.values():
        assert_clean(repr(connection) + str(connection))


def test_config_errors_print_no_secret(planted: Path) -> None:
    load_workspace(planted / "ledgerbridge.yaml")  # registers the planted secrets, as a real run would
    with pytest.raises(ConfigErrors) as caught:
        load_workspace(planted / "broken.yaml")
    errors = caught.value
    assert len(errors.problems) == 5, str(errors)
    assert_clean(str(errors) + repr(errors) + json.dumps(errors.to_dict()))
    for problem in errors.problems:
        assert_clean(str(problem) + repr(problem) + problem.message + (problem.hint or ""))

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    for extra in ([], ["--json"]):
        result = runner.invoke(app, ["config", "check", "--path", str(planted / "broken.yaml"), *extra])
        assert result.exit_code == 2
        assert result.output.count("broken.yaml") >= 5
        assert_clean(result.output)
