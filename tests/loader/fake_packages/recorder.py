"""Factories that record how they were called, for differential tests.

The same INI runs through PasteDeploy and asgipaste; each factory call appends
``(kind, global_conf, local_conf)`` to ``CALLS``, and the two lists must match.
The objects they return are ASGI so asgipaste can classify them; PasteDeploy
never calls them.
"""

from __future__ import annotations

from typing import Any

import webob
import webob.dec

CALLS: list[tuple[str, dict[str, Any], dict[str, Any]]] = []


def _record(kind: str, global_conf: dict[str, Any], local_conf: dict[str, Any]) -> None:
    CALLS.append((kind, dict(global_conf), dict(local_conf)))


class App:
    def __init__(self, conf: dict[str, Any], children: dict[str, Any] | None = None) -> None:
        self.conf = conf
        self.children = children or {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"recorded"})


class Filtered:
    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app
        self.conf = conf

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def app_factory(global_conf: dict[str, Any], **local_conf: Any) -> App:
    _record("app", global_conf, local_conf)
    return App(local_conf)


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    _record("filter", global_conf, local_conf)

    def make(app: Any) -> Filtered:
        _record("filter_applied", {}, dict(local_conf))
        return Filtered(app, local_conf)

    return make


def filter_app_factory(app: Any, global_conf: dict[str, Any], **local_conf: Any) -> Filtered:
    _record("filter_app", global_conf, local_conf)
    return Filtered(app, local_conf)


def composite_factory(loader: Any, global_conf: dict[str, Any], **local_conf: Any) -> App:
    """Loads every key starting with '/' (forwarding global_conf, as urlmap does)
    and every key starting with 'app.' (not forwarding, as nova's pipeline_factory)."""
    _record("composite", global_conf, local_conf)
    children = {}
    for key, value in local_conf.items():
        if key.startswith("/"):
            children[key] = loader.get_app(value, global_conf=global_conf)
        elif key.startswith("app."):
            children[key] = loader.get_app(value)
        elif key.startswith("pipeline."):
            names = value.split()
            app = loader.get_app(names[-1])
            for name in reversed(names[:-1]):
                app = loader.get_filter(name)(app)
            children[key] = app
    return App(local_conf, children)


composite_factory.__asgipaste_protocol__ = "asgi"  # type: ignore[attr-defined]


def server_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    _record("server", global_conf, local_conf)

    def serve(app: Any) -> None:
        _record("serve", {}, {})

    return serve


def server_runner(app: Any, global_conf: dict[str, Any], **local_conf: Any) -> None:
    _record("server_runner", global_conf, local_conf)


# -- WSGI shapes, written the way legacy code writes them ---------------------
class WSGIApp:
    """A WebOb-era app: ``webob.dec.wsgify`` on ``__call__`` (nova, oslo.middleware)."""

    def __init__(self, conf: dict[str, Any], children: dict[str, Any] | None = None) -> None:
        self.conf = conf
        self.children = children or {}

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        return webob.Response(text="recorded-wsgi")


class WSGIFiltered:
    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app
        self.conf = conf

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> Any:
        return req.get_response(self.app)


def wsgi_app_factory(global_conf: dict[str, Any], **local_conf: Any) -> WSGIApp:
    _record("wsgi_app", global_conf, local_conf)
    return WSGIApp(local_conf)


def wsgi_filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """oslo.middleware's shape: the factory returns a plain function (protocol unknowable)."""
    _record("wsgi_filter", global_conf, local_conf)

    def middleware_filter(app: Any) -> WSGIFiltered:
        _record("wsgi_filter_applied", {}, dict(local_conf))
        return WSGIFiltered(app, local_conf)

    return middleware_filter


def legacy_composite_factory(loader: Any, global_conf: dict[str, Any], **local_conf: Any) -> WSGIApp:
    """An undeclared composite, as PasteDeploy-era code writes one (returns WSGI)."""
    _record("legacy_composite", global_conf, local_conf)
    children = {}
    for key, value in local_conf.items():
        if key.startswith("/"):
            children[key] = loader.get_app(value, global_conf=global_conf)
        elif key.startswith("pipeline."):
            names = value.split()
            app = loader.get_app(names[-1])
            for name in reversed(names[:-1]):
                app = loader.get_filter(name)(app)
            children[key] = app
    return WSGIApp(local_conf, children)
