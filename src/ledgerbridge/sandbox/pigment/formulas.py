"""Derived metrics: a small expression engine over metric cells, recalculated after every change.

A formula is arithmetic over metric names, as in Pigment: ``Actuals - Budget``, ``MRR * 12``,
``('Recognized Revenue' - 'Deferred Revenue') / 2``. Names with spaces are quoted with ``'``.
Operands are aligned on their dimensions (:mod:`.cube`); the result's dimensions must be exactly the
union of the operands' (the metric's declared dimensions).

Blank cells follow Pigment's arithmetic: in ``+``/``-`` a blank counts as zero unless both sides are blank
(then the result is blank); ``*`` and ``/`` with a blank, and division by zero, give a blank. Arithmetic is
``Decimal`` throughout, so ``Actuals - Budget`` is exact to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from uuid import UUID

from .cube import Operand, aligned_keys, project, projector
from .model import Application, CellKey, Metric

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|'(?P<quoted>[^']+)'|(?P<op>[-+*/()]))"
)


class FormulaError(ValueError):
    """A formula that does not parse, names an unknown metric, or does not fit its metric."""


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal


@dataclass(frozen=True, slots=True)
class Ref:
    name: str


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Number | Ref | Negate | Binary


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FormulaError(f"unexpected character at position {position} in formula {text!r}")
        kind = match.lastgroup
        assert kind is not None
        yield kind, match.group(kind)
        position = match.end()


class _Parser:
    """Recursive descent: expr := term (+|- term)*; term := unary (*|/ unary)*; unary := -unary | atom."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokens(text))
        self.position = 0

    def parse(self) -> Node:
        node = self._expression()
        if self.position != len(self.tokens):
            raise FormulaError(f"unexpected {self.tokens[self.position][1]!r} in formula {self.text!r}")
        return node

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise FormulaError(f"formula {self.text!r} ends too early")
        self.position += 1
        return token

    def _expression(self) -> Node:
        node = self._term()
        while (token := self._peek()) is not None and token in (("op", "+"), ("op", "-")):
            self._take()
            node = Binary(token[1], node, self._term())
        return node

    def _term(self) -> Node:
        node = self._unary()
        while (token := self._peek()) is not None and token in (("op", "*"), ("op", "/")):
            self._take()
            node = Binary(token[1], node, self._unary())
        return node

    def _unary(self) -> Node:
        if self._peek() == ("op", "-"):
            self._take()
            return Negate(self._unary())
        return self._atom()

    def _atom(self) -> Node:
        kind, text = self._take()
        if kind == "number":
            return Number(Decimal(text))
        if kind in ("name", "quoted"):
            return Ref(text)
        if (kind, text) == ("op", "("):
            node = self._expression()
            if self._take() != ("op", ")"):
                raise FormulaError(f"missing ')' in formula {self.text!r}")
            return node
        raise FormulaError(f"unexpected {text!r} in formula {self.text!r}")


def parse(text: str) -> Node:
    """Parse a formula into its tree (FormulaError on bad syntax)."""
    return _Parser(text).parse()


def references(node: Node) -> set[str]:
    """The metric names a formula reads."""
    if isinstance(node, Ref):
        return {node.name}
    if isinstance(node, Negate):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) | references(node.right)
    return set()


def _metric_named(application: Application, name: str) -> Metric:
    for metric in application.metrics():
        if name in (metric.name, metric.technical_name):
            return metric
    raise FormulaError(f"the formula names {name!r}, which is not a metric of {application.name!r}")


def dependencies(application: Application, metric: Metric) -> list[Metric]:
    """The metrics ``metric``'s formula reads, checked to fit its dimensions."""
    if metric.formula is None:
        return []
    names = references(parse(metric.formula))
    if not names:
        raise FormulaError(f"the formula of {metric.name!r} reads no metric")
    used = [_metric_named(application, name) for name in sorted(names)]
    union = {dimension for used_metric in used for dimension in used_metric.dimensions}
    if union != set(metric.dimensions):
        raise FormulaError(
            f"the formula of {metric.name!r} yields dimensions "
            f"{sorted(application.blocks[d].name for d in union)} but the metric has "
            f"{sorted(application.blocks[d].name for d in metric.dimensions)}"
        )
    return used


def calculation_order(application: Application) -> list[Metric]:
    """Derived metrics in an order where every metric comes after the ones it reads (cycles refused)."""
    derived = [metric for metric in application.metrics() if metric.formula is not None]
    ordered: list[Metric] = []
    state: dict[UUID, str] = {}

    def visit(metric: Metric, path: tuple[str, ...]) -> None:
        if state.get(metric.id) == "done":
            return
        if state.get(metric.id) == "visiting":
            raise FormulaError(
                f"formulas refer to each other in a cycle: {' -> '.join((*path, metric.name))}"
            )
        state[metric.id] = "visiting"
        for used in dependencies(application, metric):
            if used.formula is not None:
                visit(used, (*path, metric.name))
        state[metric.id] = "done"
        ordered.append(metric)

    for metric in derived:
        visit(metric, ())
    return ordered


