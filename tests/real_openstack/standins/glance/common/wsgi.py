"""glance.common.wsgi: Middleware (factory -> filter(app) -> cls(app)), Router and Resource."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Middleware as _Middleware
from openstack_standin_kit import Request, Resource, Router

__all__ = ["Middleware", "Request", "Resource", "Router"]


class Middleware(_Middleware):
    @classmethod
    def factory(cls, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        def filter(app: Any) -> Any:
            return cls(app)

        return filter
