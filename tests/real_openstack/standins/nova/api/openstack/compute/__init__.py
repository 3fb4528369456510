"""nova.api.openstack.compute: APIRouterV21, a Routes mapper over the compute resources."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Router, resource_router


class APIRouterV21(Router):
    """Routes requests on the OpenStack API to the appropriate controller."""

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        """Simple paste factory, :class:`nova.api.wsgi.Router` doesn't have one."""
        return cls()

    def __init__(self) -> None:
        super().__init__(resource_router("nova", "servers", "flavors", "os-keypairs").map)
