"""JSON in and out of the emulators with exact money: ``Decimal`` is written and read as a JSON number.

The standard library can only write a ``Decimal`` by converting it to ``float`` first, which turns
``0.1 + 0.2`` style values into ``0.30000000000000004`` on the wire. Vendors send amounts as JSON numbers, so
the emulators must too — digit for digit. :func:`dumps` writes every ``Decimal`` from ``str(value)``
(plain notation, no exponent) and :func:`loads` reads every non-integer number as ``Decimal``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from ledgerbridge.money import json_dumps, json_loads


def dumps(value: Any) -> bytes:
    """Serialise ``value`` to compact UTF-8 JSON; ``Decimal`` becomes an exact JSON number.

    Floats pass (latencies and rates in the control surface are not money); bodies without a Decimal take the
    C encoder's fast path, which matters for 1,000-row SuiteQL pages.
    """
    return json_dumps(value, allow_float=True)


def loads(raw: bytes | str) -> Any:
    """Parse JSON; non-integer numbers become ``Decimal`` (never ``float``)."""
    return json_loads(raw)


class ExactJSONResponse(JSONResponse):
    """A JSON response whose ``Decimal`` values are written exactly (see module docstring)."""

    def render(self, content: Any) -> bytes:
        return dumps(content)
