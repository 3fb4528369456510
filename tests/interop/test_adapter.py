"""WSGIAdapter against a real uvicorn: bodies, errors, disconnects, environ, threads."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import sys
import threading
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import pytest

from asgipaste.errors import ConfigValueError
from asgipaste.interop import WSGIAdapter
from asgipaste.interop.streams import StreamingInput
from asgipaste.interop.wsgi import REQUEST_PREREAD_LIMIT
from tests._server import running_server
from tests.interop._helpers import serve

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]

MB = 1024 * 1024


def hello(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello, world!"]


def megabyte(environ: Any, start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    for i in range(16):
        yield bytes([65 + i]) * (64 * 1024)


def echo(environ: Any, start_response: Any) -> Iterator[bytes]:
    """Streams the request body back as it reads it."""
    stream = environ["wsgi.input"]
    kind = type(stream).__name__
    start_response("200 OK", [("X-Input", kind), ("X-Length", environ.get("CONTENT_LENGTH", "none"))])
    while True:
        piece = stream.read(100_000)
        if not piece:
            return
        yield piece


async def body_in_pieces(total: int, piece: int = 50_000) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        size = min(piece, total - sent)
        yield bytes([48 + (sent // piece) % 10]) * size
        sent += size


def expected_pieces(total: int, piece: int = 50_000) -> bytes:
    return b"".join(bytes([48 + (i // piece) % 10]) * min(piece, total - i) for i in range(0, total, piece))


async def test_hello_gets_a_content_length() -> None:
    async with running_server(WSGIAdapter(hello)) as (url, _), httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/")
    assert response.status_code == 200
    assert response.text == "Hello, world!"
    assert response.headers["content-length"] == "13"
    assert "transfer-encoding" not in response.headers


async def test_megabyte_streams_out_and_in() -> None:
    app = WSGIAdapter(lambda e, s: (megabyte if e["PATH_INFO"] == "/out" else echo)(e, s))
    async with running_server(app) as (url, _), httpx.AsyncClient(base_url=url, timeout=10) as client:
        out = await client.get("/out")
        echoed = await client.post("/in", content=b"z" * MB)
        big = await client.post("/in", content=b"y" * (2 * MB))
        small = await client.post("/in", content=b"small body")
    assert out.status_code == 200
    assert out.content == b"".join(bytes([65 + i]) * (64 * 1024) for i in range(16))
    assert echoed.headers["x-input"] == "BytesIO"  # <= 1 MiB: read on the loop, one hop
    assert echoed.content == b"z" * MB
    assert big.headers["x-input"] == StreamingInput.__name__  # > 1 MiB: streamed to the thread
    assert big.content == b"y" * (2 * MB)
    assert small.headers["x-input"] == "BytesIO"  # small: read on the loop before the one hop
    assert small.content == b"small body"


async def test_chunked_request_body_arrives_whole() -> None:
    async with running_server(WSGIAdapter(echo)) as (url, _), httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/", content=body_in_pieces(300_000))
        tiny = await client.post("/", content=body_in_pieces(10, piece=3))
    assert response.headers["x-length"] == "none"  # no Content-Length: chunked
    assert response.content == expected_pieces(300_000)
    assert tiny.content == expected_pieces(10, piece=3)


async def test_chunked_body_on_the_loop_with_threads_0() -> None:
    async with running_server(WSGIAdapter(echo, threads=0)) as (url, _), httpx.AsyncClient(base_url=url) as c:
        response = await c.post("/", content=body_in_pieces(200_000))
    assert response.headers["x-input"] == "BytesIO"  # threads=0 reads the whole body first
    assert response.content == expected_pieces(200_000)


def raise_after_start_response(environ: Any, start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise RuntimeError("boom after start_response")
    yield b""  # pragma: no cover - makes this a generator


def raise_in_generator_before_body(environ: Any, start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b""
    raise RuntimeError("boom before the first byte")


def raise_before_start_response(environ: Any, start_response: Any) -> list[bytes]:
    raise RuntimeError("boom before start_response")


@pytest.mark.parametrize("threads", [None, 0])
@pytest.mark.parametrize(
    "app", [raise_after_start_response, raise_in_generator_before_body, raise_before_start_response]
)
async def test_errors_before_the_first_byte_give_500(app: Any, threads: int | None) -> None:
    async with serve(WSGIAdapter(app, threads=threads), log_level="critical") as (client, _):
        response = await client.get("/")
    assert response.status_code == 500


def exc_info_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise ValueError("lookup failed")
    except ValueError:
        start_response("503 Service Unavailable", [("Retry-After", "5")], sys.exc_info())
        return [b"try later"]


async def test_start_response_with_exc_info_replaces_the_status() -> None:
    async with running_server(WSGIAdapter(exc_info_app)) as (url, _), httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "content-type" not in response.headers
    assert response.text == "try later"


def raise_mid_stream(environ: Any, start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"first part"
    raise RuntimeError("boom mid-stream")


@pytest.mark.parametrize("threads", [None, 0])
async def test_mid_stream_error_closes_the_connection(threads: int | None) -> None:
    app = WSGIAdapter(raise_mid_stream, threads=threads)
    async with serve(app, log_level="critical", timeout=5) as (client, _):
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/")


class SlowStream:
    """An iterable producing a chunk every 20 ms for 10 s, recording what happened."""

    def __init__(self) -> None:
        self.produced = 0
        self.closed = threading.Event()
        self.closed_at = 0.0

    def __call__(self, environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        if environ["PATH_INFO"] == "/quick":
            return [b"quick"]
        return self

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(500):
            self.produced += 1
            yield b"tick\n"
            time.sleep(0.02)

    def close(self) -> None:
        self.closed_at = time.monotonic()
        self.closed.set()


@pytest.mark.slow  # real time: half a second or more
@pytest.mark.parametrize("threads", [1, 0])
async def test_client_disconnect_stops_iteration_and_closes(threads: int) -> None:
    stream = SlowStream()
    adapter = WSGIAdapter(stream, threads=threads)
    async with serve(adapter) as (client, _):
        async with client.stream("GET", "/") as response:
            async for _ in response.aiter_bytes():
                break
        left_at = time.monotonic()
        deadline = left_at + 2
        while not stream.closed.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert stream.closed.is_set(), "close() was not called after the client left"
        assert stream.closed_at - left_at < 1.0
        produced = stream.produced
        await asyncio.sleep(0.1)
        assert stream.produced == produced < 100  # iteration stopped
        assert adapter.busy_threads == 0
        # The only thread is free again: another request is served at once.
        with anyio.fail_after(1):
            assert (await client.get("/quick")).text == "quick"


def cookie_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [environ.get("HTTP_COOKIE", "").encode(), b"|", environ.get("HTTP_ACCEPT", "").encode()]


async def test_duplicate_cookie_headers_join_with_semicolon() -> None:
    headers = [("Cookie", "a=1"), ("Cookie", "b=2"), ("Accept", "text/html"), ("Accept", "text/plain")]
    async with running_server(WSGIAdapter(cookie_app)) as (url, _), httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/", headers=headers)
    assert response.text == "a=1; b=2|text/html, text/plain"  # waitress joins with ", "


def environ_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    keys = ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_PORT", "wsgi.multithread")
    return ["\n".join(f"{k}={environ[k]!r}" for k in keys).encode()]


async def test_script_name_env_var_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIPT_NAME", "/not-from-here")
    async with serve(WSGIAdapter(environ_app), root_path="/api") as (client, _):
        response = await client.get("/caf%C3%A9/a%2Fb?x=1")
    lines = response.text.splitlines()
    assert lines[0] == "SCRIPT_NAME='/api'"
    assert lines[1] == "PATH_INFO='/caf\u00c3\u00a9/a/b'"  # PEP 3333: decoded, UTF-8 bytes as latin-1
    assert lines[2] == "QUERY_STRING='x=1'"
    assert lines[3].startswith("SERVER_PORT='") and lines[3][13:-1].isdigit()
    assert lines[4] == "wsgi.multithread=True"


def errors_app(environ: Any, start_response: Any) -> list[bytes]:
    errors = environ["wsgi.errors"]
    errors.write("something failed\nand a second ")
    errors.write("line\n")
    errors.flush()
    start_response("200 OK", [])
    return [b"ok"]


async def test_wsgi_errors_goes_to_logging(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="asgipaste.wsgi.errors"):
        async with running_server(WSGIAdapter(errors_app)) as (url, _), httpx.AsyncClient(base_url=url) as c:
            await c.get("/")
    records = [r for r in caplog.records if r.name == "asgipaste.wsgi.errors"]
    assert [r.getMessage() for r in records] == ["something failed", "and a second line"]
    assert all(r.levelno == logging.ERROR for r in records)


async def test_threads_0_runs_on_the_loop_thread() -> None:
    seen: dict[str, Any] = {}

    def where(environ: Any, start_response: Any) -> Iterator[bytes]:
        seen["call"] = threading.get_ident()
        seen["multithread"] = environ["wsgi.multithread"]
        start_response("200 OK", [])
        yield b"a"
        seen["resume"] = threading.get_ident()
        yield b"b"

    async with running_server(WSGIAdapter(where, threads=0)) as (url, _), httpx.AsyncClient(base_url=url) as c:
        response = await c.get("/")
    assert response.text == "ab"
    assert seen == {"call": threading.get_ident(), "multithread": False, "resume": threading.get_ident()}


async def test_threads_0_lets_ready_callbacks_run_before_the_app() -> None:
    """The one yield before the app: sockets already readable are read first (batched responses)."""
    order: list[str] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        order.append("app")
        start_response("200 OK", [])
        return [b""]

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    asyncio.get_running_loop().call_soon(order.append, "ready callback")
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
    await WSGIAdapter(app, threads=0)(scope, receive, send)
    assert order == ["ready callback", "app"]


@pytest.mark.slow  # real time: half a second or more
async def test_threads_run_on_a_dedicated_limiter() -> None:
    default_borrowed: list[float] = []

    def slow(environ: Any, start_response: Any) -> list[bytes]:
        limiter = anyio.from_thread.run_sync(anyio.to_thread.current_default_thread_limiter)
        default_borrowed.append(limiter.borrowed_tokens)
        time.sleep(0.2)
        start_response("200 OK", [])
        return [str(threading.get_ident() != main).encode()]

    main = threading.get_ident()
    adapter = WSGIAdapter(slow, threads=2)
    async with running_server(adapter) as (url, _), httpx.AsyncClient(base_url=url) as client:
        started = time.monotonic()
        responses = await asyncio.gather(*(client.get("/") for _ in range(4)))
        elapsed = time.monotonic() - started
    assert [r.text for r in responses] == ["True"] * 4
    assert elapsed >= 0.39  # 4 requests, 2 at a time, 0.2 s each
    assert default_borrowed == [0, 0, 0, 0]  # anyio's shared default pool was never used


def contextvar_stream(environ: Any, start_response: Any) -> Iterator[bytes]:
    token = REQUEST_ID.set("abc")
    try:
        start_response("200 OK", [])
        yield b"first "
        yield REQUEST_ID.get().encode()
    finally:
        REQUEST_ID.reset(token)  # fails if the two hops ran in different contexts


REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("REQUEST_ID")


async def test_both_hops_share_one_context() -> None:
    app = WSGIAdapter(contextvar_stream)
    async with running_server(app) as (url, _), httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/")
    assert response.text == "first abc"


def write_app(environ: Any, start_response: Any) -> list[bytes]:
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    size = int(environ["QUERY_STRING"])
    for i in range(8):
        write(bytes([97 + i]) * size)
    return [b"!"]


@pytest.mark.parametrize("threads", [None, 0])
@pytest.mark.parametrize("size", [10, 40_000])
async def test_legacy_write_callable(size: int, threads: int | None) -> None:
    app = WSGIAdapter(write_app, threads=threads)
    async with running_server(app) as (url, _), httpx.AsyncClient(base_url=url) as client:
        response = await client.get(f"/?{size}")
    assert response.content == b"".join(bytes([97 + i]) * size for i in range(8)) + b"!"


async def test_websocket_is_refused_and_lifespan_completes() -> None:
    async with running_server(WSGIAdapter(hello)) as (url, server):
        assert server.started  # lifespan "on": startup.complete was answered
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        status = await asyncio.wait_for(reader.readline(), 5)
        writer.close()
    assert status.startswith(b"HTTP/1.1 403")


async def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ConfigValueError, match="threads must be a whole number"):
        WSGIAdapter(hello, threads=-1)
    with pytest.raises(TypeError, match="needs a WSGI callable"):
        WSGIAdapter("hello")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="cannot serve ASGI scope type 'mqtt'"):
        await WSGIAdapter(hello, name="hello")({"type": "mqtt"}, _never, _never)
    assert repr(WSGIAdapter(hello)) == "WSGIAdapter(name='hello', threads=40)"


async def _never(*args: Any) -> Any:
    raise AssertionError("not reached")


def bad_body(environ: Any, start_response: Any) -> list[Any]:
    start_response("200 OK", [])
    return ["text, not bytes"]


def no_start_response(environ: Any, start_response: Any) -> list[bytes]:
    return []


def double_start(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    start_response("200 OK", [])
    return []


@pytest.mark.parametrize(
    ("app", "message"),
    [
        (bad_body, "must yield bytes, not str"),
        (no_start_response, "returned without calling start_response"),
        (double_start, "second time without exc_info"),
    ],
)
async def test_protocol_violations_raise_clear_errors_and_give_500(app: Any, message: str) -> None:
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(msg: Any) -> None:
        sent.append(msg)

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
    with pytest.raises((TypeError, RuntimeError), match=message):
        await WSGIAdapter(app)(scope, receive, send)
    assert sent == []  # nothing went out, so the server can still answer 500
    async with serve(WSGIAdapter(app), log_level="critical") as (client, _):
        assert (await client.get("/")).status_code == 500


def status_app(environ: Any, start_response: Any) -> list[bytes]:
    status = environ["QUERY_STRING"] or "200 OK"
    start_response(status.replace("+", " "), [("Content-Type", "text/plain")])
    return [] if status.startswith("204") else [b"body"]


async def test_content_length_only_where_a_body_belongs() -> None:
    async with serve(WSGIAdapter(status_app)) as (client, _):
        head = await client.head("/")
        no_content = await client.get("/?204+No+Content")
        ok = await client.get("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers.get("content-length") in (None, "4")  # HEAD: the server's business
    assert no_content.status_code == 204 and "content-length" not in no_content.headers
    assert ok.headers["content-length"] == "4" and ok.content == b"body"


@pytest.mark.slow  # real time: half a second or more
@pytest.mark.parametrize("threads", [1, 0])
async def test_graceful_shutdown_timeout_stops_a_stream(threads: int) -> None:
    stream = SlowStream()
    app = WSGIAdapter(stream, threads=threads)
    async with (
        serve(app, timeout_graceful_shutdown=0.3) as (client, server),
        client.stream("GET", "/") as response,
    ):
        async for _ in response.aiter_bytes():
            break
        server.should_exit = True  # the request is still streaming: cancelled after 0.3 s
        with anyio.fail_after(3):
            while not stream.closed.is_set():
                await asyncio.sleep(0.02)
    assert stream.produced < 200  # stopped well before its 500 chunks


@pytest.mark.parametrize(
    ("size", "kind"),
    [(REQUEST_PREREAD_LIMIT, "BytesIO"), (REQUEST_PREREAD_LIMIT + 1, StreamingInput.__name__)],
)
async def test_body_size_threshold(size: int, kind: str) -> None:
    async with serve(WSGIAdapter(echo)) as (client, _):
        response = await client.post("/", content=b"b" * size)
    assert response.headers["x-input"] == kind
    assert len(response.content) == size


def raises_stop_iteration(environ: Any, start_response: Any) -> list[bytes]:
    raise StopIteration  # a Future cannot carry it: it must still surface as an error


async def test_stop_iteration_from_the_app_is_an_error() -> None:
    async with serve(WSGIAdapter(raises_stop_iteration), log_level="critical") as (client, _):
        assert (await client.get("/")).status_code == 500


class UploadReader:
    """Reads the whole body, as WebOb's ``req.body`` and oslo's filters do; records what the read raised."""

    def __init__(self, wrap: bool) -> None:
        self.wrap = wrap
        self.raised: list[str] = []
        self.done = threading.Event()

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        try:
            if self.wrap:
                import webob

                body = webob.Request(environ).body  # raises webob's DisconnectionError, chained
            else:
                body = environ["wsgi.input"].read()
        except BaseException as exc:
            self.raised.append(type(exc).__name__)
            raise
        finally:
            self.done.set()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"%d" % len(body)]


@pytest.mark.parametrize("wrap", [False, True], ids=["wsgi.input", "webob"])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_an_aborted_upload_is_not_logged_as_an_app_error(
    wrap: bool, framing: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The client sends part of a large body and leaves: the app's read fails, quietly (waitress: nothing)."""
    app = UploadReader(wrap)
    with warnings.catch_warnings():
        # WebOb copies a large body to a temporary file that it leaves open when the read fails.
        warnings.simplefilter("ignore", ResourceWarning)
        await _abort_an_upload(app, framing)
        gc.collect()
    assert app.raised, "the app's read failed"
    assert "Exception in ASGI application" not in caplog.text, caplog.text


async def _abort_an_upload(app: UploadReader, framing: str) -> None:
    # log_config=None: uvicorn's own logging setup would drop caplog's handler
    async with running_server(WSGIAdapter(app), log_config=None) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        if framing == "chunked":
            head = b"POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            part = b"%x\r\n" % 100_000 + b"x" * 50_000
        else:
            head = b"POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % (3 * 1024 * 1024)
            part = b"x" * (1024 * 1024)
        writer.write(head + part)
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        await writer.wait_closed()
        await anyio.to_thread.run_sync(app.done.wait, 5)
        await asyncio.sleep(0.2)  # the adapter's answer to the failure, had it logged one
