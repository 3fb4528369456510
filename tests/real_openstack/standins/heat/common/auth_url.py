"""heat.common.auth_url: sets X-Auth-Url for the auth middleware."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Middleware


class AuthUrlFilter(Middleware):
    name = "heat.authurl"

    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        super().__init__(app)
        self.conf = conf


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """Factory method for paste.deploy."""
    conf = global_conf.copy()
    conf.update(local_conf)

    def filter(app: Any) -> Any:
        return AuthUrlFilter(app, conf)

    return filter
