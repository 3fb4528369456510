"""Show an ASGI app to WSGI code (a Paste filter, a legacy composite) without a second loop.

:class:`ASGIBridge` is a WSGI callable. It is meant to be called inside a
:class:`~asgipaste.interop.wsgi.WSGIAdapter` worker thread, and runs the ASGI
app as a task **on the server's own event loop**: the worker thread learns its
loop once with ``anyio.from_thread.run_sync`` and then hands each step over with
``call_soon_threadsafe``. So the inner app shares the loop, its pools and its
lifespan state with everything else, and its own thread use (Starlette's sync
endpoints) draws on anyio's default limiter while the bridge itself only holds
the adapter's thread: the two pools cannot starve each other.

Per request: the body is handed over whole when it is already in memory or
small, else pulled from ``wsgi.input`` as the app asks for it (chunked bodies
included); the response comes back as an iterable that yields each chunk as the
app sends it, with at most 64 KiB waiting (the app's ``send`` blocks beyond
that); closing the iterable early sends ``http.disconnect`` to the app and
makes its ``send`` raise ``OSError`` (the scope says ASGI spec 2.4, so
Starlette's streaming responses need no second reader of ``receive``).
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, cast

import anyio.from_thread

from asgipaste.interop.environ import BODY_BUFFER_LIMIT, asgi_headers_to_wsgi, build_scope, status_line
from asgipaste.interop.streams import ClientDisconnected
from asgipaste.types import ASGIApp, Environ, Message, Scope, StartResponse

__all__ = ["ASGIBridge", "BridgeError"]

logger = logging.getLogger("asgipaste.interop")


class BridgeError(RuntimeError):
    """The bridge was called where it cannot reach the server's event loop."""


class _Reader:
    """The request body as the bridge feeds it: whole when cheap, else in 64 KiB pieces."""

    __slots__ = ("remaining", "stream")

    def __init__(self, environ: Environ) -> None:
        self.stream: Any = environ.get("wsgi.input")
        if environ.get("webob.is_body_seekable") and self.stream is not None:
            # WebOb's convention for a body a filter already read (req.params, req.body):
            # the input is seekable and every reader starts from 0, as the app would.
            try:
                self.stream.seek(0)
            except (AttributeError, OSError, ValueError):
                pass
        length = str(environ.get("CONTENT_LENGTH") or "")
        #: bytes still to read; None = read to EOF (chunked); 0 = done
        self.remaining: int | None = int(length) if length.isdigit() else None
        if self.stream is None:
            self.remaining = 0
        elif self.remaining is None and not environ.get("wsgi.input_terminated"):
            # PEP 3333: without CONTENT_LENGTH a server need not end the stream,
            # so reading to EOF could hang; only terminated inputs are read so.
            self.remaining = 0

    def prefetch(self) -> tuple[bytes, bool]:
        """What can be read now without waiting on the network: ``(data, complete)``."""
        if self.remaining == 0:
            return b"", True
        if isinstance(self.stream, io.BytesIO):  # already in memory (WSGIAdapter, small body)
            self.remaining = 0
            return self.stream.read(), True
        if self.remaining is not None and self.remaining <= BODY_BUFFER_LIMIT:
            data = self.piece()
            return data, self.remaining == 0
        return b"", False

    def piece(self) -> bytes:
        """The next piece of the body (runs in the worker thread; may block)."""
        size = BODY_BUFFER_LIMIT if self.remaining is None else min(self.remaining, BODY_BUFFER_LIMIT)
        data: bytes = self.stream.read(size) if size else b""
        if self.remaining is not None:
            # A body shorter than announced ends where it ends.
            self.remaining = self.remaining - len(data) if data else 0
        elif not data:
            self.remaining = 0
        return data


Step = tuple[list[bytes], bool]  # (chunks for the thread, the app wants a body piece)


