"""Lifespan fan-out: unit tests of LifespanGroup and end-to-end runs under a real uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from a2wsgi import WSGIMiddleware
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from asgipaste.lifespan import STARTED_KEY, LifespanGroup
from asgipaste.types import Message, Receive, Scope, Send
from asgipaste.urlmap import URLMap
from tests._server import running_server


def child(name: str, events: list[str], *, fail: bool = False) -> Starlette:
    """A Starlette app whose lifespan logs to ``events`` and puts ``<name>_db`` into the state."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        events.append(f"{name} start")
        if fail:
            raise RuntimeError(f"{name} cannot connect")
        yield {f"{name}_db": f"db of {name}"}
        events.append(f"{name} stop")

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse(repr(sorted(request.state._state.items())))

    return Starlette(routes=[Route("/", home)], lifespan=lifespan)


async def no_lifespan(scope: Scope, receive: Receive, send: Send) -> None:
    """A raw app that only knows http, like many hand-written ASGI apps."""
    if scope["type"] != "http":
        raise ValueError(f"unsupported scope {scope['type']}")
    await PlainTextResponse("raw")(scope, receive, send)


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]


# -- against a real uvicorn ---------------------------------------------------


@pytest.mark.asyncio
async def test_children_start_in_order_stop_in_reverse_and_see_their_state() -> None:
    events: list[str] = []
    urlmap = URLMap()
    urlmap.mount("/a", child("a", events), name="a")
    urlmap.mount("/b", child("b", events), name="b")
    urlmap.mount("/raw", no_lifespan, name="raw")  # tolerated: raises on lifespan
    urlmap.mount("/wsgi", WSGIMiddleware(wsgi_app), name="wsgi")  # a2wsgi answers lifespan itself
    async with running_server(urlmap) as (base_url, _server), httpx.AsyncClient(base_url=base_url) as client:
        assert events == ["a start", "b start"]
        a = await client.get("/a/")
        assert "('a_db', 'db of a')" in a.text
        assert "('b_db', 'db of b')" in a.text  # one shared state dict (documented)
        assert (await client.get("/raw")).text == "raw"
        assert (await client.get("/wsgi/x")).text == "/wsgi|/x"
    assert events == ["a start", "b start", "b stop", "a stop"]


@pytest.mark.asyncio
async def test_one_instance_under_two_prefixes_and_two_maps_starts_once() -> None:
    events: list[str] = []
    shared = child("shared", events)
    inner = URLMap()
    inner.mount("/x", shared, name="shared")
    outer = URLMap()
    outer.mount("/one", shared, name="shared")
    outer.mount("/two", shared, name="shared")
    outer.mount("/inner", inner, name="inner")
    async with running_server(outer) as (base_url, _server), httpx.AsyncClient(base_url=base_url) as client:
        assert (await client.get("/two/")).status_code == 200
        assert (await client.get("/inner/x/")).status_code == 200
    assert events == ["shared start", "shared stop"]


def _serve_once(app: Any) -> tuple[uvicorn.Server, list[Message]]:
    """Config and a recording wrapper that keeps what the composite said to the server."""
    said: list[Message] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        async def spy(message: Message) -> None:
            said.append(message)
            await send(message)

        await app(scope, receive, spy if scope["type"] == "lifespan" else send)

    config = uvicorn.Config(recording, lifespan="on", log_level="critical")
    return uvicorn.Server(config), said


@pytest.mark.asyncio
async def test_a_failing_child_fails_startup_and_uvicorn_does_not_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []
    urlmap = URLMap()
    urlmap.mount("/a", child("a", events), name="api_a")
    urlmap.mount("/b", child("b", events, fail=True), name="api_b")
    urlmap.mount("/c", child("c", events), name="api_c")
    server, said = _serve_once(urlmap)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.ERROR, logger="uvicorn.error"):
            async with asyncio.timeout(10):
                with pytest.raises(SystemExit) as exited:  # uvicorn exits with status 3
                    await server.serve(sockets=[sock])
    finally:
        logger.removeHandler(caplog.handler)
        sock.close()
    assert exited.value.code == 3
    assert not server.started
    assert events == ["a start", "b start", "a stop"]  # c never started, a undone
    assert said[-1]["type"] == "lifespan.startup.failed"
    assert said[-1]["message"].startswith("api_b: ")
    assert "b cannot connect" in said[-1]["message"]
    assert "Application startup failed" in caplog.text
    assert "api_b: " in caplog.text


# -- LifespanGroup driven directly ----------------------------------------------


