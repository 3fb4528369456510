"""neutron.api.extensions: ExtensionMiddleware from plugin_aware_extension_middleware_factory, ProjectIdMiddleware."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import Middleware, json_response


class ExtensionMiddleware(Middleware):
    """Extensions middleware for WSGI: answers /extensions, passes the rest on."""

    name = "neutron.extensions"

    def __init__(self, application: Any, ext_mgr: Any = None) -> None:
        super().__init__(application)
        self.ext_mgr = ext_mgr

    def process_request(self, req: webob.Request) -> Any:
        if req.path_info.rstrip("/") == "/extensions":
            return json_response({"extensions": [{"alias": alias} for alias in self.ext_mgr]})
        return None


def plugin_aware_extension_middleware_factory(global_config: dict[str, Any], **local_config: Any) -> Any:
    """Paste factory."""

    def _factory(app: Any) -> Any:
        return ExtensionMiddleware(app, ext_mgr=("router", "security-group", "port-security"))

    return _factory


class ProjectIdMiddleware(Middleware):
    name = "neutron.project_id"
