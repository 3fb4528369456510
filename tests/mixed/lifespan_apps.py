"""Apps with lifespans for the loader's lifespan tests (built with Starlette)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

EVENTS: list[str] = []


def starlette_factory(global_conf: dict[str, Any], name: str = "app", fail: str = "") -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        EVENTS.append(f"startup {name}")
        if fail:
            raise RuntimeError(fail)
        yield {f"db_{name}": f"connection of {name}"}
        EVENTS.append(f"shutdown {name}")

    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse({
            "name": name,
            "db": request.state._state.get(f"db_{name}"),
            "root_path": request.scope.get("root_path"),
            "path": request.url.path,
        })

    return Starlette(routes=[Route("/{rest:path}", endpoint)], lifespan=lifespan)