class Driver:
    """Plays the server side of the lifespan protocol against ``app``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.to_app: list[Message] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
        self.said: list[Message] = []
        self.scope: Scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.startup_done = anyio.Event()
        self.may_shutdown = anyio.Event()

    async def receive(self) -> Message:
        if len(self.to_app) == 1:
            await self.may_shutdown.wait()
        return self.to_app.pop(0)

    async def send(self, message: Message) -> None:
        self.said.append(message)
        if message["type"].startswith("lifespan.startup"):
            self.startup_done.set()

    async def run(self, *, between: Any = None) -> list[str]:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self.app, self.scope, self.receive, self.send)
            with anyio.fail_after(5):
                await self.startup_done.wait()
            if between is not None:
                await between()
            self.may_shutdown.set()
        return [m["type"] for m in self.said]


def scripted(events: list[str], name: str, *, startup: str = "complete", shutdown: str = "complete") -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        events.append(f"{name} start")
        if startup == "hang":
            await anyio.sleep_forever()
        if startup == "raise":
            raise RuntimeError("boom")
        await send({"type": f"lifespan.startup.{startup}", "message": f"{name} said no"})
        if startup != "complete":
            return
        await receive()
        events.append(f"{name} stop")
        if shutdown == "raise":
            raise RuntimeError("bad shutdown")
        await send({"type": f"lifespan.shutdown.{shutdown}", "message": f"{name} shutdown said no"})

    return app


@pytest.mark.asyncio
async def test_shutdown_failure_names_the_child_and_still_stops_the_rest() -> None:
    events: list[str] = []
    group = LifespanGroup(
        [
            ("one", scripted(events, "one")),
            ("two", scripted(events, "two", shutdown="failed")),
            ("three", scripted(events, "three", shutdown="raise")),
        ]
    )
    driver = Driver(group)
    assert await driver.run() == ["lifespan.startup.complete", "lifespan.shutdown.failed"]
    assert events == ["one start", "two start", "three start", "three stop", "two stop", "one stop"]
    assert driver.said[-1]["message"] == "three: RuntimeError: bad shutdown; two: two shutdown said no"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("failed", "two: two said no"),
        ("raise", "two: RuntimeError: boom"),
        ("hang", "two: startup did not complete"),
    ],
)
async def test_startup_failures_undo_started_members(behaviour: str, message: str) -> None:
    events: list[str] = []
    group = LifespanGroup(
        [
            ("one", scripted(events, "one")),
            ("two", scripted(events, "two", startup=behaviour)),
            ("three", scripted(events, "three")),
        ],
        startup_timeout=0.2,
    )
    driver = Driver(group)
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(group, driver.scope, driver.receive, driver.send)
            await driver.startup_done.wait()
    assert [m["type"] for m in driver.said] == ["lifespan.startup.failed"]
    assert driver.said[0]["message"].startswith(message)
    assert events == ["one start", "two start", "one stop"]


@pytest.mark.asyncio
async def test_members_that_return_without_answering_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    events: list[str] = []

    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # reads startup, then gives up without a word

    async def refuses(scope: Scope, receive: Receive, send: Send) -> None:
        raise TypeError("http only")

    group = LifespanGroup([("silent", silent), ("refuses", refuses), ("ok", scripted(events, "ok"))])
    with caplog.at_level(logging.DEBUG, logger="asgipaste.lifespan"):
        assert await Driver(group).run() == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert events == ["ok start", "ok stop"]
    assert "refuses does not support lifespan (http only)" in caplog.text
    assert "silent does not support lifespan" in caplog.text


@pytest.mark.asyncio
async def test_started_ids_are_shared_through_the_scope() -> None:
    events: list[str] = []
    app = scripted(events, "x")
    inner = LifespanGroup([("x-inner", app)])
    outer = LifespanGroup([("x", app), ("inner", inner)])
    driver = Driver(outer)
    await driver.run()
    assert events == ["x start", "x stop"]
    assert id(app) in driver.scope[STARTED_KEY]
    assert repr(outer) == "LifespanGroup([x, inner])"


@pytest.mark.asyncio
async def test_urlmap_fans_out_to_not_found_app_too() -> None:
    events: list[str] = []
    urlmap = URLMap(not_found_app=scripted(events, "404"))
    urlmap["/b"] = scripted(events, "b")
    urlmap["/a"] = scripted(events, "a")
    await Driver(urlmap).run()
    assert events == ["b start", "a start", "404 start", "404 stop", "a stop", "b stop"]


def test_runs_on_trio() -> None:
    # anyio 4.16's trio backend needs trio >= 0.32; an older trio fails inside anyio itself.
    trio = pytest.importorskip("trio")
    if tuple(int(part) for part in trio.__version__.split(".")[:2]) < (0, 32):
        pytest.skip(f"trio {trio.__version__} is older than anyio's trio backend supports")
    events: list[str] = []
    group = LifespanGroup([("a", scripted(events, "a")), ("b", scripted(events, "b"))])
    said = anyio.run(lambda: Driver(group).run(), backend="trio")
    assert said == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert events == ["a start", "b start", "b stop", "a stop"]


@pytest.mark.asyncio
async def test_non_lifespan_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="only handles 'lifespan'"):
        await LifespanGroup([])({"type": "http"}, Driver(None).receive, Driver(None).send)
