"""The connections a planning flow asks for, checked for the system they must be."""

from __future__ import annotations

from typing import TypeVar

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.base import FlowContext

C = TypeVar("C")


def typed_connection(ctx: FlowContext, name: str, kind: type[C], system: str, *, role: str) -> C:
    """The client of connection ``name``, which must be a ``system`` connection (``role``: where it is named).

    A wrong system is a configuration error, raised before any request, naming the setting to change.
    """
    client = ctx.connection(name)
    if not isinstance(client, kind):
        raise ConfigError(
            f"{ctx.flow}: connection {name!r} is not a {system} connection",
            hint=f"set the flow's {role} to a {system} connection",
        )
    return client
