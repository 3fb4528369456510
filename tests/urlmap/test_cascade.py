"""Cascade: try apps until one answers with a status outside ``catch``; body replayed to each."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from asgipaste.errors import ConfigValueError
from asgipaste.middleware.cascade import Cascade, cascade_factory
from asgipaste.types import Receive, Scope, Send
from tests.urlmap._helpers import Recorder, call, http_scope


def status_app(status: int, name: str, seen: list[tuple[str, bytes]]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = await Request(scope, receive).body()
        seen.append((name, body))
        await Response(f"{name}:{body.decode()}", status_code=status)(scope, receive, send)

    return app


async def post(app: Any, body: bytes = b"payload") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/x", content=body)


@pytest.mark.asyncio
async def test_first_non_404_wins_and_body_is_replayed() -> None:
    seen: list[tuple[str, bytes]] = []
    cascade = Cascade([status_app(404, "a", seen), status_app(200, "b", seen), status_app(200, "c", seen)])
    response = await post(cascade)
    assert (response.status_code, response.text) == (200, "b:payload")
    assert seen == [("a", b"payload"), ("b", b"payload")]


@pytest.mark.asyncio
async def test_last_response_is_sent_whatever_its_status() -> None:
    seen: list[tuple[str, bytes]] = []
    response = await post(Cascade([status_app(404, "a", seen), status_app(404, "b", seen)]))
    assert (response.status_code, response.text) == (404, "b:payload")


@pytest.mark.asyncio
async def test_catch_list_and_uncaught_statuses() -> None:
    seen: list[tuple[str, bytes]] = []
    apps = [status_app(405, "a", seen), status_app(500, "b", seen), status_app(200, "c", seen)]
    response = await post(Cascade(apps, catch=["404 Not Found", 405]))
    assert (response.status_code, response.text) == (500, "b:payload")


@pytest.mark.asyncio
async def test_streamed_body_read_once_from_the_server() -> None:
    chunks = [b"one ", b"two ", b"three"]
    reads = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if chunks:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    seen: list[tuple[str, bytes]] = []
    cascade = Cascade([status_app(404, "a", seen), status_app(404, "b", seen), status_app(201, "c", seen)])
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = http_scope("/x")
    scope["method"] = "POST"
    await cascade(scope, receive, send)
    assert [body for _, body in seen] == [b"one two three"] * 3
    assert reads == 3
    assert sent[0]["status"] == 201


@pytest.mark.asyncio
async def test_http_exception_before_start_is_a_miss() -> None:
    async def raising(scope: Scope, receive: Receive, send: Send) -> None:
        raise HTTPException(404)

    async def forbidden(scope: Scope, receive: Receive, send: Send) -> None:
        raise HTTPException(403)

    response = await post(Cascade([raising, PlainTextResponse("ok")]))
    assert response.text == "ok"
    with pytest.raises(HTTPException):
        await post(Cascade([forbidden, PlainTextResponse("ok")]))


@pytest.mark.asyncio
async def test_websocket_refusal_moves_on() -> None:
    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.close", "code": 1000})

    accept = Recorder("ws")

    async def reads_connect(scope: Scope, receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "websocket.connect"  # replayed to the second app
        await accept(scope, receive, send)

    sent = await call(Cascade([refuse, reads_connect]), http_scope("/x", type="websocket", scheme="ws"))
    assert sent[0] == {"type": "websocket.accept"}


def test_factory_sorts_keys_and_checks_them() -> None:
    class Loader:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def get_app(self, name: str, global_conf: dict[str, Any] | None = None) -> Recorder:
            self.calls.append(name)
            return Recorder(name)

    cascade = cascade_factory(Loader(), {}, catch="404 500", app2="b", app10="c", app1="a")
    assert [app.name for app in cascade.apps] == ["a", "c", "b"]  # sorted by key, as Paste: app1, app10, app2
    assert cascade.names == ["a", "c", "b"]
    assert cascade.catch == {404, 500}
    assert "catch=[404, 500]" in repr(cascade)
    with pytest.raises(ConfigValueError, match="Bad configuration key 'static'") as info:
        cascade_factory(Loader(), {}, static="x")
    assert info.value.key == "static"
    with pytest.raises(ConfigValueError, match="catch") as info:
        cascade_factory(Loader(), {}, catch="four", app1="a")
    assert info.value.key == "catch"
    with pytest.raises(ConfigValueError, match="at least one"):
        cascade_factory(Loader(), {})
    assert getattr(cascade_factory, "__asgipaste_protocol__", None) == "asgi"