Lookup = Callable[[CellKey], Decimal | None]


def _evaluate(node: Node, key: CellKey, lookups: dict[str, Lookup]) -> Decimal | None:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        return lookups[node.name](key)
    if isinstance(node, Negate):
        value = _evaluate(node.operand, key, lookups)
        return None if value is None else -value
    left = _evaluate(node.left, key, lookups)
    right = _evaluate(node.right, key, lookups)
    if node.op in "+-":
        if left is None and right is None:
            return None
        a, b = left or Decimal(0), right or Decimal(0)
        return a + b if node.op == "+" else a - b
    if left is None or right is None:
        return None
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right


def _lookup(metric: Metric, target: tuple[UUID, ...]) -> Lookup:
    positions = projector(target, metric.dimensions)
    cells = metric.cells
    return lambda key: cells.get(project(key, positions))


def evaluate(application: Application, metric: Metric) -> dict[CellKey, Decimal]:
    """The cells of a derived metric computed from the current cells of what it reads."""
    if metric.formula is None:
        raise FormulaError(f"{metric.name!r} is an input metric, not a derived one")
    tree = parse(metric.formula)
    used = dependencies(application, metric)
    lookups = {
        name: _lookup(_metric_named(application, name), metric.dimensions) for name in references(tree)
    }
    keys = aligned_keys(metric.dimensions, (Operand(m.dimensions, m.cells) for m in used))
    result: dict[CellKey, Decimal] = {}
    for key in keys:
        value = _evaluate(tree, key, lookups)
        if value is not None:
            result[key] = value
    return result


#: metric id → the cell keys whose value changed (None: unknown, so everything that reads it is redone)
Changes = Mapping[UUID, set[CellKey] | None]


def recalculate(application: Application, changed: Changes | None = None) -> None:
    """Bring every derived metric up to date.

    Without ``changed`` each derived metric is recomputed whole. With it, only metrics that read a changed
    metric are touched, and — when that is exact — only their cells that read a changed cell: an import
    of one month of actuals recomputes that month's variance, not the whole history.
    """
    dirty: dict[UUID, set[CellKey] | None] | None = dict(changed) if changed is not None else None
    for metric in calculation_order(application):
        if dirty is None:
            metric.cells = evaluate(application, metric)
            continue
        used = dependencies(application, metric)
        touched = {m.id: dirty[m.id] for m in used if m.id in dirty}
        if not touched:
            continue
        keys = _affected_keys(metric, used, touched)
        if keys is None:
            metric.cells = evaluate(application, metric)
            dirty[metric.id] = None
        else:
            dirty[metric.id] = _update(application, metric, used, keys)


def _affected_keys(
    metric: Metric, used: list[Metric], touched: Mapping[UUID, set[CellKey] | None]
) -> set[CellKey] | None:
    """The result keys that read a changed cell, or None when only a full recalculation is exact.

    Exact means the changed operands carry no dimension another operand lacks: then the items a missing
    dimension is spanned over (cube.py) come from unchanged operands and cannot have moved.
    """
    changed_operands = [m for m in used if m.id in touched]
    for operand in changed_operands:
        if touched[operand.id] is None:
            return None
        if any(d not in other.dimensions for d in operand.dimensions for other in used):
            return None
    carried: dict[UUID, set[UUID]] = {}
    spanned = {d for operand in changed_operands for d in metric.dimensions if d not in operand.dimensions}
    for dimension in spanned:
        holders = [m for m in used if dimension in m.dimensions]
        positions = [m.dimensions.index(dimension) for m in holders]
        carried[dimension] = {key[p] for m, p in zip(holders, positions, strict=True) for key in m.cells}
    affected: set[CellKey] = set()
    for operand in changed_operands:
        keys = touched[operand.id] or set()
        missing = [d for d in metric.dimensions if d not in operand.dimensions]
        slots = {d: position for position, d in enumerate(operand.dimensions)}
        spans = [sorted(carried[d]) for d in missing]
        for key in keys:
            for filler in product(*spans):
                fill = dict(zip(missing, filler, strict=True))
                affected.add(tuple(key[slots[d]] if d in slots else fill[d] for d in metric.dimensions))
    return affected


def _update(application: Application, metric: Metric, used: list[Metric], keys: set[CellKey]) -> set[CellKey]:
    """Re-evaluate ``keys`` of a derived metric in place; returns the keys whose value changed."""
    assert metric.formula is not None
    tree = parse(metric.formula)
    lookups = {
        name: _lookup(_metric_named(application, name), metric.dimensions) for name in references(tree)
    }
    operands = [(projector(metric.dimensions, m.dimensions), m.cells) for m in used]
    changed: set[CellKey] = set()
    for key in keys:
        # Only keys where some operand has a cell exist at all (the same domain as a full evaluation).
        present = any(project(key, positions) in cells for positions, cells in operands)
        value = _evaluate(tree, key, lookups) if present else None
        old = metric.cells.get(key)
        if value is None:
            if old is not None:
                del metric.cells[key]
                changed.add(key)
        elif old != value:
            metric.cells[key] = value
            changed.add(key)
    return changed
