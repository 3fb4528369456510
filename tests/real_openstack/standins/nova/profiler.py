"""nova.profiler: osprofiler's WSGI middleware when osprofiler is installed, else a no-op (as in nova)."""

from __future__ import annotations

from typing import Any

import webob
import webob.dec
from oslo_utils import importutils

profiler_web = importutils.try_import("osprofiler.web")


class WsgiMiddleware:
    def __init__(self, application: Any, **kwargs: Any) -> None:
        self.application = application

    @classmethod
    def factory(cls, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        if profiler_web:
            return profiler_web.WsgiMiddleware.factory(global_conf, **local_conf)

        def filter_(app: Any) -> Any:
            return cls(app, **local_conf)

        return filter_

    @webob.dec.wsgify
    def __call__(self, request: webob.Request) -> Any:
        return request.get_response(self.application)
