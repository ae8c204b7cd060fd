"""``ledgerbridge hub …`` and ``ledgerbridge runs``: read and repair the Transaction Hub from a terminal.

Every write here (retry, resolve) is an audit event naming the actor: ``cli:<os user>``.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.hub import IllegalTransition, NotFound, RecordView, State
from ledgerbridge.interfaces.cli.render import fail, fail_with, out, print_json, print_table
from ledgerbridge.interfaces.cli.workspace import open_hub, optional_workspace

hub_app = typer.Typer(
    help="The Transaction Hub: list, show, retry and resolve records.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
FlowOption = Annotated[str | None, typer.Option("--flow", help="only this flow")]


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _state(value: str | None) -> State | None:
    if value is None:
        return None
    try:
        return State(value)
    except ValueError:
        fail(f"unknown state {value!r}", hint=f"use one of: {', '.join(s.value for s in State)}")


def _summary_row(record: RecordView) -> tuple[object, ...]:
    error = record.error_message or ""
    return (
        record.id,
        record.flow,
        f"{record.source_type}:{record.source_id}",
        record.state,
        record.target_id or "",
        record.attempts,
        record.updated_at,
        error if len(error) <= 80 else error[:77] + "...",
    )


@hub_app.command("list")
def list_records(
    ctx: typer.Context,
    flow: FlowOption = None,
    state: Annotated[str | None, typer.Option("--state", help="pending, in_flight, transferred, …")] = None,
    text: Annotated[str | None, typer.Option("--text", help="match ids, external ids and error text")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Records, most recently updated first."""
    with open_hub(optional_workspace(ctx)) as hub:
        records = hub.list(flow=flow, state=_state(state), text=text, limit=limit, offset=offset)
    if as_json:
        print_json({"records": records, "limit": limit, "offset": offset})
        return
    columns = ("id", "flow", "source", "state", "target id", "attempts", "updated", "error")
    print_table(f"{len(records)} record(s)", columns, (_summary_row(record) for record in records))


@hub_app.command("show")
def show(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(help="the hub record id")],
    as_json: JsonFlag = False,
) -> None:
    """One record: ids, state, the payload sent, links and its audit trail."""
    with open_hub(optional_workspace(ctx)) as hub:
        record = hub.get(record_id)
        if record is None:
            fail(f"no hub record {record_id}", hint="`ledgerbridge hub list` shows the ids")
        links = hub.links(record_id)
        audit = hub.audit(record_id)
    if as_json:
        print_json({"record": record, "links": links, "audit": audit})
        return
    fields = (
        ("flow", record.flow),
        ("source", f"{record.source_system} {record.source_type} {record.source_id}"),
        ("external id", record.external_id),
        ("target", f"{record.target_system} {record.target_type} {record.target_id or '-'}"),
        ("state", record.state.value),
        ("attempts", record.attempts),
        ("next attempt", record.next_attempt_at),
        (
            "error",
            f"{record.error_class or ''} {record.error_vendor_code or ''} {record.error_message or ''}",
        ),
        ("mapping version", record.mapping_version),
        ("updated", record.updated_at),
    )
    print_table(f"record {record.id}", ("field", "value"), fields)
    if links:
        print_table(
            "links",
            ("parent", "child", "relation"),
            ((link.parent_id, link.child_id, link.relation) for link in links),
        )
    print_table(
        "audit trail",
        ("at", "actor", "action", "from", "to", "reason"),
        ((e.at, e.actor, e.action, e.from_state, e.to_state, e.reason) for e in audit),
    )
    out.print_json(data=record.payload)


@hub_app.command("retry")
def retry(
    ctx: typer.Context,
    record_ids: Annotated[list[int] | None, typer.Argument(help="record ids to retry")] = None,
    state: Annotated[str | None, typer.Option("--state", help="retry every record in this state")] = None,
    flow: FlowOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why (kept in the audit trail)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Send failed or action-needed records back to pending: by id, or every one in a state."""
    if bool(record_ids) == bool(state):
        fail(
            "give record ids or --state, not both and not neither",
            hint="e.g. `hub retry 12 13` or `hub retry --state failed`",
        )
    with open_hub(optional_workspace(ctx)) as hub:
        try:
            if record_ids:
                for record_id in record_ids:
                    hub.require(record_id)
                count = hub.retry(record_ids, actor=actor(), reason=reason)
            else:
                wanted = _state(state)
                assert wanted is not None
                count = hub.retry_matching(state=wanted, flow=flow, actor=actor(), reason=reason)
        except NotFound as exc:
            fail(exc.message, hint="`ledgerbridge hub list` shows the ids")
        except IllegalTransition as exc:
            fail(exc.message, hint="only failed and action_needed records can be retried")
        except LedgerbridgeError as exc:
            fail_with(exc)
    if as_json:
        print_json({"retried": count})
    else:
        out.print(f"{count} record(s) back to pending; the next run of their flow sends them.")


@hub_app.command("resolve")
def resolve(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(help="the hub record id")],
    reason: Annotated[
        str, typer.Option("--reason", help="why it needs no sending (kept in the audit trail)")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Close a failed or action-needed record by hand (state skipped), with a reason."""
    with open_hub(optional_workspace(ctx)) as hub:
        try:
            hub.resolve(record_id, actor=actor(), reason=reason)
        except NotFound as exc:
            fail(exc.message, hint="`ledgerbridge hub list` shows the ids")
        except IllegalTransition as exc:
            fail(exc.message, hint="only failed and action_needed records can be resolved")
        record = hub.require(record_id)
    if as_json:
        print_json({"record": record})
    else:
        out.print(f"record {record_id} resolved ({record.state.value}): {reason}")


@hub_app.command("stats")
def stats(ctx: typer.Context, flow: FlowOption = None, as_json: JsonFlag = False) -> None:
    """Records per flow and state."""
    with open_hub(optional_workspace(ctx)) as hub:
        counts = hub.stats(flow=flow)
    if as_json:
        print_json(counts)
        return
    states = [state.value for state in State]
    print_table(
        "records by state",
        ("flow", *states),
        ([name, *(by.get(s, 0) for s in states)] for name, by in counts.items()),
    )


def runs(
    ctx: typer.Context,
    flow: FlowOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: JsonFlag = False,
) -> None:
    """Run history: trigger, status, counters and API requests spent per connection."""
    with open_hub(optional_workspace(ctx)) as hub:
        history = hub.runs(flow=flow, limit=limit)
    if as_json:
        print_json({"runs": history})
        return

    def counts(mapping: dict[str, int]) -> str:
        return " ".join(f"{key}={value}" for key, value in mapping.items() if value)

    print_table(
        "runs",
        (
            "id",
            "flow",
            "trigger",
            "status",
            "started",
            "finished",
            "records",
            "requests",
            "throttled",
            "error",
        ),
        (
            (
                r.id,
                r.flow,
                r.trigger,
                r.status,
                r.started_at,
                r.finished_at,
                counts(r.counters),
                counts(r.requests),
                counts(r.throttled),
                r.error or "",
            )
            for r in history
        ),
    )
