"""cinder.api.middleware.auth: the auth_strategy pipeline replica, noauth and the keystone context."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import KeystoneContext, load_pipeline, register_common_opts
from openstack_standin_kit import NoAuthMiddleware as _NoAuth
from oslo_config import cfg

register_common_opts()
CONF = cfg.CONF


def pipeline_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A paste pipeline replica that keys off of auth_strategy."""
    pipeline = local_conf[CONF.auth_strategy]
    if not CONF.api_rate_limit:
        limit_name = CONF.auth_strategy + "_nolimit"
        pipeline = local_conf.get(limit_name, pipeline)
    return load_pipeline(loader, pipeline.split())


class CinderKeystoneContext(KeystoneContext):
    name = "cinder.keystonecontext"


class NoAuthMiddleware(_NoAuth):
    name = "cinder.noauth"


class NoAuthMiddlewareIncludeProjectID(_NoAuth):
    name = "cinder.noauth_include_project_id"

    def process_request(self, req: webob.Request) -> Any:
        response = super().process_request(req)
        if response is not None:
            response.headers["X-Server-Management-Url"] += "/" + "admin"
        return response
