"""neutron.auth: the auth_strategy pipeline replica, the keystone context and noauth's fake project id."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import KeystoneContext, Middleware, load_pipeline, register_common_opts
from oslo_config import cfg

register_common_opts()


class NeutronKeystoneContext(KeystoneContext):
    name = "neutron.keystonecontext"


class NoauthFakeProjectId(Middleware):
    """Add fake project_id for noauth auth_strategy."""

    name = "neutron.fake_project_id"

    def process_request(self, req: webob.Request) -> Any:
        ctx = {"user_id": "noauth", "project_id": req.headers.get("X-Project-Id", "fake_project_id")}
        req.environ["standin.context"] = ctx
        return None


def pipeline_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    """Create a paste pipeline based on the 'auth_strategy' config option."""
    pipeline = local_conf[cfg.CONF.auth_strategy]
    return load_pipeline(loader, pipeline.split())
