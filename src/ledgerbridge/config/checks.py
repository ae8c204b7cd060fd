"""Checks that span several parts of the file: flow → connection references, duplicate flows, YAML numbers.

They run on the raw YAML data, independently of model validation, so that a file with a bad cron line *and*
a flow pointing at a missing connection reports both at once. Each check skips values of the wrong shape:
those are model-validation errors and are reported there, once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarint import ScalarInt

from ledgerbridge.config.base import one_of, suggest
from ledgerbridge.config.connections import SYSTEMS
from ledgerbridge.config.flows import FLOW_SYSTEMS

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One finding: where (field path), what, and how to fix it."""

    path: FieldPath
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class FlowRef:
    """The parts of a flow entry the reference checks look at (None where absent or not text)."""

    index: int
    name: str | None
    source: str | None
    target: str | None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def raw_views(data: Any) -> tuple[dict[str, str | None], list[FlowRef]] | None:
    """Connections (name → system) and flow references from raw data; None if the shapes are wrong."""
    if not isinstance(data, Mapping):
        return None
    connections_raw = data.get("connections") or {}
    flows_raw = data.get("flows") or []
    if not isinstance(connections_raw, Mapping) or not isinstance(flows_raw, list):
        return None
    connections = {
        str(name): _text(body.get("system")) if isinstance(body, Mapping) else None
        for name, body in connections_raw.items()
    }
    flows = [
        FlowRef(index, _text(flow.get("name")), _text(flow.get("source")), _text(flow.get("target")))
        for index, flow in enumerate(flows_raw)
        if isinstance(flow, Mapping)
    ]
    return connections, flows


def _article(system: str) -> str:
    return f"an {system}" if system[0] in "aeiou" else f"a {system}"


def _endpoint_problem(
    flow: FlowRef, role: str, connection: str, connections: Mapping[str, str | None]
) -> Problem | None:
    path: FieldPath = ("flows", flow.index, role)
    if connection not in connections:
        defined = one_of(connections) if connections else "none yet"
        hint = suggest(connection, connections) or f"define it under connections: (defined: {defined})"
        return Problem(path, f"no connection named '{connection}'", hint)
    system = connections[connection]
    if flow.name not in FLOW_SYSTEMS or system not in SYSTEMS:
        return None  # unknown flow or system: reported by model validation
    allowed = getattr(FLOW_SYSTEMS[flow.name], role)
    if system in allowed:
        return None
    wanted = " or ".join(allowed)
    verb = "reads from" if role == "source" else "writes to"
    assert system is not None
    return Problem(
        path,
        f"flow '{flow.name}' {verb} {_article(wanted)} connection, "
        f"but '{connection}' is {_article(system)} connection",
        f"set {role}: to the name of {_article(wanted)} connection",
    )


def reference_problems(connections: Mapping[str, str | None], flows: Sequence[FlowRef]) -> list[Problem]:
    """Duplicate flow names and source/target references that are missing or of the wrong system."""
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for flow in flows:
        if flow.name is not None:
            if flow.name in first_index:
                problems.append(
                    Problem(
                        ("flows", flow.index, "name"),
                        f"duplicate flow '{flow.name}' (first defined at flows[{first_index[flow.name]}])",
                        "each flow may appear once: merge the two entries or remove one",
                    )
                )
            first_index.setdefault(flow.name, flow.index)
        for role, connection in (("source", flow.source), ("target", flow.target)):
            if connection is not None:
                problem = _endpoint_problem(flow, role, connection, connections)
                if problem is not None:
                    problems.append(problem)
    return problems


def _leading_zero(value: Any) -> bool:
    # ruamel keeps the written width of an integer: `0100` has width 4 but prints as 100
    width = getattr(value, "_width", None)
    return isinstance(value, ScalarInt) and isinstance(width, int) and width > len(str(abs(int(value))))


def _walk_rows(root: Any) -> Iterator[tuple[FieldPath, Any]]:
    mappings = root.get("mappings") if isinstance(root, CommentedMap) else None
    if not isinstance(mappings, CommentedMap):
        return
    for name, body in mappings.items():
        rows = body.get("rows") if isinstance(body, CommentedMap) else None
        if not isinstance(rows, CommentedSeq):
            continue
        for index, row in enumerate(rows):
            if isinstance(row, CommentedMap):
                for column, value in row.items():
                    yield ("mappings", str(name), "rows", index, str(column)), value


def number_problems(root: Any) -> list[Problem]:
    """Inline mapping cells written as numbers with leading zeros: YAML would silently drop the zeros."""
    return [
        Problem(
            path,
            f"a number with leading zeros loses them in YAML (it would read as {int(value)})",
            "quote the value, e.g. '0100'",
        )
        for path, value in _walk_rows(root)
        if _leading_zero(value)
    ]
