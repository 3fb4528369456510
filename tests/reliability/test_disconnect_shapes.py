"""A client that leaves stops a streaming WSGI response whatever the request body (issue 12.1).

The app streams forever after reading all, none, half of the body, or while
reading it as it streams; the client sends a body of each shape, reads the
first response bytes and leaves. Within a couple of seconds the iterable is
``close()``\\ d and the adapter's thread is free again. Today's adapter only
noticed a disconnect when the body had been read up front, so an unread or
half-read large body left the response streaming into the void forever.

Over an in-process uvicorn (where the test can read the adapter's counters)
and a granian subprocess on its ASGI interface (counters over ``/w/stats``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from asgipaste.interop import WSGIAdapter
from tests._proc import Served, bin_path, env_for, free_port
from tests._server import running_server
from tests.reliability import apps

pytestmark = [pytest.mark.slow, pytest.mark.asyncio, pytest.mark.timeout(60)]  # real-time waits of 1-2 s each

MiB = 1024 * 1024
#: How long the test allows between the client leaving and the iterable being closed.
NOTICE = 3.0


async def _pieces(total: int, piece: int = 64 * 1024, chunked: bool = False, end: bool = True) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        size = min(piece, total - sent)
        data = b"b" * size
        yield b"%x\r\n%s\r\n" % (size, data) if chunked else data
        sent += size
    if chunked and end:
        yield b"0\r\n\r\n"
    if not end:  # a body that keeps coming slowly
        while True:
            await asyncio.sleep(0.01)
            yield b"%x\r\n%s\r\n" % (1024, b"b" * 1024)


#: shape -> (app mode, request head lines, body pieces)
SHAPES: dict[str, tuple[str, str, Callable[[], AsyncIterator[bytes]] | None]] = {
    "none": ("none", "GET", None),
    "small": ("all", "POST|Content-Length: 100", lambda: _pieces(100)),
    "2mib": ("all", f"POST|Content-Length: {2 * MiB}", lambda: _pieces(2 * MiB)),
    "chunked": ("all", "POST|Transfer-Encoding: chunked", lambda: _pieces(300_000, chunked=True)),
    "unread": ("none", f"POST|Content-Length: {2 * MiB}", lambda: _pieces(2 * MiB)),
    "unread-chunked": ("none", "POST|Transfer-Encoding: chunked", lambda: _pieces(2 * MiB, chunked=True)),
    "half-read": ("half", f"POST|Content-Length: {2 * MiB}", lambda: _pieces(2 * MiB)),
    "read-while-streaming": (
        "echo", "POST|Transfer-Encoding: chunked", lambda: _pieces(10_000, chunked=True, end=False)
    ),
}


@contextlib.asynccontextmanager
async def _request(url: str, shape: str) -> AsyncIterator[asyncio.StreamReader]:
    """Send a request of ``shape`` to the endless app; yield once response bytes arrive; then leave."""
    mode, head, body = SHAPES[shape]
    method, *lines = head.split("|")
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write("\r\n".join([f"{method} /w?{mode} HTTP/1.1", "Host: t", *lines, "", ""]).encode())

    async def send_body() -> None:
        if body is not None:
            async for piece in body():
                writer.write(piece)
                await writer.drain()

    sender = asyncio.create_task(send_body())
    try:
        first = await asyncio.wait_for(reader.read(100), 10)
        assert first.startswith(b"HTTP/1.1 200"), first
        yield reader
    finally:
        sender.cancel()
        with contextlib.suppress(BaseException):
            await sender
        writer.transport.abort()  # the client leaves, whatever it had not sent or read
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _eventually(check: Callable[[], Any], timeout: float = NOTICE) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return bool(await check())


async def _keep_reading(reader: asyncio.StreamReader, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert await asyncio.wait_for(reader.read(65536), 2), "the stream stopped while the client was there"


def _adapter() -> tuple[WSGIAdapter, Any]:
    adapter = WSGIAdapter(apps.wsgi_endless_body, threads=4)

    async def app(scope: Any, receive: Any, send: Any) -> None:  # mounted at /w, as in the granian tree
        if scope["type"] == "http":
            scope = dict(scope, root_path="/w")
        await adapter(scope, receive, send)

    return adapter, app


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_uvicorn_disconnect_closes_the_iterable_and_frees_the_thread(shape: str) -> None:
    adapter, app = _adapter()
    closed = apps.GAUGE.closed
    async with running_server(app) as (url, _):
        async with _request(url, shape):
            pass
        async def freed() -> bool:
            return apps.GAUGE.closed == closed + 1 and adapter.busy_threads == 0

        assert await _eventually(freed), (shape, apps.GAUGE.closed - closed, adapter.busy_threads)
        assert apps.GAUGE.inside == 0


@pytest.mark.parametrize("shape", ["unread", "half-read", "read-while-streaming"])
async def test_uvicorn_control_a_client_that_stays_keeps_its_stream(shape: str) -> None:
    adapter, app = _adapter()
    closed = apps.GAUGE.closed
    async with running_server(app) as (url, _):
        async with _request(url, shape) as reader:
            await _keep_reading(reader, 2.0)  # longer than the inbox's abandon time
            assert apps.GAUGE.closed == closed and adapter.busy_threads == 1

        async def freed() -> bool:
            return apps.GAUGE.closed == closed + 1 and adapter.busy_threads == 0

        assert await _eventually(freed)


# --- granian's ASGI interface, in a subprocess ------------------------------------------------------

GRANIAN_INI = """\
[composite:main]
use = egg:asgipaste#urlmap
/w = endless
/a = hello

