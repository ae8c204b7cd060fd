"""Small builders for config tests: write a workspace file and load it, or collect its problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from ledgerbridge.config import ConfigErrors, ConfigProblem, Workspace, load_workspace

HEAD = "version: 1\nworkspace: {name: acme, timezone: UTC}\n"


def write(folder: Path, body: str, name: str = "ledgerbridge.yaml") -> Path:
    path = folder / name
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def load(folder: Path, body: str, environ: Mapping[str, str] | None = None) -> Workspace:
    return load_workspace(write(folder, body), environ=environ or {})


def problems(folder: Path, body: str, environ: Mapping[str, str] | None = None) -> list[ConfigProblem]:
    with pytest.raises(ConfigErrors) as caught:
        load(folder, body, environ)
    return caught.value.problems


def one_problem(folder: Path, body: str, environ: Mapping[str, str] | None = None) -> ConfigProblem:
    found = problems(folder, body, environ)
    assert len(found) == 1, [str(problem) for problem in found]
    return found[0]
