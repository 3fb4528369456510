"""heat.common.noauth: confirms every request as the user named in X-Auth-User (default admin)."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import Middleware


class NoAuthProtocol(Middleware):
    name = "heat.noauth"

    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        super().__init__(app)
        self.conf = conf

    def process_request(self, req: webob.Request) -> Any:
        user = req.headers.get("X-Auth-User", "admin")
        req.environ.update(
            HTTP_X_IDENTITY_STATUS="Confirmed", HTTP_X_USER_ID=user, HTTP_X_USER_NAME=user,
            HTTP_X_PROJECT_ID="admin", HTTP_X_ROLES="admin",
        )
        return None


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """Factory method for paste.deploy."""
    conf = global_conf.copy()
    conf.update(local_conf)

    def filter(app: Any) -> Any:
        return NoAuthProtocol(app, conf)

    return filter
