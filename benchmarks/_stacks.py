"""Factories and generated INI files shared by the loading and pipeline benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asgipaste.lifespan import acknowledge_lifespan


async def hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await acknowledge_lifespan(receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


class PassThrough:
    """A pure-ASGI pass-through middleware (config in __init__, nothing per request)."""

    def __init__(self, app: Any, **options: Any) -> None:
        self.app = app
        self.options = options

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def app_factory(global_conf: dict[str, str], **local: str) -> Any:
    return hello


def filter_factory(global_conf: dict[str, str], **local: str) -> Any:
    def make(app: Any) -> PassThrough:
        return PassThrough(app, **local)

    return make


def wsgi_hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, world!"]


class WSGIPassThrough:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.app(environ, start_response)


def wsgi_app_factory(global_conf: dict[str, str], **local: str) -> Any:
    return wsgi_hello


def wsgi_filter_factory(global_conf: dict[str, str], **local: str) -> Any:
    return WSGIPassThrough


def generated_ini(sections: int, *, wsgi: bool = False) -> str:
    """A urlmap over pipelines of three filters and an app: about ``sections`` sections."""
    prefix = "wsgi_" if wsgi else ""
    groups = max(1, (sections - 1) // 5)
    lines = ["[composite:main]", "use = egg:Paste#urlmap"]
    lines += [f"/api{i} = pipe{i}" for i in range(groups)]
    for i in range(groups):
        lines += [
            f"[pipeline:pipe{i}]",
            f"pipeline = fa{i} fb{i} fc{i} app{i}",
            f"[app:app{i}]",
            f"use = call:benchmarks._stacks:{prefix}app_factory",
            f"name = app{i}",
        ]
        for f in ("fa", "fb", "fc"):
            lines += [f"[filter:{f}{i}]", f"use = call:benchmarks._stacks:{prefix}filter_factory", "level = 1"]
    return "\n".join(lines) + "\n"


def five_filter_ini(*, wsgi: bool) -> str:
    """(b) of the HTTP benchmarks: /v2 -> a pipeline of five pass-through filters and a hello app."""
    prefix = "wsgi_" if wsgi else ""
    filters = " ".join(f"f{i}" for i in range(5))
    lines = ["[composite:main]", "use = egg:Paste#urlmap", "/v2 = api",
             "[pipeline:api]", f"pipeline = {filters} hello",
             "[app:hello]", f"use = call:benchmarks._stacks:{prefix}app_factory"]
    for i in range(5):
        lines += [f"[filter:f{i}]", f"use = call:benchmarks._stacks:{prefix}filter_factory"]
    return "\n".join(lines) + "\n"
