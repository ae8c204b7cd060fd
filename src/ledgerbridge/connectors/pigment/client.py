"""``PigmentClient``: the one object flows use to talk to a Pigment workspace.

It composes the kit — discovery (:mod:`.discovery`), imports (:mod:`.imports`), exports (:mod:`.exports`) —
over a single HTTP session, the push gate (300 pushes per configuration per hour) and the declared import
layouts. Counts of requests by kind are on :attr:`requests_sent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from types import TracebackType

import httpx

from ledgerbridge.errors import ConfigError

from . import discovery, exports, imports
from .config import ImportLayout, PigmentSettings
from .counts import RequestCounts
from .exportreq import FieldDelimiter, ListExport, MetricExport, TableExport
from .exports import ExportRows
from .gate import PushGate, SlidingWindowPushGate
from .records import Application, Block, ImportConfiguration, ImportReport, View
from .session import PigmentSession


class PigmentClient:
    """Discovery, CSV pushes with typed reports, and streamed exports against one Pigment workspace."""

    def __init__(
        self,
        settings: PigmentSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        push_gate: PushGate | None = None,
    ) -> None:
        self.settings = settings
        self._session = PigmentSession(settings, transport=transport)
        self.push_gate: PushGate = push_gate or SlidingWindowPushGate(
            settings.pushes_per_configuration, settings.push_window_seconds
        )
        # configuration names → ids, learnt from discovery (layouts may be declared by name)
        self._names: dict[str, str] = {}

    @property
    def requests_sent(self) -> RequestCounts:
        return self._session.requests_sent

    async def aclose(self) -> None:
        await self._session.aclose()

    async def __aenter__(self) -> PigmentClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- discovery ------------------------------------------------------------------------------------

    async def list_applications(self) -> list[Application]:
        return await discovery.list_applications(self._session)

    async def list_blocks(self, application_id: str | None = None) -> list[Block]:
        return await discovery.list_blocks(self._session, application_id)

    async def list_views(self, application_id: str | None = None, block_id: str | None = None) -> list[View]:
        return await discovery.list_views(self._session, application_id, block_id)

    async def list_import_configurations(
        self, application_id: str | None = None, block_id: str | None = None
    ) -> list[ImportConfiguration]:
        found = await discovery.list_import_configurations(self._session, application_id, block_id)
        self._names.update({config.name: config.id for config in found})
        return found

    async def discover_import_configurations(self) -> list[ImportConfiguration]:
        """Every configuration of every visible application, with application and block ids filled in."""
        result: list[ImportConfiguration] = []
        for application in await self.list_applications():
            for block in await self.list_blocks(application.id):
                if block.type == "Table":  # tables take no imports (their list is always empty)
                    continue
                result.extend(await self.list_import_configurations(application.id, block.id))
        return result

    # --- imports --------------------------------------------------------------------------------------

    def layout_for(self, configuration_id: str) -> ImportLayout | None:
        """The declared layout of a configuration: by id, else by a name learnt through discovery."""
        layouts = self.settings.import_layouts
        if configuration_id in layouts:
            return layouts[configuration_id]
        for name, config_id in self._names.items():
            if config_id == configuration_id and name in layouts:
                return layouts[name]
        return None

    async def push_csv(
        self,
        configuration_id: str,
        rows: Iterable[Mapping[str, object]],
        *,
        layout: ImportLayout | None = None,
    ) -> str:
        """Push ``rows`` as one CSV file in the configuration's exact layout; return the import id.

        ``layout`` overrides the declared one. Each row must have exactly the layout's columns.
        """
        chosen = layout or self.layout_for(configuration_id)
        if chosen is None and self.settings.metadata_key is not None and self.settings.import_layouts:
            await self.discover_import_configurations()  # the layout may be declared by name
            chosen = self.layout_for(configuration_id)
        if chosen is None:
            raise ConfigError(
                f"no import layout is declared for Pigment import configuration {configuration_id}",
                field="import_layouts",
                hint="Pigment's API does not return a configuration's header: declare its columns and "
                "delimiter (as saved in Pigment) under import_layouts",
            )
        name = next((n for n, i in self._names.items() if i == configuration_id), None)
        return await imports.push_csv(
            self._session, self.push_gate, configuration_id, chosen, rows, name=name
        )

    async def trigger_import(self, configuration_id: str) -> str:
        return await imports.trigger_import(self._session, configuration_id)

    async def import_status(self, import_id: str) -> ImportReport:
        return await imports.import_status(self._session, import_id)

    async def wait_for_import(
        self, import_id: str, *, allow_skipped: bool = False, max_wait: float | None = None
    ) -> ImportReport:
        return await imports.wait_for_import(
            self._session, import_id, allow_skipped=allow_skipped, max_wait=max_wait
        )

    # --- exports --------------------------------------------------------------------------------------

    def export_view(
        self, view_id: str, *, field_delimiter: FieldDelimiter = "Semicolon"
    ) -> AbstractAsyncContextManager[ExportRows]:
        return exports.export_view(self._session, view_id, field_delimiter=field_delimiter)

    def export_list(
        self, list_id: str, options: ListExport | None = None
    ) -> AbstractAsyncContextManager[ExportRows]:
        return exports.export_list(self._session, list_id, options)

    def export_metric(
        self, metric_id: str, options: MetricExport | None = None
    ) -> AbstractAsyncContextManager[ExportRows]:
        return exports.export_metric(self._session, metric_id, options)

    def export_table(
        self, table_id: str, options: TableExport | None = None
    ) -> AbstractAsyncContextManager[ExportRows]:
        return exports.export_table(self._session, table_id, options)