class Waiter:
    """One step's answer, handed from the loop to the thread blocked on it.

    A bare lock, held until the answer is in: a third cheaper per hop than a
    ``concurrent.futures.Future`` (whose condition allocates a lock and a
    waiter list per wait), measured on a one-core round trip.
    """

    __slots__ = ("_error", "_lock", "_result", "_set")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()
        self._set = False
        self._result: Step | None = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._set

    def set_result(self, result: Step) -> None:
        self._result, self._set = result, True
        self._lock.release()

    def set_exception(self, error: BaseException) -> None:
        self._error, self._set = error, True
        self._lock.release()

    def result(self) -> Step:
        """Block until the loop answers (the thread's side; called once)."""
        self._lock.acquire()
        if self._error is not None:
            raise self._error
        return cast(Step, self._result)


class _Session:
    """One request's ASGI side. Every method runs on the event loop.

    The thread hands the loop a :class:`Waiter` (through
    ``call_soon_threadsafe``) and blocks on it; the loop resolves it as soon as
    the thread has something to do: one cross-thread wake-up per step, and no
    task per step.
    """

    def __init__(self, bridge: ASGIBridge, scope: Scope, body: bytes, body_complete: bool) -> None:
        self.bridge = bridge
        self.scope = scope
        self.body: deque[bytes] = deque([body] if body else [])
        self.body_complete = body_complete
        self.body_ended = False  # the last http.request went to the app
        self.need_body = False
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.out: list[bytes] = []
        self.out_size = 0
        # HEAD: the body an app sends anyway (Starlette sends its GET body) is dropped, as
        # ASGI servers drop it; a WSGI server would send it (waitress) or warn (gunicorn).
        self.keep_body = scope["method"] != "HEAD"
        self.finished = False  # the app sent its last body message
        self.app_done = False
        self.aborted = False
        self.error: BaseException | None = None
        self.waiter: Waiter | None = None
        self.body_ready = asyncio.Event()
        self.drained = asyncio.Event()
        self.ended = asyncio.Event()

    # -- the thread's side (called through call_soon_threadsafe) -----------

    def start(self, waiter: Waiter) -> None:
        try:
            task = asyncio.get_running_loop().create_task(self.run_app())
        except BaseException as exc:
            waiter.set_exception(exc)
            return
        self.bridge._tasks.add(task)  # a strong reference until it ends
        task.add_done_callback(self.bridge._tasks.discard)
        self.park(waiter)

    def park(self, waiter: Waiter) -> None:
        """Resolve ``waiter`` once there are chunks, the end, an error, or a body request."""
        self.waiter = waiter
        self.notify()

    def feed(self, data: bytes, more: bool, waiter: Waiter) -> None:
        self.need_body = False
        if data:
            self.body.append(data)
        if not more:
            self.body_complete = True
        self.body_ready.set()
        self.park(waiter)

    def notify(self) -> None:
        waiter = self.waiter
        if waiter is not None and (self.out or self.finished or self.app_done or self.need_body):
            self.waiter = None
            if not waiter.done():
                waiter.set_result(self.take())

    def take(self) -> Step:
        chunks = self.out
        self.out = []
        self.out_size = 0
        self.drained.set()
        return chunks, self.need_body

    def abort(self) -> None:
        """The WSGI side stopped listening: the app sees ``http.disconnect``."""
        if not self.finished:
            self.aborted = True
        self.ended.set()
        self.body_ready.set()
        self.drained.set()

    # -- the app's side ----------------------------------------------------

    async def run_app(self) -> None:
        try:
            await self.bridge.app(self.scope, self.receive, self.send)
        except BaseException as exc:  # handed to the thread, which raises it in the WSGI stack
            if self.aborted:
                # The client left: what its leaving raised in the app (Starlette turns the OSError
                # of send() into ClientDisconnect) is no failure of the app.
                if not _client_leaving(exc):
                    logger.warning("%r: ASGI app failed after the WSGI side hung up", self.bridge, exc_info=exc)
            elif self.finished:
                # The response is complete (Starlette's ServerErrorMiddleware sends its 500, then
                # re-raises): nothing left to hand the WSGI side, so logged here, as uvicorn logs it.
                logger.error("%r: exception in ASGI application", self.bridge, exc_info=exc)
            else:
                self.error = exc
            if not isinstance(exc, Exception):
                raise
        else:
            if not self.finished and not self.aborted:
                what = "sending http.response.start" if self.status is None else "finishing its response body"
                self.error = RuntimeError(f"ASGI app behind {self.bridge!r} returned without {what}")
        finally:
            self.app_done = True
            self.notify()

    async def receive(self) -> Message:
        while True:
            if self.aborted or self.finished:  # after the response: nothing but the end
                return {"type": "http.disconnect"}
            if self.body:
                data = self.body.popleft()
                more = not (self.body_complete and not self.body)
                self.body_ended = not more
                return {"type": "http.request", "body": data, "more_body": more}
            if self.body_complete:
                if not self.body_ended:
                    self.body_ended = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                await self.ended.wait()  # nothing more until the response ends or the WSGI side leaves
                return {"type": "http.disconnect"}
            self.need_body = True
            self.body_ready.clear()
            self.notify()
            await self.body_ready.wait()

    async def send(self, message: Message) -> None:
        if self.aborted:  # ASGI spec 2.4: send() on a closed connection raises OSError
            raise ClientDisconnected("the WSGI side closed the response iterable")
        kind = message["type"]
        if kind == "http.response.start":
            if self.status is not None:
                raise RuntimeError("ASGI app sent http.response.start twice")
            self.status = int(message["status"])
            self.headers = list(message.get("headers", ()))
            return  # headers travel with the first body chunk, as WSGI wants
        if kind != "http.response.body":
            raise RuntimeError(f"{self.bridge!r} does not support ASGI message {kind!r}")
        if self.status is None:
            raise RuntimeError("ASGI app sent http.response.body before http.response.start")
        if self.finished:
            raise RuntimeError("ASGI app sent http.response.body after its response was complete")
        body = message.get("body", b"") if self.keep_body else b""
        if body:
            self.out.append(bytes(body))
            self.out_size += len(body)
        if not message.get("more_body", False):
            self.finished = True
            self.ended.set()
            self.notify()
            return
        if body:
            self.notify()
        while self.out_size > BODY_BUFFER_LIMIT and not self.aborted:  # backpressure
            self.drained.clear()
            await self.drained.wait()


