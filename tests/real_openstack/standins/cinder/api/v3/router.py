"""cinder.api.v3.router: APIRouter, Routes over the volume resources."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Router, resource_router


class APIRouter(Router):
    """Routes requests on the API to the appropriate controller and method."""

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        return cls()

    def __init__(self) -> None:
        super().__init__(resource_router("cinder", "volumes", "snapshots", "types", prefix="/{project_id}").map)
