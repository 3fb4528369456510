"""heat.api: root_app_factory (Paste's urlmap) and the flavor-keyed pipeline replica."""

from __future__ import annotations

from typing import Any

import paste.urlmap
from openstack_standin_kit import load_pipeline, register_common_opts
from oslo_config import cfg

register_common_opts()
CONF = cfg.CONF


def root_app_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    return paste.urlmap.urlmap_factory(loader, global_conf, **local_conf)


def pipeline_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A paste pipeline replica that keys off of deployment flavor."""
    pipeline = local_conf[CONF.paste_deploy.flavor or "default"]
    return load_pipeline(loader, pipeline.split())
