"""The adapter's worker threads: daemon, gone after the lifespan shutdown, reachable to anyio (issue 12.2)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import anyio.from_thread
import pytest

from asgipaste.interop import WSGIAdapter
from tests.interop._helpers import serve

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]


def _threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(f"asgipaste WSGI {name} ")]


def uses_anyio(environ: Any, start_response: Any) -> list[bytes]:
    loop = anyio.from_thread.run_sync(asyncio.get_running_loop)  # a claimed worker reaches the loop
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"daemon=%d loop=%d" % (threading.current_thread().daemon, loop is not None)]


async def _gone(name: str, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while _threads(name) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return not _threads(name)


async def test_workers_are_daemon_and_leave_at_the_lifespan_shutdown() -> None:
    adapter = WSGIAdapter(uses_anyio, threads=3, name="lifecycle")
    async with serve(adapter, lifespan="on") as (client, _):
        responses = await asyncio.gather(*(client.get("/") for _ in range(3)))
        assert {r.text for r in responses} == {"daemon=1 loop=1"}
        assert _threads("lifecycle"), "workers are running while the server serves"
    # the server ran its lifespan shutdown; this test's loop is still open
    assert await _gone("lifecycle"), _threads("lifecycle")


async def test_control_without_a_lifespan_workers_stay_until_the_loop_goes() -> None:
    adapter = WSGIAdapter(uses_anyio, threads=2, name="nolifespan")
    async with serve(adapter, lifespan="off") as (client, _):
        assert (await client.get("/")).text == "daemon=1 loop=1"
    await asyncio.sleep(0.2)
    assert _threads("nolifespan"), "no lifespan shutdown: the pool is kept for the loop's next request"
    adapter.close_pools()
    assert await _gone("nolifespan")
