"""The emulated account as the routes see it: settings, store, auth, jobs and the sandbox kit."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .._kit.middleware import SandboxKit
from .auth import Authenticator, Principal
from .jobs import JobManager
from .settings import EmulatorSettings
from .store import NetSuiteStore


@dataclass(frozen=True, slots=True)
class NetSuiteEmulator:
    """One emulated NetSuite account; ``create_app`` puts it on ``app.state.netsuite``."""

    settings: EmulatorSettings
    store: NetSuiteStore
    kit: SandboxKit
    auth: Authenticator
    jobs: JobManager


def emulator(request: Request) -> NetSuiteEmulator:
    """FastAPI dependency: the emulator behind this app."""
    found = request.app.state.netsuite
    if not isinstance(found, NetSuiteEmulator):  # pragma: no cover - wiring error
        raise RuntimeError("app.state.netsuite is not a NetSuiteEmulator")
    return found


async def require_login(request: Request) -> Principal:
    """FastAPI dependency on every vendor route: TBA or Bearer, else 401 INVALID_LOGIN."""
    return await emulator(request).auth.authenticate(request)
