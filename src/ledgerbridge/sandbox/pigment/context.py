"""The emulated workspace as the routes see it, and the check every vendor route starts with.

:func:`guard` is the dependency on each Pigment route: authenticate the key (401), count the request in
the 5-minute window (429 + ``Retry-After``), then check the key's type (401/403). The request window is
keyed by the key's fingerprint (or by client IP with ``rate_limit_scope="ip"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from .._kit.middleware import SandboxKit
from .auth import KeyRing, Principal
from .errors import PigmentError
from .jobs import ImportJobs
from .limits import SlidingWindow
from .settings import KeyType, PigmentSettings
from .store import PigmentStore

RATE_LIMIT_MESSAGE = (
    "Too Many Requests: the limit of {limit} requests per {minutes:g} minutes has been reached. "
    "Requests can resume once the time window resets."
)
PUSH_LIMIT_MESSAGE = (
    "Maximum number of reports per configuration per hour exceeded, maximum: {limit}. Please try again later."
)


@dataclass(frozen=True, slots=True)
class PigmentEmulator:
    """One emulated Pigment workspace; ``create_app`` puts it on ``app.state.pigment``."""

    settings: PigmentSettings
    store: PigmentStore
    kit: SandboxKit
    keys: KeyRing
    requests: SlidingWindow
    pushes: SlidingWindow
    jobs: ImportJobs

    def reset_limits(self) -> None:
        self.requests.reset()
        self.pushes.reset()

    def acquire_push(self, configuration_id: str) -> None:
        """Count one accepted push into a configuration, or refuse it with the OAS's 429."""
        wait = self.pushes.try_acquire(configuration_id)
        if wait is not None:
            self.kit.stats.record_throttled()
            raise PigmentError(
                429,
                PUSH_LIMIT_MESSAGE.format(limit=self.pushes.limit),
                headers={"Retry-After": str(wait)},
            )


def emulator(request: Request) -> PigmentEmulator:
    """FastAPI dependency: the emulator behind this app."""
    found = request.app.state.pigment
    if not isinstance(found, PigmentEmulator):  # pragma: no cover - wiring error
        raise RuntimeError("app.state.pigment is not a PigmentEmulator")
    return found


def guard(required: KeyType) -> Callable[[Request], Principal]:
    """The dependency for routes that take a ``required`` key."""

    def check(request: Request) -> Principal:
        pigment = emulator(request)
        principal = pigment.keys.authenticate(request.headers.get("authorization"))
        settings = pigment.settings
        if settings.rate_limit_scope == "ip":
            bucket = f"ip:{request.client.host if request.client else 'unknown'}"
        else:
            bucket = f"key:{principal.fingerprint}"
        wait = pigment.requests.try_acquire(bucket)
        if wait is not None:
            pigment.kit.stats.record_throttled()
            message = RATE_LIMIT_MESSAGE.format(
                limit=settings.requests_per_window, minutes=settings.window_seconds / 60
            )
            raise PigmentError(429, message, headers={"Retry-After": str(wait)})
        pigment.keys.authorize(principal, required)
        return principal

    return check
