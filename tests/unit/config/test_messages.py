"""Every problem in a file is reported at once, each with its line, its field as written, and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerbridge.config import NetSuiteConnection, Workspace
from ledgerbridge.config.messages import model_at
from ledgerbridge.config.problems import format_path

from .helpers import one_problem, problems

MANY = """\
connections:
  ns:
    system: netsuite
    account_id: "12 34"
    auth:
      type: tba
      consumer_key: {env: LB_M_CK}
      consumer_secret: plain-text-secret-0d9e
      token_id: {env: LB_M_TI}
    limits: {concurrency: 0, burst: 3}
flows:
  - name: gl-actuals-to-planning
    source: ns
    target: pigment
    trigger: {cron: "* * *"}
  - name: gl-actuals-to-planning
    source: ns
    target: ns
"""


def test_all_problems_are_reported_together_in_line_order(tmp_path: Path) -> None:
    found = problems(tmp_path, MANY, {"LB_M_CK": "ck-value-5501aa"})
    rendered = [f"{problem.line} {problem.field}: {problem.message}" for problem in found]
    assert rendered == [
        "6 connections.ns.account_id: '12 34' is not a NetSuite account id",
        "7 connections.ns.auth.token_secret: missing required key 'token_secret'",
        "10 connections.ns.auth.consumer_secret: inline credential: a secret must not be written in the "
        "workspace file",
        "11 connections.ns.auth.token_id: environment variable LB_M_TI is not set",
        "12 connections.ns.limits.burst: unknown key 'burst'",
        "12 connections.ns.limits.concurrency: must be at least 1",
        "16 flows[0].target: no connection named 'pigment'",
        "17 flows[0].trigger.cron: not a valid cron expression '* * *'",
        "18 flows[1].name: duplicate flow 'gl-actuals-to-planning' (first defined at flows[0])",
        "20 flows[1].target: flow 'gl-actuals-to-planning' writes to a pigment connection, "
        "but 'ns' is a netsuite connection",
    ]
    assert all(problem.hint for problem in found)


@pytest.mark.parametrize(
    ("connection", "field", "message"),
    [
        ("{system: pigment}", "connections.c", "needs at least one API key"),
        (
            "{system: slack, token: {env: LB_M_CK}, default_channel: general}",
            "connections.c.default_channel",
            "is not a Slack channel",
        ),
        (
            "{system: email, host: smtp.example.com, security: none, sender: a@x.io, recipients: [b@x.io]}",
            "connections.c.security",
            "unencrypted SMTP is only allowed for loopback hosts",
        ),
        (
            "{system: email, host: ::1, password: {env: LB_M_CK}, sender: a@x.io, recipients: [b@y.io]}",
            "connections.c.username",
            "a password needs a username",
        ),
        (
            "{system: email, host: 'smtp host', sender: a@example.com, recipients: [b@x.io]}",
            "connections.c.host",
            "is not a host name",
        ),
        (
            "{system: email, host: localhost, sender: nobody, recipients: [b@x.io]}",
            "connections.c.sender",
            "is not an e-mail address",
        ),
        (
            "{system: email, host: localhost, sender: a@example.com, recipients: []}",
            "connections.c.recipients",
            "must not be empty",
        ),
        (
            "{system: nue, api_key: {env: LB_M_CK}, ca_file: missing-ca.pem}",
            "connections.c.ca_file",
            "CA file 'missing-ca.pem' not found",
        ),
        (
            "{system: nue, api_key: {env: LB_M_CK}, base_url: 'https://user:pw@nue.example.com'}",
            "connections.c.base_url",
            "contains a user name or password",
        ),
        (
            "{system: nue, api_key: {env: LB_M_CK}, base_url: 'https://nue.example.com/?token=abc'}",
            "connections.c.base_url",
            "has a query string",
        ),
        (
            "{system: nue, api_key: {env: LB_M_CK}, base_url: 'ftp://nue.example.com'}",
            "connections.c.base_url",
            "is not a valid URL",
        ),
        (
            "{system: nue, api_key: {env: LB_M_CK}, limits: {headroom: 0.95}}",
            "connections.c.limits.headroom",
            "must be at most 0.9",
        ),
        (
            "{system: nue, api_key: {env: LB_M_CK}, timezone: Mars/Olympus}",
            "connections.c.timezone",
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            "{system: netsuite, account_id: '1', auth: {type: oauth1, x: 1}}",
            "connections.c.auth",
            "unknown type 'oauth1'",
        ),
        ("{api_key: {env: LB_M_CK}}", "connections.c", "missing 'system'"),
        ("just-a-string", "connections.c", "expected a mapping"),
    ],
)
def test_connection_rules(tmp_path: Path, connection: str, field: str, message: str) -> None:
    problem = one_problem(tmp_path, f"connections:\n  c: {connection}\n", {"LB_M_CK": "ck-value-5501aa"})
    assert (problem.field, problem.line) == (field, 4)
    assert message in problem.message
    assert problem.hint


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8701", True),
        ("http://localhost:8701/", True),
        ("http://[::1]:8701", True),
        ("http://127.8.9.10", True),
        ("https://1234567-sb1.suitetalk.api.netsuite.com", True),
        ("http://10.0.0.5:8701", False),
        ("http://localhost.evil.com", False),
    ],
)
def test_http_only_on_loopback(tmp_path: Path, url: str, ok: bool) -> None:
    body = f"connections:\n  c: {{system: nue, api_key: {{env: LB_M_CK}}, base_url: '{url}'}}\n"
    env = {"LB_M_CK": "ck-value-5501aa"}
    if ok:
        from .helpers import load

        assert load(tmp_path, body, env).connections["c"].system == "nue"
    else:
        assert "plain http is only allowed" in one_problem(tmp_path, body, env).message


def test_names_must_be_usable(tmp_path: Path) -> None:
    problem = one_problem(
        tmp_path,
        "connections:\n  'has space': {system: nue, api_key: {env: LB_M_CK}}\n",
        {"LB_M_CK": "ck-value-5501aa"},
    )
    assert problem.field == "connections.has space"
    assert "is not a usable name" in problem.message


def test_model_at_follows_unions_dicts_and_lists() -> None:
    assert model_at(Workspace, ("connections", "x", "netsuite")) is NetSuiteConnection
    assert model_at(Workspace, ("connections", "x", "netsuite", "auth", "tba")).__name__ == "TbaAuth"  # type: ignore[union-attr]
    assert model_at(Workspace, ("flows", 0, "trigger")).__name__ == "Trigger"  # type: ignore[union-attr]
    assert model_at(Workspace, ("connections", "x", "stripe")) is None
    assert model_at(Workspace, ("nowhere",)) is None


def test_format_path() -> None:
    assert format_path(("flows", 1, "trigger", "cron")) == "flows[1].trigger.cron"
    assert format_path(("mappings", "m", "rows", 0)) == "mappings.m.rows[0]"
    assert format_path(()) == ""
