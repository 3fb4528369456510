"""A WebSocket handshake to the bundled demo's HTTP-only apps is refused with 403 (issue 12.4).

Every ASGI app in ``asgipaste/demo`` must close a ``websocket`` scope
(``websocket.close`` before accepting: the server answers 403) and never just
return, which uvicorn reports as "ASGI callable returned without completing
handshake" and answers with a 500. Real handshakes over uvicorn, on the
demo's ``main`` (what ``uvicorn asgipaste.serve:app`` serves by default).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import websockets.asyncio.client
import websockets.exceptions

import asgipaste
from asgipaste.demo import DEFAULT_CONFIG, hello_app_factory
from tests._server import running_server

pytestmark = [pytest.mark.slow, pytest.mark.asyncio, pytest.mark.timeout(30)]  # real servers, real handshakes

PATHS = ["/", "/v2/x", "/v3/x", "/v2/demo/servers", "/v1.1/x", "/tutorial/firstapp"]


@pytest_asyncio.fixture(params=["main"])
async def demo(request: pytest.FixtureRequest, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[str]:
    conf = {"sqlite_db": str(tmp_path / "demo.sqlite")}
    app = asgipaste.loadapp(f"config:{DEFAULT_CONFIG}", name=request.param, global_conf=conf)
    async with running_server(app) as (url, _):
        logging.getLogger("uvicorn.error").addHandler(caplog.handler)  # it does not propagate
        try:
            yield url
        finally:
            logging.getLogger("uvicorn.error").removeHandler(caplog.handler)


async def _handshake_status(url: str, path: str) -> int:
    try:
        async with websockets.asyncio.client.connect(url.replace("http://", "ws://") + path, open_timeout=5):
            return 101
    except websockets.exceptions.InvalidStatus as exc:
        return exc.response.status_code


@pytest.mark.parametrize("path", PATHS)
async def test_websocket_handshake_to_the_demo_is_refused_with_403(
    demo: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert await _handshake_status(demo, path) == 403
    assert "without completing handshake" not in caplog.text, caplog.text
    assert "Exception in ASGI application" not in caplog.text, caplog.text


async def test_control_the_same_paths_answer_http(demo: str) -> None:
    async with httpx.AsyncClient(base_url=demo, timeout=5) as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/v2/x", headers={"X-Auth-Token": "admin:demo"})).status_code != 500
        assert (await client.get("/tutorial/firstapp")).status_code == 200


@pytest.mark.parametrize("demo", ["metadata"], indirect=True)
async def test_websocket_handshake_to_the_metadata_app_is_refused_with_403(
    demo: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert await _handshake_status(demo, "/openstack/latest/meta_data.json") == 403
    assert "without completing handshake" not in caplog.text, caplog.text


async def test_websocket_handshake_to_the_hello_app_is_refused_with_403(caplog: pytest.LogCaptureFixture) -> None:
    app = hello_app_factory({})
    async with running_server(app) as (url, _):
        logging.getLogger("uvicorn.error").addHandler(caplog.handler)
        try:
            assert await _handshake_status(url, "/") == 403
        finally:
            logging.getLogger("uvicorn.error").removeHandler(caplog.handler)
    assert "without completing handshake" not in caplog.text, caplog.text