def _client_leaving(exc: BaseException) -> bool:
    """What a departed client raises in an app: cancellation, the OSError of send(), Starlette's ClientDisconnect.

    Starlette's class is matched by name, so that importing the bridge does not import Starlette.
    """
    if isinstance(exc, asyncio.CancelledError | OSError):
        return True
    return any(c.__name__ == "ClientDisconnect" and c.__module__.startswith("starlette.") for c in type(exc).__mro__)


class _BridgedResponse:
    """The WSGI iterable of a bridged response that is still streaming."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, session: _Session, reader: _Reader, chunks: list[bytes]
    ) -> None:
        self._loop = loop
        self._session = session
        self._reader = reader
        self._chunks = deque(chunks)
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        while not self._chunks:
            session = self._session
            if self._closed or (session.finished and not session.out):
                self._closed = True
                raise StopIteration
            if session.error is not None:
                self._closed = True
                raise session.error
            step = _call(self._loop, session.park)
            self._chunks.extend(_advance(self._loop, session, self._reader, step))
        return self._chunks.popleft()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _abort(self._loop, self._session)

    def __del__(self) -> None:
        # A filter that drops the iterable without close() must not leave the
        # app blocked in send() forever.
        if not self._closed:
            _abort(self._loop, self._session)


_local = threading.local()


def _loop_for_this_thread(bridge: ASGIBridge) -> asyncio.AbstractEventLoop:
    """The event loop this anyio worker thread belongs to (asked once per thread)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        try:
            loop = anyio.from_thread.run_sync(asyncio.get_running_loop)
        except anyio.NoEventLoopError:
            raise BridgeError(
                f"{bridge!r} must be called from an anyio worker thread, as WSGIAdapter(threads>=1) "
                "runs WSGI apps; it runs the ASGI app on that server's event loop"
            ) from None
        except RuntimeError:
            raise BridgeError(f"{bridge!r} runs ASGI apps on asyncio event loops only") from None
        _local.loop = loop  # an anyio worker thread serves one loop for its whole life
    return loop


