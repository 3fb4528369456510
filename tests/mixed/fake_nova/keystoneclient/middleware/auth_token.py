from __future__ import annotations

from typing import Any

from nova.wsgi import Middleware, json_response


class AuthProtocol(Middleware):
    name = "authtoken"

    def process_request(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("HTTP_X_AUTH_TOKEN") != "valid-token":
            return json_response(start_response, "401 Unauthorized", {"error": "invalid token"})
        return None


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    def auth_filter(app: Any) -> Any:
        return AuthProtocol(app, **local_conf)

    return auth_filter
