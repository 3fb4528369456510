"""nova.api.auth: the pipeline replica keyed off [api] auth_strategy, and the keystone context."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import KeystoneContext, load_pipeline

from nova.conf import CONF


def _load_pipeline(loader: Any, pipeline: list[str]) -> Any:
    return load_pipeline(loader, pipeline)


def pipeline_factory_v21(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A paste pipeline replica that keys off of auth_strategy."""
    auth_strategy = CONF.api.auth_strategy
    return _load_pipeline(loader, local_conf[auth_strategy].split())


class NovaKeystoneContext(KeystoneContext):
    """Make a request context from keystone headers."""

    name = "nova.keystonecontext"
