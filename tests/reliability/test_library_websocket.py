"""Every ASGI app the library ships closes a WebSocket scope properly: 403, never a 500 (issue 12.4).

The urlmap's 404 (``not_found``), a Routes ``Router`` with no matching route,
and the WSGI adapter (a WSGI app cannot take a WebSocket): real handshakes over
uvicorn, with no "without completing handshake" or exception line logged. The
demo's apps are covered in ``test_demo_websocket.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import websockets.asyncio.client
import websockets.exceptions

from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.lifespan import acknowledge_lifespan
from asgipaste.routes import Mapper, Router
from asgipaste.urlmap import URLMap
from tests._server import running_server

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]


async def _hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await acknowledge_lifespan(receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hi"})


def _wsgi(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"hi"]


def _apps() -> dict[str, Any]:
    urlmap = URLMap()
    urlmap["/mounted"] = _hello
    mapper = Mapper()
    mapper.connect("/known", controller=lambda request: "known")
    return {"urlmap-404": urlmap, "routes-router": Router(mapper), "wsgi-adapter": WSGIAdapter(_wsgi)}


async def _status(url: str) -> int:
    try:
        async with websockets.asyncio.client.connect(url.replace("http://", "ws://"), open_timeout=5):
            return 101
    except websockets.exceptions.InvalidStatus as exc:
        return exc.response.status_code


@pytest.mark.parametrize("name", ["urlmap-404", "routes-router", "wsgi-adapter"])
async def test_websocket_to_an_http_only_app_is_refused_with_403(name: str, caplog: pytest.LogCaptureFixture) -> None:
    app = _apps()[name]
    # log_config=None: uvicorn's logging setup would drop a handler added to its logger, and it now
    # propagates to caplog's
    async with running_server(app, log_config=None) as (url, _):
        assert await _status(url + "/nowhere") == 403
    assert "without completing handshake" not in caplog.text, caplog.text
    assert "Exception in ASGI application" not in caplog.text, caplog.text
