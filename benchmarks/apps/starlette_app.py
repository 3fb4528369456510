"""Hand-written Starlette apps: what a user would write instead of an INI.

``route_hello``: ``Starlette(routes=[Route("/", hello)])``. ``mount_<kind>``:
``Mount("/v2")`` over the raw leaf, under five pure-ASGI pass-through
middleware (the same :class:`benchmarks._stacks.PassThrough` the INI stacks use).

    uvicorn benchmarks.apps.starlette_app:mount_hello
"""

from __future__ import annotations

from typing import Any, cast

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from benchmarks._stacks import PassThrough
from benchmarks.apps.targets import ASGI_LEAVES, HELLO


async def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse(HELLO)


def _mounted(kind: str) -> Starlette:
    return Starlette(
        routes=[Mount("/v2", app=ASGI_LEAVES[kind])],
        middleware=[Middleware(cast(Any, PassThrough)) for _ in range(5)],
    )


route_hello = Starlette(routes=[Route("/", _hello)])
mount_hello = _mounted("hello")
mount_big = _mounted("big")
mount_echo = _mounted("echo")
mount_sleep = _mounted("sleep")
