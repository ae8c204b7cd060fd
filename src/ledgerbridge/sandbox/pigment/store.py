"""The emulated workspace's state: the live model behind one lock, and how it is (re)seeded.

Every read and write of the model happens under :attr:`PigmentStore.lock` — routes run in worker threads
and imports run in the background — so an export never sees half an import.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from .build import build_workspace
from .model import Application, Workspace
from .seed import seed_spec
from .spec import WorkspaceSpec


class PigmentStore:
    """One workspace; ``load_seed``/``load_spec`` replace it whole."""

    def __init__(self, *, today: date | None = None) -> None:
        self.lock = threading.RLock()
        self._today = today
        self._workspace = Workspace()

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    @contextmanager
    def locked(self) -> Iterator[Workspace]:
        with self.lock:
            yield self._workspace

    def load_seed(self, name: str) -> None:
        """Replace the workspace with a named seed (``empty`` or ``demo``)."""
        self.load_spec(seed_spec(name, today=self._today))

    def load_spec(self, spec: WorkspaceSpec) -> None:
        workspace = build_workspace(spec)  # built outside the lock: a bad spec leaves the old one in place
        with self.lock:
            self._workspace = workspace

    def load_fixture(self, document: Mapping[str, Any]) -> dict[str, int]:
        """``POST /_sandbox/seed``: a :class:`WorkspaceSpec` as JSON replaces the workspace."""
        try:
            spec = WorkspaceSpec.model_validate(dict(document))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"invalid workspace fixture at {where}: {first['msg']}") from None
        self.load_spec(spec)
        return self.counts()

    def counts(self) -> dict[str, int]:
        with self.lock:
            apps = list(self._workspace.applications.values())
            return {
                "applications": len(apps),
                "blocks": sum(len(app.blocks) for app in apps),
                "views": sum(len(app.views) for app in apps),
                "import_configurations": sum(len(app.configurations) for app in apps),
                "metric_cells": sum(len(metric.cells) for app in apps for metric in app.metrics()),
                "list_items": sum(len(block.items) for app in apps for block in app.lists()),
            }

    def application(self, application_id: UUID) -> Application | None:
        return self._workspace.applications.get(application_id)
