"""nova.api.auth: pipeline_factory picks a pipeline by CONF.auth_strategy."""

from __future__ import annotations

from typing import Any

from nova.conf import CONF
from nova.wsgi import Middleware, make


def _load_pipeline(loader: Any, pipeline: list[str]) -> Any:
    filters = [loader.get_filter(n) for n in pipeline[:-1]]
    app = loader.get_app(pipeline[-1])
    filters.reverse()
    for filt in filters:
        app = filt(app)
    return app


def pipeline_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A paste pipeline replica that keys off of auth_strategy."""
    pipeline = local_conf[CONF.auth_strategy]
    if not CONF.api_rate_limit:
        limit_name = CONF.auth_strategy + "_nolimit"
        pipeline = local_conf.get(limit_name, pipeline)
    return _load_pipeline(loader, pipeline.split())


def pipeline_factory_v3(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    return _load_pipeline(loader, local_conf[CONF.auth_strategy].split())


NovaKeystoneContext = make("keystonecontext", Middleware)
