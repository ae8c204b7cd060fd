"""`ledgerbridge config check` on broken workspace files: one clear line each, file:line: field, exit 2.

Each fixture in broken/ starts with `# expect: LINE FIELD :: MESSAGE` (FIELD `-` when there is none), so the
expectation sits beside the defect it describes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ledgerbridge.config import ConfigErrors, load_workspace

from .conftest import BROKEN

_EXPECT_RE = re.compile(r"^# expect: (\d+) (\S+) :: (.+)$")
FIXTURES = sorted(path for path in BROKEN.glob("*.yaml") if not path.name.startswith("_"))


@dataclass(frozen=True)
class Expected:
    line: int
    field: str | None
    message: str


def expected(path: Path) -> Expected:
    match = _EXPECT_RE.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} has no '# expect:' header"
    line, field, message = match.groups()
    return Expected(int(line), None if field == "-" else field, message)


def test_there_are_enough_broken_files() -> None:
    assert len(FIXTURES) >= 14


@pytest.fixture(autouse=True)
def _in_broken_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # run from the fixture folder so messages name the file as a user would type it
    monkeypatch.chdir(BROKEN)
    monkeypatch.delenv("LB_FIXTURE_UNSET_NUE_KEY", raising=False)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_config_check_prints_one_located_error(path: Path, cli_app: typer.Typer, runner: CliRunner) -> None:
    want = expected(path)
    result = runner.invoke(cli_app, ["config", "check", "--path", path.name])

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    prefix = f"{path.name}:{want.line}: " + (f"{want.field}: " if want.field else "")
    assert lines[0].startswith(prefix), lines[0]
    assert want.message in lines[0]
    assert " — " in lines[0], "every error says how to fix it"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_config_check_json(path: Path, cli_app: typer.Typer, runner: CliRunner) -> None:
    want = expected(path)
    result = runner.invoke(cli_app, ["config", "check", "--path", path.name, "--json"])

    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert len(report["errors"]) == 1
    error = report["errors"][0]
    assert set(error) == {"file", "line", "field", "message", "hint"}
    assert (error["file"], error["line"], error["field"]) == (path.name, want.line, want.field)
    assert want.message in error["message"]
    assert error["hint"]


def test_suggestions_for_near_misses() -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_workspace(Path("unknown_nested_key.yaml"))
    assert "did you mean 'timeout_seconds'?" in (caught.value.problems[0].hint or "")

    with pytest.raises(ConfigErrors) as caught:
        load_workspace(Path("unknown_flow.yaml"))
    assert "did you mean 'billing-to-erp'?" in (caught.value.problems[0].hint or "")

    with pytest.raises(ConfigErrors) as caught:
        load_workspace(Path("bad_timezone.yaml"))
    assert "did you mean 'Europe/Paris'?" in (caught.value.problems[0].hint or "")


def test_inline_secret_value_is_never_printed(cli_app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(cli_app, ["config", "check", "--path", "inline_secret.yaml", "--json"])
    assert "nue-live-inline-8c41f2aa" not in result.output
    result = runner.invoke(cli_app, ["config", "check", "--path", "inline_secret.yaml"])
    assert "nue-live-inline-8c41f2aa" not in result.output
    assert "{env: NAME}" in result.output


def test_missing_file_is_a_clean_error(cli_app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(cli_app, ["config", "check", "--path", "does-not-exist.yaml"])
    assert result.exit_code == 2
    assert result.stdout.strip() == (
        "does-not-exist.yaml: file not found — run `ledgerbridge init` to create one, "
        "or point --path at your workspace file"
    )
