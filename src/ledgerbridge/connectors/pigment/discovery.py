"""Discovery through the metadata endpoints (Modeling Metadata key): applications, blocks, views and
import configurations. Each answers a bare JSON array (notes §2.2)."""

from __future__ import annotations

from .counts import RequestKind
from .records import (
    Application,
    Block,
    ImportConfiguration,
    View,
    parse_applications,
    parse_blocks,
    parse_import_configurations,
    parse_views,
)
from .session import PigmentSession

_V1 = "/api/v1"


def _params(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value is not None}


async def list_applications(session: PigmentSession) -> list[Application]:
    body = await session.send_json(
        RequestKind.METADATA, "ModelingMetadata", "GET", f"{_V1}/applications", "listing applications"
    )
    return parse_applications(body)


async def list_blocks(session: PigmentSession, application_id: str | None = None) -> list[Block]:
    body = await session.send_json(
        RequestKind.METADATA,
        "ModelingMetadata",
        "GET",
        f"{_V1}/blocks",
        "listing blocks",
        params=_params(applicationId=application_id),
    )
    return parse_blocks(body, application_id)


async def list_views(
    session: PigmentSession, application_id: str | None = None, block_id: str | None = None
) -> list[View]:
    body = await session.send_json(
        RequestKind.METADATA,
        "ModelingMetadata",
        "GET",
        f"{_V1}/views",
        "listing views",
        params=_params(applicationId=application_id, blockId=block_id),
    )
    return parse_views(body)


async def list_import_configurations(
    session: PigmentSession, application_id: str | None = None, block_id: str | None = None
) -> list[ImportConfiguration]:
    """The configurations, each with the layout declared for it in the settings (by id, else by name)."""
    body = await session.send_json(
        RequestKind.METADATA,
        "ModelingMetadata",
        "GET",
        f"{_V1}/importConfigurations",
        "listing import configurations",
        params=_params(applicationId=application_id, blockId=block_id),
    )
    return parse_import_configurations(
        body, application_id=application_id, block_id=block_id, layouts=session.settings.import_layouts
    )
