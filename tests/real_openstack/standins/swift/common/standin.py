"""The shapes every swift middleware has, for the pass-through stand-ins (not a module of swift itself).

Swift middleware are plain WSGI classes ``X(app, conf)`` with
``__call__(env, start_response)``; each module's ``filter_factory(global_conf,
**local_conf)`` merges the two confs and returns ``lambda app: X(app, conf)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

TRAIL = "swift.trail"
StartResponse = Callable[..., Any]


def mark(env: dict[str, Any], name: str) -> None:
    env[TRAIL] = [*env.get(TRAIL, []), name]


def json_answer(start_response: StartResponse, status: str, body: Any, *headers: tuple[str, str]) -> list[bytes]:
    data = json.dumps(body, sort_keys=True).encode()
    start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                            ("Content-Length", str(len(data))), *headers])
    return [data]


class PassThrough:
    """A swift middleware that only records that it ran."""

    name = "middleware"

    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app
        self.conf = conf

    def __call__(self, env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        mark(env, self.name)
        return self.app(env, start_response)  # type: ignore[no-any-return]


def make_filter_factory(name: str) -> Callable[..., Any]:
    klass = type(name, (PassThrough,), {"name": name})

    def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
        conf = global_conf.copy()
        conf.update(local_conf)

        def swift_filter(app: Any) -> Any:
            return klass(app, conf)

        return swift_filter

    return filter_factory


def make_app_factory(name: str) -> Callable[..., Any]:
    def app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
        conf = global_conf.copy()
        conf.update(local_conf)

        def server(env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            return json_answer(start_response, "200 OK", {"server": name})

        return server

    return app_factory