def _call(loop: asyncio.AbstractEventLoop, method: Any, *args: Any) -> Step:
    """Run a session step on the loop and wait (in the worker thread) for its result."""
    waiter = Waiter()
    try:
        loop.call_soon_threadsafe(method, *args, waiter)
    except RuntimeError:  # the loop is closed
        raise BridgeError("the server's event loop has stopped") from None
    return waiter.result()


def _abort(loop: asyncio.AbstractEventLoop, session: _Session) -> None:
    try:
        loop.call_soon_threadsafe(session.abort)
    except RuntimeError:  # loop closed: nothing left to free
        pass


def _advance(loop: asyncio.AbstractEventLoop, session: _Session, reader: _Reader, step: Step) -> list[bytes]:
    """Feed the app body pieces (in the worker thread) for as long as it asks for them
    without having produced output; return the chunks it produced.

    ``step`` is what the session last returned: ``(chunks, wants_body)``.
    """
    chunks, need_body = step
    while not chunks and need_body:
        try:
            data = reader.piece()
        except BaseException:
            _abort(loop, session)
            raise
        chunks, need_body = _call(loop, session.feed, data, reader.remaining != 0)
    return chunks


class ASGIBridge:
    """A WSGI callable running the ASGI app ``app`` on the server's event loop.

    Call it from a :class:`~asgipaste.interop.wsgi.WSGIAdapter` worker thread
    (``threads`` >= 1): it raises :class:`BridgeError` on the loop thread itself
    (``threads=0``), where waiting for the loop would deadlock, and outside anyio
    worker threads. ``app`` is the inner ASGI app (its lifespan is the caller's
    to run). The scope carries ``state`` from ``environ["asgi.scope"]`` (else a copy
    of ``state``, the lifespan state of a loop of its own), and
    ``scope["wsgi_environ"]`` is the environ the filters saw.

    >>> from asgipaste.interop.wsgi import WSGIAdapter
    >>> def add_header(app):  # a Paste-style WSGI filter
    ...     def filtered(environ, start_response):
    ...         def sr(status, headers, exc_info=None):
    ...             return start_response(status, [*headers, ("X-Filter", "1")], exc_info)
    ...         return app(environ, sr)
    ...     return filtered
    >>> async def inner(scope, receive, send): ...
    >>> served = WSGIAdapter(add_header(ASGIBridge(inner, name="inner")))
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        name: str | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        if not callable(app):
            raise TypeError(f"ASGIBridge needs an ASGI app, got {app!r}")
        self.app = app
        #: a loop of its own (asgipaste.interop.loop_host, under a WSGI server); None: the server's
        self.loop = loop
        #: the lifespan state of that loop's own lifespan, for requests that bring none
        #: (under a WSGI server there is no outer scope to carry it)
        self.state = state
        self.name = name or getattr(app, "__qualname__", None) or type(app).__qualname__
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        self._check_thread()
        reader = _Reader(environ)
        body, complete = reader.prefetch()
        scope = build_scope(environ)
        if self.state is not None and "state" not in scope:
            scope["state"] = dict(self.state)  # a shallow copy per request, as ASGI servers give
        session = _Session(self, scope, body, complete)
        loop = self.loop if self.loop is not None else _loop_for_this_thread(self)
        chunks = _advance(loop, session, reader, _call(loop, session.start))
        if session.status is None or (session.error is not None and not chunks):
            _abort(loop, session)
            raise session.error or RuntimeError(f"ASGI app behind {self!r} sent no response")
        try:
            start_response(status_line(session.status), asgi_headers_to_wsgi(session.headers))
        except BaseException:
            _abort(loop, session)
            raise
        if session.finished and not session.out:
            return chunks  # the whole response is here: no more hops
        return _BridgedResponse(loop, session, reader, chunks)

    def _check_thread(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise BridgeError(
            f"{self!r} was called on the event loop thread, where waiting for the loop deadlocks; "
            "a WSGI filter in front of an ASGI app needs a WSGIAdapter with threads >= 1 "
            "(not threads=0 / wsgi_threads = 0)"
        )
