"""glance.api.v2.router: API, the v2 Router over images, schemas and tasks."""

from __future__ import annotations

from typing import Any

import routes
from openstack_standin_kit import Controller, Resource

from glance.common import wsgi


class API(wsgi.Router):
    """WSGI router for Glance v2 API requests."""

    @classmethod
    def factory(cls, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        return cls(routes.Mapper())

    def __init__(self, mapper: routes.Mapper) -> None:
        images = Resource(Controller("glance", "images"))
        mapper.connect("/images", controller=images, action="index", conditions={"method": ["GET"]})
        mapper.connect("/images", controller=images, action="create", conditions={"method": ["POST"]})
        mapper.connect("/images/{image_id}", controller=images, action="show", conditions={"method": ["GET"]})
        mapper.connect("/images/{image_id}", controller=images, action="delete", conditions={"method": ["DELETE"]})
        schemas = Resource(Controller("glance", "schemas"))
        mapper.connect("/schemas/image", controller=schemas, action="show", conditions={"method": ["GET"]})
        super().__init__(mapper)
