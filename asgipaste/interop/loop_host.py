"""An event loop of the process's own, for ASGI apps served to a WSGI server.

mod_wsgi, uwsgi, waitress and gunicorn's sync worker call WSGI apps from their
own threads and run no event loop. When the tree a WSGI server is given has
ASGI parts, they run on one :class:`LoopHost` per process: a daemon thread
running an asyncio loop, on which the root's lifespan is started once, when the
process first serves, and shut down when the process exits. WSGI parts below
ASGI parts run in the adapters' own worker threads, on that loop, as they do
under uvicorn.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgipaste.interop.bridge import ASGIBridge
from asgipaste.types import ASGIApp, Environ, Message, StartResponse

__all__ = ["BridgedBranch", "LifespanStartupFailed", "LoopHost", "WSGIView", "refuse"]

logger = logging.getLogger("asgipaste.interop")

#: How long a lifespan startup or shutdown may take before the process gives up on it.
LIFESPAN_TIMEOUT = 60.0


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop when it is installed (uvicorn's ``loop = auto`` rule), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


class LoopHost:
    """One event loop in a daemon thread; ``run(coro)`` from any other thread.

    >>> host = LoopHost()
    >>> async def answer(): return 42
    >>> host.run(answer())
    42
    >>> host.close()
    """

    def __init__(self) -> None:
        self.loop = _new_loop()
        self.pid = os.getpid()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="asgipaste-loop", daemon=True)
        self._thread.start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        self.loop.run_forever()

    def run(self, coro: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()


class LifespanStartupFailed(RuntimeError):
    """The tree's lifespan startup failed in this process: it serves nothing but 500s.

    ``str()`` names the failure in one line (what a client is told); ``detail``
    is what the app said (often a traceback: for the log only).
    """

    detail = ""


def refuse(start_response: StartResponse, why: str) -> list[bytes]:
    """A ``500`` naming ``why`` (a failed load or startup): the WSGI server keeps running, each request says so."""
    body = f"asgipaste: {why}\n".encode()
    start_response(
        "500 Internal Server Error",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _at_exit(func: Any) -> None:
    """Run ``func`` when the process ends: multiprocessing children (granian's workers) included.

    They leave through ``os._exit``, skipping :mod:`atexit`, but still end
    their threads first; the hook :mod:`concurrent.futures` uses runs there.
    """
    register = getattr(threading, "_register_atexit", None)
    try:
        if register is None:
            raise RuntimeError("no threading exit hook")
        register(func)
    except RuntimeError:  # already shutting down, or another Python
        atexit.register(func)


class _Lifespan:
    """The root's lifespan on the host loop: started once, shut down at exit."""

    def __init__(self, app: ASGIApp, host: LoopHost, name: str) -> None:
        self.app, self.host, self.name = app, host, name
        self._to_app: asyncio.Queue[Message] | None = None
        self._from_app: asyncio.Queue[Message] | None = None
        self._task: asyncio.Task[None] | None = None
        #: what the app stored at startup (Starlette's lifespan state); each request gets a copy
        self.state: dict[str, Any] = {}

    async def _start(self) -> None:
        self._to_app, self._from_app = asyncio.Queue(), asyncio.Queue()
        to_app, from_app = self._to_app, self._from_app

        async def run() -> None:
            scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
            try:
                await self.app(scope, to_app.get, from_app.put)
            except Exception as exc:  # an app without lifespan support may raise: that is allowed
                await from_app.put({"type": "asgipaste.lifespan.unsupported", "message": repr(exc)})
            else:  # or return without a word (unsupported too): do not wait LIFESPAN_TIMEOUT for a reply
                await from_app.put({"type": "asgipaste.lifespan.unsupported", "message": "returned"})

        self._task = asyncio.get_running_loop().create_task(run())
        await to_app.put({"type": "lifespan.startup"})
        reply = await asyncio.wait_for(from_app.get(), LIFESPAN_TIMEOUT)
        if reply["type"] == "lifespan.startup.failed":
            detail = str(reply.get("message", ""))
            # Starlette's message is a whole traceback: its last line names the error
            lines = [line for line in detail.splitlines() if line.strip()]
            failed = LifespanStartupFailed(f"lifespan startup of [{self.name}] failed: {lines[-1] if lines else ''}")
            failed.detail = detail
            raise failed

    async def _stop(self) -> None:
        if self._task is None or self._task.done() or self._to_app is None or self._from_app is None:
            return
        await self._to_app.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(self._from_app.get(), LIFESPAN_TIMEOUT)
        except TimeoutError:
            logger.warning("asgipaste: lifespan shutdown of [%s] did not finish", self.name)

    async def _abandon(self) -> None:
        """After a failed startup: end the app's lifespan task so the loop can close cleanly."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait([self._task], timeout=5)

    def start(self) -> None:
        try:
            self.host.run(self._start(), LIFESPAN_TIMEOUT + 5)
        except BaseException:
            try:
                self.host.run(self._abandon(), 10)
            finally:
                self.host.close()
            raise

    def stop(self) -> None:
        if not self.host.loop.is_closed():
            try:
                self.host.run(self._stop(), LIFESPAN_TIMEOUT + 5)
            finally:
                self.host.close()


class WSGIView:
    """A WSGI app serving an ASGI tree: one loop per process, lifespan started once per process.

    The loop and the lifespan start with the first request a process serves
    (after a pre-forking server has forked), and stop when the process exits.
    """

    def __init__(self, app: ASGIApp, *, name: str = "main") -> None:
        self.app = app
        self.name = name
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._bridge: ASGIBridge | None = None
        self._failed: tuple[int, str] | None = None  # (pid, why): this process's lifespan startup failed

    def __repr__(self) -> str:
        return f"WSGIView({self.app!r})"

    def _started(self) -> ASGIBridge:
        with self._lock:
            if self._bridge is None or self._pid != os.getpid():
                pid = os.getpid()
                if self._failed is not None and self._failed[0] == pid:
                    raise LifespanStartupFailed(self._failed[1])  # once per process, as an ASGI server does
                host = LoopHost()
                lifespan = _Lifespan(self.app, host, self.name)
                try:
                    lifespan.start()
                except Exception as exc:  # start() closed the loop it had started
                    if isinstance(exc, LifespanStartupFailed):  # the app said startup.failed
                        why, detail = str(exc), exc.detail
                    else:  # a timeout, or the loop itself
                        why, detail = f"lifespan startup of [{self.name}] failed: {type(exc).__name__}: {exc}", ""
                    self._failed = (pid, why)
                    # A WSGI server keeps the process: every request then gets a 500 naming it.
                    logger.error("asgipaste: %s%s", why, f"\n{detail.rstrip()}" if detail else "")
                    raise LifespanStartupFailed(why) from None
                _at_exit(lifespan.stop)
                self._bridge = ASGIBridge(self.app, name=self.name, loop=host.loop, state=lifespan.state)
                self._pid = pid
            return self._bridge

    def started(self) -> ASGIBridge:
        """The whole tree's bridge on this process's loop, its lifespan started (the first call in a process)."""
        return self._bridge if self._pid == os.getpid() and self._bridge is not None else self._started()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            bridge = self.started()
        except LifespanStartupFailed as exc:
            return refuse(start_response, str(exc))
        return bridge(environ, start_response)



class BridgedBranch:
    """A WSGI app running one ASGI part of a tree on the loop of the tree's :class:`WSGIView`.

    The part's lifespan is the view's (the whole tree's, started once per
    process), so a branch never starts its own.
    """

    def __init__(self, app: ASGIApp, view: WSGIView, *, name: str) -> None:
        self.app = app
        self.view = view
        self.name = name
        self._bridge: ASGIBridge | None = None

    def __repr__(self) -> str:
        return f"BridgedBranch({self.app!r})"

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            whole = self.view.started()  # this process's loop (a forked worker starts its own)
        except LifespanStartupFailed as exc:
            return refuse(start_response, str(exc))
        bridge = self._bridge
        if bridge is None or bridge.loop is not whole.loop:
            bridge = self._bridge = ASGIBridge(self.app, name=self.name, loop=whole.loop, state=whole.state)
        return bridge(environ, start_response)
