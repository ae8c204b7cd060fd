"""The kit every emulator uses: fault knobs, counters, limits, the ``/_sandbox`` routes, TLS, ports, JSON."""

from .admin import admin_router
from .faults import FaultInjector, FaultSettings
from .jsonbody import ExactJSONResponse, dumps, loads
from .limits import ConcurrencyGate, RateWindow
from .middleware import Rejection, SandboxKit, SandboxMiddleware
from .ports import DEFAULT_PORT_BASE, all_ports, port_for
from .stats import Stats
from .tls import TLSMaterial, make_tls_material

__all__ = [
    "DEFAULT_PORT_BASE",
    "ConcurrencyGate",
    "ExactJSONResponse",
    "FaultInjector",
    "FaultSettings",
    "RateWindow",
    "Rejection",
    "SandboxKit",
    "SandboxMiddleware",
    "Stats",
    "TLSMaterial",
    "admin_router",
    "all_ports",
    "dumps",
    "loads",
    "make_tls_material",
    "port_for",
]
