"""Request counters every emulator serves at ``GET /_sandbox/stats`` (DESIGN §5).

Tests and benchmarks read them to prove request budgets ("a 250-record batch upsert spends 3 submission
requests") and that a client stays under the limits ("zero 429s").
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


class Stats:
    """Thread-safe counters; ``/_sandbox/*`` requests are never counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests_total = 0
        self._by_route: Counter[str] = Counter()
        self._throttled_total = 0
        self._faults_injected_total = 0

    def record_request(self, route: str) -> None:
        with self._lock:
            self._requests_total += 1
            self._by_route[route] += 1

    def record_throttled(self) -> None:
        with self._lock:
            self._throttled_total += 1

    def record_fault(self) -> None:
        with self._lock:
            self._faults_injected_total += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests_total": self._requests_total,
                "requests_by_route": dict(sorted(self._by_route.items())),
                "throttled_total": self._throttled_total,
                "faults_injected_total": self._faults_injected_total,
            }

    def reset(self) -> None:
        with self._lock:
            self._requests_total = 0
            self._by_route.clear()
            self._throttled_total = 0
            self._faults_injected_total = 0


def route_key_for(routers: Sequence[APIRouter]) -> Callable[[Scope], str]:
    """Count requests per route template (``GET /services/rest/record/v1/{record_type}/{key}``).

    Matched before the app runs (a refused request never reaches the router), in include order, against
    the routers' own routes, whose paths already carry their prefixes.
    """
    routes = [route for router in routers for route in router.routes]

    def route_key(scope: Scope) -> str:
        method = scope.get("method", "")
        for route in routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return f"{method} {getattr(route, 'path', '?')}"
        return f"{method} (no route)"

    return route_key
