"""Sandbox ports (DESIGN §5): fixed offsets from a base (8700 by default), shifted by ``--port-base``."""

from __future__ import annotations

from types import MappingProxyType

DEFAULT_PORT_BASE = 8700

#: port offsets from the base: netsuite 8701 · nue 8702 · … · smtp 8725 · console/API 8765
PORT_OFFSETS = MappingProxyType(
    {
        "netsuite": 1,
        "nue": 2,
        "pigment": 3,
        "slack": 4,
        "salesforce": 5,
        "hubspot": 6,
        "workday": 7,
        "bamboohr": 8,
        "smtp": 25,
        # the SMTP emulator's mailbox (HTTP, /_sandbox/mail) beside its SMTP listener on "smtp"
        "mailbox": 26,
        "console": 65,
    }
)


def port_for(system: str, port_base: int = DEFAULT_PORT_BASE) -> int:
    """The loopback port of ``system`` for a given base; ValueError for unknown systems or bad bases."""
    try:
        offset = PORT_OFFSETS[system]
    except KeyError:
        known = ", ".join(sorted(PORT_OFFSETS))
        raise ValueError(f"unknown sandbox system {system!r} (known: {known})") from None
    if not 1024 <= port_base <= 65535 - max(PORT_OFFSETS.values()):
        raise ValueError(
            f"port base {port_base} is out of range: it must leave room for every sandbox port "
            f"(1024..{65535 - max(PORT_OFFSETS.values())})"
        )
    return port_base + offset


def all_ports(port_base: int = DEFAULT_PORT_BASE) -> dict[str, int]:
    """Every system's port for ``port_base``."""
    return {system: port_for(system, port_base) for system in PORT_OFFSETS}
