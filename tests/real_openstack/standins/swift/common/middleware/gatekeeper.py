"""swift.common.middleware.gatekeeper: strips X-Backend-* and X-Object-Sysmeta-* headers from clients' requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from swift.common.standin import StartResponse, mark

INBOUND = ("HTTP_X_BACKEND_", "HTTP_X_OBJECT_SYSMETA_", "HTTP_X_CONTAINER_SYSMETA_", "HTTP_X_ACCOUNT_SYSMETA_")


class GatekeeperMiddleware:
    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app

    def __call__(self, env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        mark(env, "gatekeeper")
        for key in [key for key in env if key.startswith(INBOUND)]:
            del env[key]
        return self.app(env, start_response)  # type: ignore[no-any-return]


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    conf = global_conf.copy()
    conf.update(local_conf)

    def gatekeeper_filter(app: Any) -> Any:
        return GatekeeperMiddleware(app, conf)

    return gatekeeper_filter
