"""Long-lived anyio worker threads for one WSGIAdapter on one asyncio loop.

``anyio.to_thread.run_sync`` per request costs several loop iterations and
cancel scopes (two checkpoints, the limiter's own checkpoints): about 60 µs of
CPU per call on a busy core, more than the WSGI hello it runs. Here each worker
is still started with ``anyio.to_thread.run_sync(..., limiter=adapter.limiter)``
(so it is an anyio worker thread, where ``anyio.from_thread.run`` reaches the
loop, and the adapter's limiter bounds how many exist), but it then stays and
takes jobs from a queue; a job is one ``SimpleQueue.put`` and one
``call_soon_threadsafe`` back, a few µs.

The workers live in a task of their own on the loop, started with the first
job, grown on demand up to the limiter's size, and ended when that task is
cancelled (the loop shutting down) or the loop is closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.abc
import anyio.to_thread

__all__ = ["WorkerPool"]

T = TypeVar("T")

_Job = tuple["asyncio.Future[Any]", contextvars.Context, Callable[..., Any], tuple[Any, ...]]

#: How often an idle worker checks that its loop still exists.
_IDLE_CHECK = 2.0


class WorkerPool:
    """Up to ``limiter.total_tokens`` worker threads for jobs from ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limiter: anyio.CapacityLimiter, name: str) -> None:
        self.loop = loop
        self.limiter = limiter
        self.name = name
        self.started = 0  # workers asked for (all counters live on the loop thread)
        self.busy = 0  # jobs submitted and not yet delivered
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._group: anyio.abc.TaskGroup | None = None
        self._host: asyncio.Task[None] | None = None
        self._waiting_spawns = 0
        #: True once the workers' task has ended (the loop is shutting down).
        self.closed = False

    async def run(
        self,
        ctx: contextvars.Context,
        func: Callable[..., T],
        *args: Any,
        on_cancel: Callable[[], object] | None = None,
    ) -> T:
        """Run ``ctx.run(func, *args)`` in a worker; like ``to_thread.run_sync``, never abandoned.

        ``on_cancel`` is called once if the caller is cancelled meanwhile (to
        ask the job to stop early); the call still waits for the job.
        """
        future: asyncio.Future[T] = self.loop.create_future()
        self.busy += 1
        if self.busy > self.started and self.started < self.limiter.total_tokens:
            self._spawn()
        self._jobs.put((future, ctx, func, args))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # A WSGI call cannot be interrupted: wait for it (as anyio's
            # to_thread.run_sync does), then stay cancelled.
            if on_cancel is not None:
                on_cancel()
            while not future.done():
                try:
                    await asyncio.shield(future)
                except asyncio.CancelledError:
                    pass
            raise

    def _spawn(self) -> None:
        self.started += 1
        if self._group is not None:
            self._group.start_soon(self._worker)
            return
        self._waiting_spawns += 1
        if self._host is None:
            # A fresh context: the workers must not keep the first request's contextvars.
            self._host = self.loop.create_task(
                self._serve(), name=f"asgipaste WSGI workers for {self.name}", context=contextvars.Context()
            )

    async def _serve(self) -> None:
        async with anyio.create_task_group() as group:
            self._group = group
            for _ in range(self._waiting_spawns):
                group.start_soon(self._worker)
            self._waiting_spawns = 0
            try:
                await anyio.sleep_forever()
            finally:  # cancelled: let every worker finish its job and leave
                self._group = None
                self.closed = True
                for _ in range(self.started):
                    self._jobs.put(None)

    async def _worker(self) -> None:
        await anyio.to_thread.run_sync(self._work, limiter=self.limiter)

    def _work(self) -> None:
        """A worker thread's life: take jobs until told to stop or the loop is gone."""
        jobs = self._jobs
        loop = self.loop
        deliver = self._deliver
        while True:
            try:
                job = jobs.get(timeout=_IDLE_CHECK)
            except queue.Empty:
                if loop.is_closed():
                    return
                continue
            if job is None:
                return
            future, ctx, func, args = job
            result: Any = None
            error: BaseException | None = None
            try:
                result = ctx.run(func, *args)
            except BaseException as exc:
                error = exc
            try:
                loop.call_soon_threadsafe(deliver, future, result, error)
            except RuntimeError:  # the loop was closed under us
                return

    def _deliver(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        self.busy -= 1
        if future.done():
            return
        if isinstance(error, StopIteration):  # a Future refuses StopIteration itself
            wrapped = RuntimeError("WSGI call raised StopIteration")
            wrapped.__cause__ = error
            error = wrapped
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
