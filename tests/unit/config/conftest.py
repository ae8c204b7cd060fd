"""Fixtures for the config tests: the CLI app with the config commands, and the fixture folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ledgerbridge.interfaces.cli.config_cmds import register

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
VALID = HERE / "valid"

#: the environment variables valid/full.yaml references (fake, distinctive values)
VALID_ENV = {
    "LB_VALID_NUE_KEY": "nue-valid-env-key-6e2f90",
    "LB_VALID_SLACK_TOKEN": "xoxb-valid-env-token-1c7a55",
    "LB_VALID_SMTP_PASSWORD": "smtp-valid-env-pass-93be04",
}


@pytest.fixture
def cli_app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
