"""The metadata endpoints (Modeling Metadata key): applications, blocks, views, import configurations.

Each answers a bare JSON array (notes §2.2: no ``{"applications": [...]}`` wrapper). The OAS lists only
200 and 401 for them, so a filter that matches nothing — an unknown id, or a value that is not a UUID —
gives ``[]``. Import configurations of a Table block are ``[]`` too (only lists and metrics take imports).
Only applications the key's owner can see are listed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .auth import Principal
from .context import PigmentEmulator, emulator, guard
from .model import Application
from .params import optional_uuid

router = APIRouter(prefix="/api/v1", tags=["metadata"])
_metadata_key = guard("ModelingMetadata")


def _applications(
    pigment: PigmentEmulator, principal: Principal, application_id: UUID | bool | None
) -> list[Application]:
    if application_id is False:
        return []
    apps = [app for app in pigment.store.workspace.applications.values() if principal.can_see(app)]
    return [app for app in apps if application_id is None or app.id == application_id]


@router.get("/applications")
def list_applications(
    principal: Principal = Depends(_metadata_key), pigment: PigmentEmulator = Depends(emulator)
) -> Response:
    with pigment.store.lock:
        body = [{"id": str(app.id), "name": app.name} for app in _applications(pigment, principal, None)]
    return ExactJSONResponse(body)


@router.get("/blocks")
def list_blocks(
    applicationId: str | None = None,
    principal: Principal = Depends(_metadata_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    with pigment.store.lock:
        body = [
            {"id": str(block.id), "name": block.name, "type": block.block_type}
            for app in _applications(pigment, principal, optional_uuid(applicationId))
            for block in app.blocks.values()
        ]
    return ExactJSONResponse(body)


@router.get("/views")
def list_views(
    applicationId: str | None = None,
    blockId: str | None = None,
    principal: Principal = Depends(_metadata_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    block_id = optional_uuid(blockId)
    body: list[dict[str, Any]] = []
    with pigment.store.lock:
        if block_id is not False:
            body = [
                {"id": str(view.id), "name": view.name, "type": view.type}
                for app in _applications(pigment, principal, optional_uuid(applicationId))
                for view in app.views.values()
                if block_id is None or view.block_id == block_id
            ]
    return ExactJSONResponse(body)


@router.get("/importConfigurations")
def list_import_configurations(
    applicationId: str | None = None,
    blockId: str | None = None,
    principal: Principal = Depends(_metadata_key),
    pigment: PigmentEmulator = Depends(emulator),
) -> Response:
    block_id = optional_uuid(blockId)
    body: list[dict[str, Any]] = []
    with pigment.store.lock:
        if block_id is not False:
            body = [
                {"id": str(config.id), "name": config.name}
                for app in _applications(pigment, principal, optional_uuid(applicationId))
                for config in app.configurations.values()
                if block_id is None or config.block_id == block_id
            ]
    return ExactJSONResponse(body)
