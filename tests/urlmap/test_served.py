"""URLMap and Cascade behind a real uvicorn: websockets, root_path, cascade lifespan."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from asgipaste.middleware.cascade import Cascade
from asgipaste.types import Receive, Scope, Send
from asgipaste.urlmap import URLMap
from tests._server import running_server
from tests.urlmap.test_lifespan import child


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    scope = websocket.scope
    text = await websocket.receive_text()
    await websocket.send_text(f"{text}|{scope['root_path']}|{scope['path']}")
    await websocket.close()


@pytest.mark.asyncio
async def test_websocket_through_urlmap_on_uvicorn() -> None:
    client = pytest.importorskip("websockets.asyncio.client")
    urlmap = URLMap()
    urlmap.mount("/ws", Starlette(routes=[WebSocketRoute("/echo", echo)]), name="ws")
    async with running_server(urlmap) as (base_url, _server):
        url = base_url.replace("http://", "ws://")
        async with client.connect(f"{url}/ws/echo", open_timeout=5) as socket:
            await socket.send("hi")
            assert await socket.recv() == "hi|/ws|/ws/echo"
        with pytest.raises(Exception, match="403"):  # no entry: closed before accept
            async with client.connect(f"{url}/nowhere", open_timeout=5):
                pass


@pytest.mark.asyncio
async def test_uvicorn_root_path_with_trailing_slash() -> None:
    async def where(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse(f"{scope['root_path']}|{scope['path']}")(scope, receive, send)

    urlmap = URLMap()
    urlmap["/v2"] = where
    served = running_server(urlmap, root_path="/svc/")  # uvicorn prepends it: path "/svc//v2/x"
    async with served as (base_url, _server), httpx.AsyncClient(base_url=base_url) as http:
        assert (await http.get("/v2/x")).text == "/svc/v2|/svc/v2/x"


@pytest.mark.asyncio
async def test_cascade_fans_lifespan_out_and_falls_through() -> None:
    events: list[str] = []
    first = Starlette(
        routes=[Route("/only-first", PlainTextResponse)], lifespan=child("a", events).router.lifespan_context
    )
    second = child("b", events)
    cascade = Cascade([first, second], names=["first", "second"])
    async with running_server(cascade) as (base_url, _server), httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get("/")  # 404 from the first, answered by the second
        assert response.status_code == 200
        assert "('b_db', 'db of b')" in response.text
    assert events == ["a start", "b start", "b stop", "a stop"]
