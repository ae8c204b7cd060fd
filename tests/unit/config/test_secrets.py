"""Credential references: env vars, secrets files (YAML/JSON, dotted keys), whole files; never inline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledgerbridge.config import NueConnection, SecretValue
from ledgerbridge.log import redact

from .helpers import load, one_problem

NUE = "connections:\n  nue:\n    system: nue\n    api_key: {ref}\n"


def nue_key(folder: Path, ref: str, environ: dict[str, str] | None = None) -> SecretValue:
    connection = load(folder, NUE.format(ref=ref), environ).connections["nue"]
    assert isinstance(connection, NueConnection)
    assert isinstance(connection.api_key, SecretValue)
    return connection.api_key


def test_env_reference_resolves_and_registers_for_redaction(tmp_path: Path) -> None:
    key = nue_key(tmp_path, "{env: LB_T_NUE}", {"LB_T_NUE": "env-secret-value-a81c3f"})
    assert key.get_secret_value() == "env-secret-value-a81c3f"
    assert key.source == "env:LB_T_NUE"
    assert "a81c3f" not in repr(key) and "a81c3f" not in str(key)
    assert redact("token=env-secret-value-a81c3f") == "token=***"


def test_yaml_and_json_secrets_files_with_dotted_keys(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "prod.yaml").write_text("nue:\n  keys:\n    api: yaml-secret-7fe210\n")
    (tmp_path / "secrets.json").write_text(json.dumps({"nue": {"api": "json-secret-0c55d9"}}))
    assert nue_key(tmp_path, "{file: secrets/prod.yaml, key: nue.keys.api}").get_secret_value() == (
        "yaml-secret-7fe210"
    )
    assert nue_key(tmp_path, "{file: secrets.json, key: nue.api}").get_secret_value() == "json-secret-0c55d9"
    assert redact("yaml-secret-7fe210 json-secret-0c55d9") == "*** ***"


def test_whole_file_secret_is_stripped(tmp_path: Path) -> None:
    (tmp_path / "nue.key").write_text("\n  whole-file-secret-3b1d  \n")
    key = nue_key(tmp_path, "{file: nue.key}")
    assert key.get_secret_value() == "whole-file-secret-3b1d"
    assert key.source == "file:nue.key"


def test_secrets_file_is_relative_to_the_workspace_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "s.json").write_text('{"k": "relative-secret-66aa01"}')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert nue_key(tmp_path, "{file: s.json, key: k}").get_secret_value() == "relative-secret-66aa01"


@pytest.mark.parametrize(
    ("ref", "files", "message"),
    [
        ("{env: LB_T_NOT_SET}", {}, "environment variable LB_T_NOT_SET is not set"),
        ("{file: nope.yaml, key: a.b}", {}, "secrets file 'nope.yaml' not found"),
        ("{file: nope.pem}", {}, "secret file 'nope.pem' not found"),
        (
            "{file: s.yaml, key: nue.missing}",
            {"s.yaml": "nue: {api: x-secret-1234}\n"},
            "no 'missing' under nue",
        ),
        ("{file: s.yaml, key: nue}", {"s.yaml": "nue: {api: x-secret-1234}\n"}, "is not a single text value"),
        ("{file: s.json, key: a}", {"s.json": "{not json"}, "is not valid JSON (line 1, column 2)"),
        ("{file: s.yaml, key: a}", {"s.yaml": "a: [unclosed-9c1e\n"}, "is not valid YAML (line 2)"),
        ("{env: LB_T_SHORT}", {}, "shorter than 4 characters"),
        ("{env: LB_T_NUE, key: a}", {}, "'key' only goes with 'file'"),
        ("{env: 9BAD}", {}, "'9BAD' is not an environment variable name"),
        ("{env: A, file: b}", {}, "exactly one of 'env' or 'file'"),
        ("{vault: a/b}", {}, "unknown key 'vault' in a secret reference"),
        ("[a, b]", {}, "expected a secret reference"),
    ],
)
def test_reference_errors_name_the_field(
    tmp_path: Path, ref: str, files: dict[str, str], message: str
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    problem = one_problem(tmp_path, NUE.format(ref=ref), {"LB_T_SHORT": "abc", "LB_T_NUE": "a-long-value-x"})
    assert problem.field == "connections.nue.api_key"
    assert problem.line == 6
    assert message in problem.message
    assert problem.hint


def test_parse_errors_of_secrets_files_do_not_quote_them(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("a: b\nc: [leaked-fragment-4e7b\n")
    problem = one_problem(tmp_path, NUE.format(ref="{file: s.yaml, key: a}"))
    assert "leaked-fragment-4e7b" not in str(problem)


def test_inline_credential_is_refused_and_registered(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, NUE.format(ref="inline-pasted-secret-d4c2e8"))
    assert problem.message.startswith("inline credential")
    assert "inline-pasted-secret-d4c2e8" not in str(problem)
    # even though it was refused, it is now unprintable
    assert redact("key is inline-pasted-secret-d4c2e8") == "key is ***"


def test_hub_password_by_reference_and_never_in_the_url(tmp_path: Path) -> None:
    body = "hub:\n  url: postgresql://ledger@db.internal:5432/ledger\n  password: {env: LB_T_HUB_PW}\n"
    workspace = load(tmp_path, body, {"LB_T_HUB_PW": "hub-password-19f0ab"})
    assert workspace.hub.url == "postgresql+psycopg://ledger@db.internal:5432/ledger"
    assert (
        workspace.hub.connect_url()
        == "postgresql+psycopg://ledger:hub-password-19f0ab@db.internal:5432/ledger"
    )
    assert not workspace.hub.is_sqlite
    assert "hub-password-19f0ab" not in repr(workspace)

    problem = one_problem(tmp_path, "hub:\n  url: postgresql://ledger:url-password-77c3@db/ledger\n")
    assert problem.field == "hub.url" and "password" in problem.message
    assert "url-password-77c3" not in str(problem)
    assert redact("url-password-77c3") == "***"


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://db/ledger", "unsupported database 'mysql'"), ("::nonsense::", "not a database URL")],
)
def test_hub_url_errors(tmp_path: Path, url: str, message: str) -> None:
    problem = one_problem(tmp_path, f"hub:\n  url: '{url}'\n")
    assert problem.field == "hub.url" and message in problem.message


def test_sqlite_memory_and_absolute_paths_are_kept(tmp_path: Path) -> None:
    assert load(tmp_path, "hub: {url: 'sqlite://'}\n").hub.url == "sqlite://"
    assert (
        load(tmp_path, "hub: {url: 'sqlite:////var/lib/lb/hub.db'}\n").hub.url
        == "sqlite:////var/lib/lb/hub.db"
    )
