"""heat.api.openstack.v1: API, the WSGI router for the native API (built with heat's conf)."""

from __future__ import annotations

from typing import Any

import routes
from openstack_standin_kit import Controller, Resource, Router


class API(Router):
    """WSGI router for Heat v1 REST API requests."""

    def __init__(self, conf: Any, **local_conf: Any) -> None:
        self.conf = conf
        mapper = routes.Mapper()
        stacks = Resource(Controller("heat", "stacks"))
        mapper.connect("/{tenant_id}/stacks", controller=stacks, action="index", conditions={"method": ["GET"]})
        mapper.connect("/{tenant_id}/stacks", controller=stacks, action="create", conditions={"method": ["POST"]})
        mapper.connect("/{tenant_id}/stacks/{stack_name}", controller=stacks, action="show",
                       conditions={"method": ["GET"]})
        super().__init__(mapper)