[app:endless]
use = call:tests.reliability.apps:factory
app = wsgi_endless_body
wsgi_threads = 4

[app:hello]
use = call:tests.reliability.apps:factory
app = asgi_hello

[server:main]
use = egg:asgipaste#granian
host = 127.0.0.1
port = {port}
"""


@pytest.fixture(scope="module")
def granian_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("granian")
    port = free_port()
    config = tmp_path_factory.mktemp("granian") / "endless.ini"
    config.write_text(GRANIAN_INI.format(port=port))
    served = Served([bin_path("asgipaste"), "serve", str(config)], env_for(config), port)
    try:
        served.wait_ready("/a")
        yield served.url
    finally:
        served.stop()


async def _stats(client: httpx.AsyncClient) -> dict[str, int]:
    result: dict[str, int] = json.loads((await client.get("/w/stats")).text)
    return result


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
async def test_granian_disconnect_closes_the_iterable(granian_url: str, shape: str) -> None:
    async with httpx.AsyncClient(base_url=granian_url, timeout=5) as client:
        before = await _stats(client)
        async with _request(granian_url, shape):
            pass

        async def freed() -> bool:
            now = await _stats(client)
            return now["closed"] == before["closed"] + 1 and now["inside"] == 0

        assert await _eventually(freed), (shape, before, await _stats(client))


@pytest.mark.slow
async def test_granian_control_a_client_that_stays_keeps_its_stream(granian_url: str) -> None:
    async with httpx.AsyncClient(base_url=granian_url, timeout=5) as client:
        before = await _stats(client)
        async with _request(granian_url, "unread") as reader:
            await _keep_reading(reader, 2.0)
            assert (await _stats(client))["closed"] == before["closed"]


# --- what the inbox does with body the app has not read -------------------------------------------


def _late_reader(pause: float) -> Any:
    """Streams a first chunk, waits ``pause`` s without reading, then reads the whole body."""

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body() -> Any:
            yield b"started\n"
            time.sleep(pause)
            stream = environ["wsgi.input"]
            try:
                yield b"read %d\n" % len(stream.read())
            except OSError as exc:
                yield f"{type(exc).__name__}\n".encode()

        return body()

    return app


async def test_a_slow_but_reading_streamer_gets_its_whole_large_body() -> None:
    # Control: a pause under the abandon time keeps backpressure and loses nothing.
    async with (
        running_server(WSGIAdapter(_late_reader(0.3), threads=2)) as (url, _),
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        response = await client.post("/", content=b"q" * (3 * MiB))
    assert response.text == f"started\nread {3 * MiB}\n"


async def test_body_left_unread_while_streaming_is_dropped_and_a_late_read_says_so() -> None:
    async with (
        running_server(WSGIAdapter(_late_reader(2.0), threads=2)) as (url, _),
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        response = await client.post("/", content=b"q" * (3 * MiB))
    assert response.text == "started\nRequestBodyDiscarded\n"


# --- known gap ------------------------------------------------------------------------------------


def _slow_first_chunk(environ: Any, start_response: Any) -> Any:
    apps.GAUGE.enter()
    try:
        time.sleep(2.5)  # computing, not reading wsgi.input: nothing can interrupt it
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"late"]
    finally:
        apps.GAUGE.leave()


@pytest.mark.xfail(strict=True, reason="WSGI code cannot be interrupted before it streams (docs/guarantees.md)")
async def test_gap_a_disconnect_during_the_first_hop_waits_for_the_app() -> None:
    adapter = WSGIAdapter(_slow_first_chunk, threads=2)
    async with running_server(adapter) as (url, _):
        host, port = url.removeprefix("http://").split(":")
        _reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.transport.abort()

        async def freed() -> bool:
            return adapter.busy_threads == 0

        assert await _eventually(freed, timeout=1.0)
