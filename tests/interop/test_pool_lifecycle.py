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


async def _pool(name: str) -> Any:
    from asgipaste.interop._pool import WorkerPool

    return WorkerPool(asyncio.get_running_loop(), anyio.CapacityLimiter(2), name)


async def test_a_cancelled_caller_waits_for_its_job_then_stays_cancelled() -> None:
    """A WSGI call cannot be interrupted: the cancelled caller returns only once the job is over."""
    import contextvars

    pool = await _pool("cancel-wait")
    release = threading.Event()
    ended = threading.Event()
    asked_to_stop: list[bool] = []

    def job() -> str:
        release.wait(5)
        ended.set()
        return "done"

    task = asyncio.create_task(
        pool.run(contextvars.copy_context(), job, on_cancel=lambda: asked_to_stop.append(True))
    )
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.sleep(0.1)
    assert not task.done(), "the caller left while its job still ran"
    assert asked_to_stop == [True]
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ended.is_set()
    assert pool.busy == 0 and not pool._waiting and not pool._ended
    pool.close()


async def test_a_job_that_ends_before_its_cancelled_caller_looks_is_not_waited_for_again() -> None:
    """The job's end is delivered between the cancellation and the caller's turn: no wait for a second end."""
    import contextvars

    pool = await _pool("cancel-race")
    started = threading.Event()
    release = threading.Event()

    def job() -> None:
        started.set()
        release.wait(5)

    task = asyncio.create_task(pool.run(contextvars.copy_context(), job))
    await asyncio.to_thread(started.wait, 5)
    release.set()
    # Block the loop (on purpose) while the worker queues its delivery, then
    # cancel: the delivery runs before the cancelled caller's turn.
    deadline = time.monotonic() + 5
    while pool.running and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)
    assert pool.busy == 0 and not pool._waiting and not pool._ended
    pool.close()


async def test_a_caller_cancelled_after_its_job_finished_does_not_wait() -> None:
    import contextvars

    pool = await _pool("cancel-after")
    assert await pool.run(contextvars.copy_context(), lambda: 41 + 1) == 42
    assert pool.busy == 0 and not pool._waiting and not pool._ended
    pool.close()
