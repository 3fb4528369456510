"""barbican.api.middleware: Middleware, whose factory builds ``cls(app)``."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Middleware as _Middleware


class Middleware(_Middleware):
    @classmethod
    def factory(cls, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        def filter(app: Any) -> Any:
            return cls(app)

        return filter
