"""Faults under a real uvicorn: app errors, disconnects, a saturated thread pool.

In-process servers (``tests/_server.py``) so the tests can count the server's
asyncio tasks and the WSGI adapter's busy threads; lifespan failure and
SIGTERM are in ``test_process_faults.py`` (they need a process of their own).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from asgipaste import loadapp
from asgipaste.interop import WSGIAdapter
from asgipaste.urlmap import URLMap
from tests._server import running_server
from tests.reliability import apps

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]

A = "call:tests.reliability.apps:factory"


def _ini(entries: dict[str, str], threads: dict[str, int] | None = None) -> str:
    lines = ["[composite:main]", "use = egg:asgipaste#urlmap"]
    lines += [f"{path} = {name}" for path, name in entries.items()]
    for name in entries.values():
        lines += [f"[app:{name}]", f"use = {A}", f"app = {name}"]
        if threads and name in threads:
            lines.append(f"wsgi_threads = {threads[name]}")
    return "\n".join(lines) + "\n"


def _load(tmp_path: Path, entries: dict[str, str], threads: dict[str, int] | None = None) -> Any:
    path = tmp_path / "faults.ini"
    path.write_text(_ini(entries, threads))
    return loadapp(f"config:{path}")


async def _eventually(check: Callable[[], bool], timeout: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.01)
    return check()


# --- app errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("app", ["wsgi_raise_before", "wsgi_raise_after", "asgi_raise_before"])
async def test_error_before_any_body_is_a_500(tmp_path: Path, app: str) -> None:
    stack = _load(tmp_path, {"/boom": app, "/ok": "asgi_hello"})
    async with running_server(stack) as (base, _), httpx.AsyncClient(base_url=base, timeout=5) as client:
        response = await client.get("/boom")
        assert response.status_code == 500  # never a 200 with a truncated body
        assert (await client.get("/ok")).text == "hello"


async def test_wsgi_error_after_first_chunk_closes_the_connection(tmp_path: Path) -> None:
    stack = _load(tmp_path, {"/boom": "wsgi_raise_in_body", "/ok": "asgi_hello"})
    async with running_server(stack) as (base, _), httpx.AsyncClient(base_url=base, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):  # an incomplete chunked body, not a clean 200
            await client.get("/boom")
        assert (await client.get("/ok")).text == "hello"


async def test_asgi_error_mid_stream_closes_the_connection_and_server_keeps_serving(tmp_path: Path) -> None:
    stack = _load(tmp_path, {"/boom": "asgi_raise_mid_stream", "/ok": "asgi_hello"})
    async with running_server(stack) as (base, _), httpx.AsyncClient(base_url=base, timeout=5) as client:
        for _ in range(3):
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/boom")
        assert (await client.get("/ok")).text == "hello"


# --- disconnects ---------------------------------------------------------------------------------


async def _partial_request(base: str, path: str, sent: int, declared: int) -> None:
    host, port = base.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n".encode() + b"a" * sent)
    await writer.drain()
    await asyncio.sleep(0.2)  # the app is now waiting for the rest of the body
    writer.close()
    await writer.wait_closed()


def _tasks() -> int:
    """Tasks on the loop (the adapter's worker pool is plain daemon threads, with no task of its own)."""
    return len(asyncio.all_tasks())


def _busy_threads(adapter: WSGIAdapter) -> int:
    """WSGI jobs the adapter has handed to its threads and not yet got back."""
    return adapter.busy_threads


@pytest.mark.slow  # real time: half a second or more
async def test_disconnect_mid_request_frees_the_wsgi_thread_and_tasks() -> None:
    adapter = WSGIAdapter(apps.wsgi_read_body, threads=4)
    urlmap = URLMap()
    urlmap["/read"] = adapter
    async with running_server(urlmap) as (base, _):
        baseline = _tasks()
        for _ in range(3):
            await _partial_request(base, "/read", sent=70_000, declared=1_000_000)
        assert await _eventually(lambda: apps.GAUGE.inside == 0), f"{apps.GAUGE.inside} requests still inside"
        assert await _eventually(lambda: _busy_threads(adapter) == 0), f"{_busy_threads(adapter)} threads busy"
        assert await _eventually(lambda: _tasks() <= baseline), f"{_tasks()} tasks, baseline {baseline}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:  # and it still works
            assert (await client.post("/read", content=b"x" * 100)).text == "100"


@pytest.mark.slow  # real time: half a second or more
async def test_disconnect_mid_request_ends_the_asgi_task(tmp_path: Path) -> None:
    stack = _load(tmp_path, {"/read": "asgi_read_body"})
    async with running_server(stack) as (base, _):
        baseline = _tasks()
        for _ in range(3):
            await _partial_request(base, "/read", sent=10_000, declared=1_000_000)
        assert await _eventually(lambda: apps.GAUGE.inside == 0)
        assert await _eventually(lambda: _tasks() <= baseline), f"{_tasks()} tasks, baseline {baseline}"


async def test_disconnect_mid_response_closes_the_wsgi_iterable_and_frees_the_thread() -> None:
    adapter = WSGIAdapter(apps.wsgi_endless, threads=4)
    closed_before = apps.GAUGE.closed
    async with running_server(adapter) as (base, _):
        baseline = _tasks()
        for _ in range(3):
            async with httpx.AsyncClient(base_url=base, timeout=5) as client, client.stream("GET", "/") as response:
                assert response.status_code == 200
                async for _chunk in response.aiter_bytes():
                    break  # leave mid-response: the client closes the connection
        assert await _eventually(lambda: apps.GAUGE.closed - closed_before == 3), "iterables not closed"
        assert await _eventually(lambda: apps.GAUGE.inside == 0)
        assert await _eventually(lambda: _busy_threads(adapter) == 0), f"{_busy_threads(adapter)} threads busy"
        assert await _eventually(lambda: _tasks() <= baseline), f"{_tasks()} tasks, baseline {baseline}"


# --- a saturated thread pool -----------------------------------------------------------------------


async def test_blocked_wsgi_pool_does_not_stop_async_routes(tmp_path: Path) -> None:
    apps.RELEASE.clear()
    stack = _load(tmp_path, {"/block": "wsgi_block", "/async": "asgi_hello"}, threads={"wsgi_block": 2})
    async with running_server(stack) as (base, _), httpx.AsyncClient(base_url=base, timeout=15) as client:
        blocked = [asyncio.create_task(client.get("/block")) for _ in range(5)]  # 2 running, 3 queued
        try:
            assert await _eventually(lambda: apps.GAUGE.inside == 2, timeout=3), apps.GAUGE.inside
            for _ in range(20):
                started = time.monotonic()
                response = await client.get("/async")
                assert response.text == "hello"
                assert time.monotonic() - started < 5  # blocked would mean: never, until RELEASE
            assert apps.GAUGE.inside == 2  # the pool's bound holds: the other three still wait
        finally:
            apps.RELEASE.set()
        responses = await asyncio.gather(*blocked)
        assert [r.text for r in responses] == ["released"] * 5
