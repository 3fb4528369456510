"""heat.common.context: builds heat's request context from the identity headers."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import Middleware


class ContextMiddleware(Middleware):
    name = "heat.context"

    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        super().__init__(app)
        self.conf = conf

    def process_request(self, req: webob.Request) -> Any:
        req.environ["standin.context"] = {
            "user_id": req.environ.get("HTTP_X_USER_ID"),
            "project_id": req.environ.get("HTTP_X_PROJECT_ID"),
            "roles": req.environ.get("HTTP_X_ROLES", "").split(","),
        }
        return None


def ContextMiddleware_filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """Factory method for paste.deploy."""
    conf = global_conf.copy()
    conf.update(local_conf)

    def filter(app: Any) -> Any:
        return ContextMiddleware(app, conf)

    return filter
