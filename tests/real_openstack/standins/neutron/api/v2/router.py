"""neutron.api.v2.router: APIRouter.factory builds the v2.0 API (Routes over the core resources)."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import resource_router


class APIRouter:
    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        return resource_router("neutron", "networks", "subnets", "ports")
