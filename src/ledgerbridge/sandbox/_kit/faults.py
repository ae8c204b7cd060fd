"""Fault knobs shared by every emulator (DESIGN §5): what to break, how often, reproducibly.

The knobs are changed at run time through ``POST /_sandbox/faults``; a ``seed`` makes the random draws
repeatable so a test that injects 20 % errors sees the same requests fail on every run.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FaultSettings(BaseModel):
    """The fault and governance knobs of one emulator. Rates are probabilities per request (0..1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: share of requests answered 500/503 (the vendor's "unexpected error") instead of being served
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    #: share of requests answered 429 at random, on top of the concurrency and rate limits
    throttle_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    #: added to every request while it holds its concurrency slot (makes concurrency observable)
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    #: in-flight requests allowed at once; the next one is answered 429 (None = unlimited)
    concurrency_limit: int | None = Field(default=None, ge=1)
    #: requests allowed per rolling 60 s window; the next one is answered 429 + Retry-After (None = off)
    requests_per_minute: int | None = Field(default=None, ge=1)
    #: share of successful writes whose response is cut off after the write committed
    drop_response_after_commit_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    #: seeds the random draws (None = seeded from the OS: not reproducible)
    seed: int | None = None


class FaultInjector:
    """The current :class:`FaultSettings` plus the seeded random source the draws come from."""

    def __init__(self, defaults: FaultSettings | None = None) -> None:
        self._defaults = defaults or FaultSettings()
        self._lock = threading.Lock()
        self._settings = self._defaults
        self._random = random.Random(self._defaults.seed)

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    @property
    def defaults(self) -> FaultSettings:
        return self._defaults

    def configure(self, changes: Mapping[str, Any]) -> FaultSettings:
        """Apply a partial update (unknown or invalid knobs raise ``pydantic.ValidationError``).

        Passing ``seed`` restarts the random sequence, so ``{"error_rate": 0.5, "seed": 7}`` always fails
        the same requests.
        """
        with self._lock:
            merged = FaultSettings.model_validate({**self._settings.model_dump(), **dict(changes)})
            self._settings = merged
            if "seed" in changes:
                self._random = random.Random(merged.seed)
            return merged

    def reset(self) -> FaultSettings:
        """Back to the settings the emulator started with (and their seed)."""
        with self._lock:
            self._settings = self._defaults
            self._random = random.Random(self._defaults.seed)
            return self._settings

    def roll(self, rate: float) -> bool:
        """True with probability ``rate``; draws only when the knob is on, so the sequence is stable."""
        if rate <= 0.0:
            return False
        with self._lock:
            return self._random.random() < rate

    def choose(self, options: tuple[int, ...]) -> int:
        with self._lock:
            return self._random.choice(options)
