"""ASGIBridge: a WSGI filter in front of an ASGI app, all on uvicorn's own loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import anyio
import anyio.to_thread
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from asgipaste.interop import ASGIBridge, BridgeError, WSGIAdapter
from asgipaste.types import Receive, Scope, Send
from tests.interop._helpers import serve
from tests.interop.test_adapter import body_in_pieces, expected_pieces

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]

MB = 1024 * 1024


def header_filter(app: Any) -> Any:
    """A Paste-style WSGI filter: adds a response header and an environ key."""

    def filtered(environ: Any, start_response: Any) -> Iterable[bytes]:
        environ["REMOTE_USER"] = "alice"

        def add_header(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, ("X-Filter", "seen")], exc_info)

        return app(environ, add_header)

    return filtered


async def where(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "path": request.scope["path"],
            "root_path": request.scope["root_path"],
            "route_path": request.url.path,
            "user": request.scope["wsgi_environ"].get("REMOTE_USER"),
            "length": len(body),
            "thread_is_loop": threading.get_ident() == LOOP_THREAD[0],
        }
    )


async def megabyte_out(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(16):
            yield bytes([65 + i]) * (64 * 1024)

    return StreamingResponse(chunks())


class EchoStream:
    """Raw ASGI: sends each request body message back as it arrives (streams both ways)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
            await send({"type": "http.response.body", "body": message.get("body", b""), "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def sync_endpoint(request: Request) -> Response:  # Starlette runs it on anyio's default pool
    time.sleep(0.05)
    return PlainTextResponse("sync ok")


LOOP_THREAD: list[int] = [0]

inner = Starlette(
    routes=[
        Route("/where", where, methods=["GET", "POST"]),
        Route("/megabyte", megabyte_out),
        Route("/echo", EchoStream(), methods=["POST"]),
        Route("/sync", sync_endpoint),
    ]
)


def bridged(app: Any = inner, *, threads: int | None = None, root_path: str = "") -> Any:
    adapter = WSGIAdapter(header_filter(ASGIBridge(app, name="inner")), threads=threads)
    if not root_path:
        return adapter

    async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "root_path": root_path}
        await adapter(scope, receive, send)

    return mounted


async def test_filter_headers_and_environ_reach_through_the_bridge() -> None:
    LOOP_THREAD[0] = threading.get_ident()
    async with serve(bridged(root_path="/api")) as (client, _):
        response = await client.get("/api/where")
    assert response.status_code == 200
    assert response.headers["x-filter"] == "seen"
    assert response.json() == {
        "path": "/api/where",
        "root_path": "/api",
        "route_path": "/api/where",
        "user": "alice",
        "length": 0,
        "thread_is_loop": True,  # the inner app runs on the server's own loop
    }


async def test_megabyte_streams_both_ways_through_filter_and_bridge() -> None:
    async with serve(bridged()) as (client, _):
        out = await client.get("/megabyte")
        echoed = await client.post("/echo", content=b"q" * MB)
    assert out.headers["x-filter"] == "seen"
    assert out.content == b"".join(bytes([65 + i]) * (64 * 1024) for i in range(16))
    assert echoed.content == b"q" * MB


async def test_chunked_request_body_reaches_the_bridged_app_whole() -> None:
    async with serve(bridged()) as (client, _):
        big = await client.post("/echo", content=body_in_pieces(300_000))
        small = await client.post("/where", content=body_in_pieces(1000, piece=100))
    assert big.content == expected_pieces(300_000)
    assert small.json()["length"] == 1000


async def test_chunks_arrive_as_the_app_sends_them() -> None:
    released = asyncio.Event()

    async def two_parts(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await released.wait()  # the client must have seen "first" already
        await send({"type": "http.response.body", "body": b"second"})

    async with serve(bridged(two_parts)) as (client, _), client.stream("GET", "/") as response:
        parts = response.aiter_bytes()
        assert await anext(parts) == b"first"
        released.set()
        assert [part async for part in parts] == [b"second"]


@pytest.mark.slow  # real time: half a second or more
async def test_inner_app_is_held_back_when_the_wsgi_side_reads_slowly() -> None:
    sent = [0]

    async def firehose(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(64):
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
            sent[0] += 1
        await send({"type": "http.response.body", "body": b""})

    def slow_reader(app: Any) -> Any:
        def filtered(environ: Any, start_response: Any) -> Iterator[bytes]:
            iterable = app(environ, start_response)
            try:
                for index, chunk in enumerate(iterable):
                    if index == 0:
                        time.sleep(0.3)  # the inner app keeps running meanwhile
                        yield str(sent[0]).encode().rjust(65536)
                    yield chunk
            finally:
                iterable.close()

        return filtered

    app = WSGIAdapter(slow_reader(ASGIBridge(firehose)))
    async with serve(app) as (client, _):
        response = await client.get("/")
    sent_while_paused = int(response.content[:65536])
    assert sent_while_paused <= 3  # 64 KiB of buffering, not the whole response
    assert len(response.content) == 65536 * 65


@pytest.mark.slow  # real time: half a second or more
async def test_exceptions_propagate_into_the_wsgi_filter() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise LookupError("inner app failed")

    def fault_wrapper(app: Any) -> Any:  # like nova's FaultWrapper
        def filtered(environ: Any, start_response: Any) -> Iterable[bytes]:
            try:
                return app(environ, start_response)
            except LookupError as exc:
                start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
                return [f"caught {exc}".encode()]

        return filtered

    async with serve(WSGIAdapter(fault_wrapper(ASGIBridge(broken)))) as (client, _):
        caught = await client.get("/")
    async with serve(bridged(broken), log_level="critical") as (client, _):
        uncaught = await client.get("/")
    assert (caught.status_code, caught.text) == (502, "caught inner app failed")
    assert uncaught.status_code == 500


async def test_mid_stream_failure_of_the_inner_app_closes_the_connection() -> None:
    async def half(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"half", "more_body": True})
        raise RuntimeError("inner failed mid-stream")

    import httpx

    async with serve(bridged(half), log_level="critical", timeout=5) as (client, _):
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/")


async def test_closing_the_iterable_early_disconnects_the_inner_app() -> None:
    got: list[str] = []
    disconnected = threading.Event()

    async def listens(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"chunk", "more_body": True})
        message = await receive()  # request body first
        message = await receive()
        got.append(message["type"])
        try:
            await send({"type": "http.response.body", "body": b"late", "more_body": True})
        except OSError:  # ASGI spec 2.4, as the scope says
            got.append("send raised OSError")
        disconnected.set()

    def first_chunk_only(app: Any) -> Any:
        def filtered(environ: Any, start_response: Any) -> Iterable[bytes]:
            iterable = app(environ, lambda status, headers, exc_info=None: None)
            first = next(iter(iterable))
            iterable.close()  # the WSGI side stops listening
            start_response("200 OK", [])
            return [b"replaced:" + first]

        return filtered

    async with serve(WSGIAdapter(first_chunk_only(ASGIBridge(listens)))) as (client, _):
        response = await client.get("/")
        for _ in range(100):
            if disconnected.is_set():
                break
            await asyncio.sleep(0.01)
    assert response.text == "replaced:chunk"
    assert got == ["http.disconnect", "send raised OSError"]


@contextlib.asynccontextmanager
async def default_thread_limit(tokens: int) -> AsyncIterator[None]:
    limiter = anyio.to_thread.current_default_thread_limiter()
    old = limiter.total_tokens
    limiter.total_tokens = tokens
    try:
        yield
    finally:
        limiter.total_tokens = old


@pytest.mark.slow  # real time: half a second or more
@pytest.mark.parametrize(("adapter_threads", "default_threads"), [(1, 1), (2, 1), (1, 2), (2, 2)])
async def test_tiny_thread_limits_do_not_deadlock(adapter_threads: int, default_threads: int) -> None:
    # Each request holds an adapter thread while the inner Starlette app needs a
    # default-pool thread for its sync endpoint: with a shared pool of 1-2
    # threads this is the starlette #1724 deadlock; with the adapter's own
    # limiter every request completes.
    async with default_thread_limit(default_threads), serve(bridged(threads=adapter_threads)) as (client, _):
        with anyio.fail_after(10):
            responses = await asyncio.gather(*(client.get("/sync") for _ in range(6)))
    assert [(r.status_code, r.text) for r in responses] == [(200, "sync ok")] * 6


async def test_inner_app_keeps_its_lifespan_state() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        yield {"pool": "the-pool"}

    async def uses_state(request: Request) -> Response:
        return PlainTextResponse(request.state.pool)

    stateful = Starlette(routes=[Route("/", uses_state)], lifespan=lifespan)
    bridge = ASGIBridge(stateful)
    adapter = WSGIAdapter(header_filter(bridge))

    async def composite(scope: Scope, receive: Receive, send: Send) -> None:
        # What the loader's lifespan fan-out does: the inner app (bridge.app)
        # runs its lifespan with the server's state dict.
        if scope["type"] == "lifespan":
            await bridge.app(scope, receive, send)
        else:
            await adapter(scope, receive, send)

    async with serve(composite) as (client, _):
        response = await client.get("/")
    assert (response.status_code, response.text) == (200, "the-pool")


async def test_on_the_loop_thread_it_refuses_instead_of_deadlocking() -> None:
    bridge = ASGIBridge(inner, name="inner")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/where", "wsgi.input": None}
    with pytest.raises(BridgeError, match=r"event loop thread.*threads >= 1"):
        bridge(environ, lambda *args: None)
    async with serve(bridged(threads=0), log_level="critical") as (client, _):
        assert (await client.get("/where")).status_code == 500


async def test_outside_an_anyio_worker_thread_it_explains() -> None:
    bridge = ASGIBridge(inner, name="inner")
    with pytest.raises(BridgeError, match="anyio worker thread"):
        await asyncio.to_thread(bridge, {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda *args: None)
    assert repr(bridge) == "ASGIBridge(name='inner')"
    assert bridge.app is inner
    with pytest.raises(TypeError, match="needs an ASGI app"):
        ASGIBridge(42)  # type: ignore[arg-type]


async def test_app_that_answers_without_reading_the_body_is_not_left_waiting() -> None:
    finished = asyncio.Event()

    async def early(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 413, "headers": []})
        await send({"type": "http.response.body", "body": b"too large"})
        message = await receive()  # after the response: the end, not a wait for the body
        assert message["type"] == "http.disconnect"
        finished.set()

    async with serve(bridged(early)) as (client, _):
        response = await client.post("/", content=b"x" * 300_000)
        await asyncio.wait_for(finished.wait(), 2)
    assert (response.status_code, response.text) == (413, "too large")

