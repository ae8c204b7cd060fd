"""`sandbox up` → `init --sandbox` → open_connections: Slack and email clients reach their emulators."""

from __future__ import annotations

from pathlib import Path

import httpx

from ledgerbridge.config.loader import load_workspace
from ledgerbridge.config.templates import render_sandbox
from ledgerbridge.connectors.email.records import OutgoingEmail
from ledgerbridge.connectors.slack.records import SlackMessage
from ledgerbridge.engine.limits import LimiterRegistry
from ledgerbridge.runtimes.local.connections import open_connections
from ledgerbridge.sandbox.world import start_sandbox


async def test_slack_and_email_from_a_sandbox_workspace(tmp_path: Path) -> None:
    with start_sandbox(
        seed="demo", port_base=None, workdir=tmp_path, systems=["slack", "mailbox"]
    ) as sandbox:
        config = tmp_path / "ledgerbridge.yaml"
        config.write_text(render_sandbox(sandbox.info), encoding="utf-8")
        workspace = load_workspace(config)
        assert {c.system for c in workspace.connections.values()} == {"slack", "email"}
        async with open_connections(workspace, registry=LimiterRegistry()) as clients:
            posted = await clients["slack"].post_message(SlackMessage(text="March close: actuals loaded"))
            sent = await clients["email"].send(
                OutgoingEmail(subject="March close", text="Actuals loaded.", html="<p>Actuals loaded.</p>")
            )
        assert posted.ts and not sent.refused
        async with httpx.AsyncClient() as http:
            messages = (await http.get(f"{sandbox.urls['slack']}/_sandbox/slack/messages")).json()["messages"]
            mail = (await http.get(f"{sandbox.urls['mailbox']}/_sandbox/mail")).json()
        assert [m["text"] for m in messages] == ["March close: actuals loaded"]
        (message,) = mail["messages"]
        assert message["subject"] == "March close" and message["to"] == ["finance@sandbox.example.com"]
