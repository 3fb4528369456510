"""manila.api.v2.router: APIRouter, Routes over the share resources."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Router, resource_router


class APIRouter(Router):
    """Route requests to the share API (v2)."""

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        return cls()

    def __init__(self) -> None:
        super().__init__(resource_router("manila.v2", "shares", "share-networks", prefix="/{project_id}").map)
