"""Flow name → flow class. Only the stable names of DESIGN §5 may be registered.

Each flow package registers its class at import time (``@register``); :func:`discover` imports every
sub-package of ``ledgerbridge.flows`` so the runtime sees them all without a hand-kept list.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

from ledgerbridge.errors import Fatal
from ledgerbridge.flows.base import Flow

#: the stable flow names (DESIGN §5); the configuration refers to flows by these and nothing else
KNOWN_FLOWS: tuple[str, ...] = (
    "billing-to-erp",
    "erp-payments-to-billing",
    "gl-actuals-to-planning",
    "period-close",
    "ar-ap-to-planning",
    "hierarchy-to-planning",
    "revenue-to-planning",
    "budget-writeback",
    "crm-pipeline-to-planning",
    "hris-headcount-to-planning",
    "planning-to-warehouse",
    "forecast-digest",
)

F = TypeVar("F", bound=type[Flow])


class FlowRegistry:
    """A set of flow classes by name."""

    def __init__(self) -> None:
        self._flows: dict[str, type[Flow]] = {}

    def register(self, flow_cls: F) -> F:
        """Add ``flow_cls`` under its ``name``; usable as a class decorator. Re-registering it is harmless."""
        name = getattr(flow_cls, "name", None)
        if not isinstance(name, str) or name not in KNOWN_FLOWS:
            raise ValueError(
                f"{flow_cls.__qualname__}.name must be one of the stable flow names "
                f"({', '.join(KNOWN_FLOWS)}), got {name!r}"
            )
        existing = self._flows.get(name)
        if existing is not None and existing is not flow_cls:
            raise ValueError(
                f"flow {name!r} is already registered by {existing.__module__}.{existing.__qualname__}"
            )
        self._flows[name] = flow_cls
        return flow_cls

    def get(self, name: str) -> type[Flow]:
        """The class of flow ``name``; an unknown or unavailable name stops the run with a clear message."""
        try:
            return self._flows[name]
        except KeyError:
            if name in KNOWN_FLOWS:
                message = f"flow {name!r} is not available in this installation"
            else:
                message = f"unknown flow {name!r}"
            available = ", ".join(self.names()) or "none"
            raise Fatal(message, hint=f"available flows: {available}") from None

    def names(self) -> tuple[str, ...]:
        """Registered names, in the order of :data:`KNOWN_FLOWS`."""
        return tuple(name for name in KNOWN_FLOWS if name in self._flows)

    def __contains__(self, name: object) -> bool:
        return name in self._flows


_default = FlowRegistry()


def default_registry() -> FlowRegistry:
    return _default


def register(flow_cls: F) -> F:
    """Register a flow class in the default registry (class decorator)."""
    return _default.register(flow_cls)


def get(name: str) -> type[Flow]:
    return _default.get(name)


def names() -> tuple[str, ...]:
    return _default.names()


def discover(package: str = "ledgerbridge.flows") -> tuple[str, ...]:
    """Import every sub-package of ``package`` so their ``@register`` decorators run; return the names."""
    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__, prefix=f"{package}."):
        if info.ispkg:
            importlib.import_module(info.name)
    return names()
