"""Long-lived worker threads for one WSGIAdapter on one asyncio loop.

``anyio.to_thread.run_sync`` per request costs several loop iterations and
cancel scopes (two checkpoints, the limiter's own checkpoints): about 60 µs of
CPU per call on a busy core, more than the WSGI hello it runs. Here each worker
takes jobs from a queue; a job is one ``SimpleQueue.put`` and one
``call_soon_threadsafe`` back, a few µs. Each worker is claimed for the loop
as anyio claims its own worker threads, so ``anyio.from_thread.run`` inside
the WSGI app reaches the loop. At most ``limiter.total_tokens`` workers exist
per pool, started on demand.

No worker keeps a process alive:

* workers are **daemon** threads: the interpreter never waits for them;
* an idle worker leaves when its loop is closed, when the main thread has
  finished, or when the pool is closed (:meth:`WorkerPool.close`: the
  adapter's lifespan shutdown, and interpreter exit);
* at interpreter exit (before Python joins non-daemon threads, so whoever owns
  the loop: uvicorn, granian, gunicorn), every pool is closed and requests
  still inside app code get up to :func:`exit_timeout` seconds (default
  ``EXIT_TIMEOUT``, env ``ASGIPASTE_WSGI_EXIT_TIMEOUT``) to return; each one
  still running after that is logged (app name, thread, how long) and
  abandoned with its daemon thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
from anyio._core._eventloop import claim_worker_thread

__all__ = ["EXIT_TIMEOUT", "EXIT_TIMEOUT_ENV", "WorkerPool", "exit_timeout"]

T = TypeVar("T")

_Job = tuple["asyncio.Future[Any]", contextvars.Context, Callable[..., Any], tuple[Any, ...]]

logger = logging.getLogger("asgipaste.interop")

#: How often an idle worker checks that its loop and the main thread still exist.
_IDLE_CHECK = 1.0

#: Seconds a request still inside WSGI app code at interpreter exit is waited for.
EXIT_TIMEOUT = 5.0
EXIT_TIMEOUT_ENV = "ASGIPASTE_WSGI_EXIT_TIMEOUT"

_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()
_EXIT_HOOK = threading.Lock()
_exit_hooked = False
_numbers = itertools.count(1)


def exit_timeout() -> float:
    """The hard deadline, in seconds, for requests stuck in app code at interpreter exit."""
    text = os.environ.get(EXIT_TIMEOUT_ENV, "").strip()
    try:
        value = float(text) if text else EXIT_TIMEOUT
    except ValueError:
        return EXIT_TIMEOUT
    return value if value >= 0 else EXIT_TIMEOUT


class WorkerPool:
    """Up to ``limiter.total_tokens`` daemon worker threads for jobs from ``loop`` (create it on the loop)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limiter: anyio.CapacityLimiter, name: str) -> None:
        self.loop = loop
        self.size = int(limiter.total_tokens)
        self.name = name
        self.started = 0  # workers started (all counters live on the loop thread)
        self.busy = 0  # jobs submitted and not yet delivered
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._token = anyio.lowlevel.current_token()
        #: thread name -> when its current job started (written by the workers)
        self.running: dict[str, float] = {}
        # Jobs whose caller was cancelled (see run): the caller's wait for the
        # job's end, or the end that came before the caller looked.
        self._waiting: dict[asyncio.Future[Any], asyncio.Future[None]] = {}
        self._ended: set[asyncio.Future[Any]] = set()
        #: True once the pool was closed (lifespan shutdown or exit); a new one replaces it.
        self.closed = False
        _POOLS.add(self)
        _hook_exit()

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
        if self.busy > self.started and self.started < self.size:
            self._spawn()
        self._jobs.put((future, ctx, func, args))
        try:
            # Awaited directly, not through asyncio.shield: a shield costs an
            # extra future and loop pass per request (about 15% of in-process
            # throughput). A cancellation then cancels the job's future too, so
            # the job's end is reported to _deliver's second channel below.
            return await future
        except asyncio.CancelledError:
            # A WSGI call cannot be interrupted: wait for it (as anyio's
            # to_thread.run_sync does), then stay cancelled.
            if on_cancel is not None:
                on_cancel()
            if future.cancelled() and future not in self._ended:
                ended: asyncio.Future[None] = self.loop.create_future()
                self._waiting[future] = ended
                while not ended.done():
                    try:
                        await asyncio.shield(ended)
                    except asyncio.CancelledError:
                        pass
            self._ended.discard(future)
            raise

    def _spawn(self) -> None:
        self.started += 1
        thread = threading.Thread(
            target=self._work, name=f"asgipaste WSGI {self.name} {next(_numbers)}", daemon=True
        )
        thread.start()

    def close(self) -> None:
        """Let every worker finish the jobs already queued, then leave (from any thread)."""
        if self.closed:
            return
        self.closed = True
        for _ in range(self.started):
            self._jobs.put(None)

    def _work(self) -> None:
        """A worker thread's life: take jobs until told to stop or the loop is gone."""
        jobs = self._jobs
        loop = self.loop
        deliver = self._deliver
        running = self.running
        me = threading.current_thread().name
        main = threading.main_thread()
        with claim_worker_thread(self._token.backend_class, self._token.native_token):
            while True:
                try:
                    job = jobs.get(timeout=_IDLE_CHECK)
                except queue.Empty:
                    if self.closed or loop.is_closed() or not main.is_alive():
                        return
                    continue
                if job is None:
                    return
                future, ctx, func, args = job
                result: Any = None
                error: BaseException | None = None
                running[me] = time.monotonic()
                try:
                    result = ctx.run(func, *args)
                except BaseException as exc:
                    error = exc
                finally:
                    running.pop(me, None)
                try:
                    loop.call_soon_threadsafe(deliver, future, result, error)
                except RuntimeError:  # the loop was closed under us
                    return

    def _deliver(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        self.busy -= 1
        if future.done():  # its caller was cancelled: tell the wait in run(), or leave word for it
            ended = self._waiting.pop(future, None)
            if ended is None:
                self._ended.add(future)
            elif not ended.done():
                ended.set_result(None)
            return
        if isinstance(error, StopIteration):  # a Future refuses StopIteration itself
            wrapped = RuntimeError("WSGI call raised StopIteration")
            wrapped.__cause__ = error
            error = wrapped
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


def _hook_exit() -> None:
    global _exit_hooked
    with _EXIT_HOOK:
        if _exit_hooked:
            return
        # Runs at interpreter exit before non-daemon threads are joined (the
        # hook concurrent.futures uses), in the main thread, whoever owns the loop.
        register = getattr(threading, "_register_atexit", None)
        if register is not None:
            try:
                register(_close_all_at_exit)
            except RuntimeError:  # pragma: no cover - already shutting down
                return
        _exit_hooked = True


def _close_all_at_exit() -> None:
    """Close every pool; wait up to :func:`exit_timeout` for requests still in app code; log the rest."""
    pools = list(_POOLS)
    for pool in pools:
        pool.close()
    timeout = exit_timeout()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(pool.running for pool in pools):
        time.sleep(0.02)
    now = time.monotonic()
    for pool in pools:
        for thread, since in list(pool.running.items()):
            logger.error(
                "asgipaste: WSGI app %r still runs a request in thread %r (for %.1f s) after waiting %s s "
                "at process exit (%s): abandoning it",
                pool.name,
                thread,
                now - since,
                timeout,
                EXIT_TIMEOUT_ENV,
            )
