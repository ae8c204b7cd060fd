"""Aligning metrics with different dimensions: the row space a formula or a table export runs over.

Pigment aligns metrics on their dimensions: ``Actuals - Budget`` where Budget also has a Version
dimension yields a result over Version as well, with Actuals repeated for each version. Over sparse data
the emulator spans a missing dimension only over the items that *carry data* in the operands that have
it (the versions Budget has cells in), not over every item of the list — the same cells a user sees in a
grid with "hide empty rows" on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from uuid import UUID

from .model import CellKey


@dataclass(frozen=True, slots=True)
class Operand:
    """One metric's cells and the dimensions they are keyed by."""

    dimensions: tuple[UUID, ...]
    cells: Mapping[CellKey, Decimal]


def projector(target: Sequence[UUID], dimensions: Sequence[UUID]) -> tuple[int, ...]:
    """Positions in a ``target`` key of each of ``dimensions`` (which must all be in ``target``)."""
    index = {dimension: position for position, dimension in enumerate(target)}
    return tuple(index[dimension] for dimension in dimensions)


def project(key: CellKey, positions: tuple[int, ...]) -> CellKey:
    return tuple(key[position] for position in positions)


def aligned_keys(target: Sequence[UUID], operands: Iterable[Operand]) -> set[CellKey]:
    """Every key over ``target`` where at least one operand has a cell, spanning missing dimensions over
    the items that carry data in the operands that have those dimensions."""
    operand_list = list(operands)
    carried: dict[UUID, set[UUID]] = {dimension: set() for dimension in target}
    for operand in operand_list:
        for key in operand.cells:
            for dimension, item in zip(operand.dimensions, key, strict=True):
                carried[dimension].add(item)
    keys: set[CellKey] = set()
    for operand in operand_list:
        missing = [dimension for dimension in target if dimension not in operand.dimensions]
        slots = {dimension: position for position, dimension in enumerate(operand.dimensions)}
        spans = [sorted(carried[dimension]) for dimension in missing]
        for key in operand.cells:
            for filler in product(*spans):
                fill = dict(zip(missing, filler, strict=True))
                keys.add(
                    tuple(
                        key[slots[dimension]] if dimension in slots else fill[dimension]
                        for dimension in target
                    )
                )
    return keys
