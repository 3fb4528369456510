"""Lifespan reaches every app of a loaded INI, under a real uvicorn (starlette #649).

Mounted Starlette apps under the urlmap, and an ASGI app hidden behind a WSGI
filter (bridged), start in order, stop in reverse, and their lifespan state is
visible to their own requests. A failing child fails the whole startup, named.
"""

from __future__ import annotations

import asyncio
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from asgipaste import load_stack, loadapp
from tests._server import running_server
from tests.mixed import lifespan_apps

MOD = "tests.mixed.lifespan_apps"

INI = f"""
[composite:main]
use = egg:Paste#urlmap
/a = a
/b = tagged_b

[app:a]
use = call:{MOD}:starlette_factory
name = a

[pipeline:tagged_b]
pipeline = tag b

[filter:tag]
use = egg:FakeASGIApp#wsgi_tag
tag = from-wsgi-filter

[app:b]
use = call:{MOD}:starlette_factory
name = b
"""


@pytest.fixture
def events() -> Iterator[list[str]]:
    lifespan_apps.EVENTS.clear()
    yield lifespan_apps.EVENTS
    lifespan_apps.EVENTS.clear()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "app.ini"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return f"config:{path}"


def test_graph_shows_the_bridge(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, INI))
    joins = {n.name: (n.protocol, n.join) for n in stack.graph.walk()}
    assert joins["pipeline:tagged_b"] == ("wsgi", "adapter")  # the one crossing
    assert joins["filter:tag"] == ("wsgi", "native")
    assert joins["app:b"] == ("asgi", "bridge")


@pytest.mark.asyncio
async def test_every_app_starts_and_stops_under_uvicorn(tmp_path: Path, events: list[str]) -> None:
    app = loadapp(write(tmp_path, INI))
    async with running_server(app) as (base, _server):
        assert events == ["startup a", "startup b"]
        async with httpx.AsyncClient(base_url=base) as client:
            a = await client.get("/a/x")
            b = await client.get("/b/y")
    assert a.json() == {"name": "a", "db": "connection of a", "root_path": "/a", "path": "/a/x"}
    # b sits behind a WSGI filter: the request crossed into WSGI and back,
    # and b still sees its own lifespan state on the server's event loop.
    assert b.headers["x-tag"] == "from-wsgi-filter"
    assert b.json() == {"name": "b", "db": "connection of b", "root_path": "/b", "path": "/b/y"}
    assert events == ["startup a", "startup b", "shutdown b", "shutdown a"]


@pytest.mark.asyncio
async def test_failing_child_fails_startup_with_its_name(
    tmp_path: Path, events: list[str], capfd: pytest.CaptureFixture[str]
) -> None:
    app = loadapp(write(tmp_path, INI + "fail = no database\n"))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="error"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        with pytest.raises(SystemExit) as info:
            async with asyncio.timeout(10):
                await server.serve(sockets=[sock])
    assert info.value.code == 3  # uvicorn's startup failure
    assert not server.started
    assert events == ["startup a", "startup b", "shutdown a"]
    messages = capfd.readouterr().err
    assert "app:b: " in messages and "RuntimeError: no database" in messages
