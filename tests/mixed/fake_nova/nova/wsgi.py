"""nova.wsgi's Middleware/Application shapes, in plain WSGI."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def json_response(start_response: Any, status: str, body: dict[str, Any],
                  headers: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "application/json"), *(headers or [])])
    return [json.dumps(body).encode()]


class Application:
    name = "app"

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        return cls(**local_config)

    def __init__(self, **local_config: Any) -> None:
        self.config = local_config

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        trail = environ.get("nova.trail", [])
        return json_response(start_response, "200 OK", {
            "app": self.name,
            "script_name": environ.get("SCRIPT_NAME", ""),
            "path_info": environ.get("PATH_INFO", ""),
            "trail": trail,
            "context": environ.get("nova.context"),
        })


class Middleware:
    """Each middleware appends its name to environ['nova.trail'] on the way in."""

    name = "middleware"

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        def _factory(app: Any) -> Any:
            return cls(app, **local_config)

        return _factory

    def __init__(self, application: Any, **local_config: Any) -> None:
        self.application = application
        self.config = local_config

    def process_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
        return None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["nova.trail"] = [*environ.get("nova.trail", []), self.name]
        response = self.process_request(environ, start_response)
        if response is not None:
            return response
        return self.application(environ, start_response)


def make(name: str, base: type) -> type:
    return type(name, (base,), {"name": name})
