"""swift.common.middleware.healthcheck: answers GET /healthcheck with OK (503 when disable_path exists)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from swift.common.standin import StartResponse, mark


class HealthCheckMiddleware:
    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app
        self.disable_path = conf.get("disable_path", "")

    def __call__(self, env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        mark(env, "healthcheck")
        if env.get("PATH_INFO") == "/healthcheck":
            if self.disable_path and os.path.exists(self.disable_path):
                start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Content-Length", "8")])
                return [b"DISABLED"]
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"OK"]
        return self.app(env, start_response)  # type: ignore[no-any-return]


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    conf = global_conf.copy()
    conf.update(local_conf)

    def healthcheck_filter(app: Any) -> Any:
        return HealthCheckMiddleware(app, conf)

    return healthcheck_filter
