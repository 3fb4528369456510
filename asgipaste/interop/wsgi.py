"""Serve a WSGI app to an ASGI server with one lean crossing per request.

:class:`WSGIAdapter` is what the loader puts at the border where a (possibly
fused) WSGI stack meets ASGI. Compared with a2wsgi's ``WSGIMiddleware``:

* **one thread hop** for a typical request: a small body (``Content-Length``
  up to 64 KiB) is read on the loop before the hop, and the app's status,
  headers and first non-empty body chunk come back from that same hop; a
  response that is then finished is sent from the loop with no other hop.
  Longer responses stream from a worker thread, one hop per chunk, with the
  server's ``send`` as backpressure;
* headers wait for the first non-empty body chunk (PEP 3333), so an app that
  fails after ``start_response`` gives a 500, and ``start_response(...,
  exc_info)`` can still replace the status;
* a client that disconnects stops a streaming response, whatever the app did
  with the request body (read it, read part, none): the iterable is no longer
  pulled and is ``close()``\\ d, which frees its thread (see ``_Inbox``);
* response headers are checked in ``start_response`` (PEP 3333): values lose
  surrounding whitespace, and a name or value that cannot be sent raises
  there, so the client gets a 500 rather than a dropped connection;
* on asyncio, threads are the adapter's own **daemon** worker threads (see
  ``_pool``), at most ``threads`` of them, claimed for the loop as anyio
  claims its own, so code inside the WSGI app can reach the server loop with
  ``anyio.from_thread.run`` (:class:`~asgipaste.interop.bridge.ASGIBridge`
  does). They take jobs from a queue, which makes a hop a few µs instead of
  anyio's ~60, and leave at the adapter's lifespan shutdown, when the loop is
  closed, or at interpreter exit: they never keep a process alive. Elsewhere
  (trio) each hop is a ``to_thread.run_sync`` call under a
  ``CapacityLimiter`` of the adapter's own. ``threads=0`` runs the app on the
  event loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import io
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread

from asgipaste.errors import ConfigValueError
from asgipaste.interop._pool import WorkerPool
from asgipaste.interop.environ import BODY_BUFFER_LIMIT, build_environ, parse_status, wsgi_headers_to_asgi
from asgipaste.interop.streams import ClientDisconnected, RequestBodyDiscarded, StreamingInput
from asgipaste.lifespan import acknowledge_lifespan
from asgipaste.types import Environ, ExcInfo, Message, Receive, Scope, Send, WSGIApp

__all__ = ["DEFAULT_THREADS", "REQUEST_PREREAD_LIMIT", "WSGIAdapter"]

#: Request bodies with a Content-Length up to this are read on the loop before
#: the one thread hop (a 1 MB POST then costs one hop, not one per 64 KiB
#: message); larger or chunked bodies stream to the thread with backpressure.
REQUEST_PREREAD_LIMIT = 1024 * 1024

#: Worker threads per adapter when ``threads`` is not given (anyio's own default).
DEFAULT_THREADS = 40

_NO_BODY_STATUS = frozenset({204, 304})

logger = logging.getLogger("asgipaste.interop")


class _Response:
    """One request's WSGI response as it is produced: status, headers, chunks not yet sent."""

    __slots__ = (
        "asgi_send",
        "chunks",
        "disconnected",
        "headers",
        "headers_sent",
        "iterable",
        "iterator",
        "size",
        "status",
        "streaming",
        "threaded",
    )

    def __init__(self, send: Send, threaded: bool) -> None:
        self.asgi_send = send
        self.threaded = threaded
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_sent = False
        self.chunks: list[bytes] = []
        self.size = 0
        self.iterable: Iterable[bytes] | None = None
        self.iterator: Iterator[bytes] | None = None  # set while more body may come
        self.streaming = False
        self.disconnected = False

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None) -> Any:
        if exc_info is not None:
            try:
                if self.headers_sent:  # too late to change anything: let it propagate (PEP 3333)
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # break the traceback cycle
            self.chunks.clear()  # body written for the failed response must not follow the new one
            self.size = 0
        elif self.status is not None:
            raise RuntimeError("start_response() called a second time without exc_info")
        self.status = parse_status(status)
        self.headers = wsgi_headers_to_asgi(headers)
        return self.write

    def write(self, data: bytes) -> None:
        """PEP 3333's legacy ``write()``: buffered up to 64 KiB, then sent from the thread."""
        if self.status is None:
            raise RuntimeError("write() called before start_response()")
        if not isinstance(data, bytes | bytearray):
            raise TypeError(f"write() takes bytes, not {type(data).__name__}")
        if not data:
            return
        self.chunks.append(bytes(data))
        self.size += len(data)
        if self.threaded and (self.streaming or self.size >= BODY_BUFFER_LIMIT):
            self.flush()

    def flush(self) -> bool:
        """Send the buffered chunks from the worker thread; False once the client is gone."""
        result: bool = anyio.from_thread.run(self.send_chunks)
        return result

    async def send_chunks(self) -> bool:
        """Send headers (if not yet) and the buffered chunks; False once the client is gone."""
        chunks = self.chunks
        self.chunks = []
        self.size = 0
        if self.disconnected:
            return False
        send = self.asgi_send
        if not self.headers_sent:
            self.headers_sent = True
            await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        return not self.disconnected

    def stop(self) -> None:
        """Make a streaming response stop at its next chunk (the request was cancelled)."""
        self.disconnected = True

    def close_iterable(self) -> None:
        iterable, self.iterable = self.iterable, None
        self.iterator = None
        close = getattr(iterable, "close", None)
        if close is not None:
            close()


class WSGIAdapter:
    """An ASGI app serving the WSGI app ``app``.

    ``threads``: how many requests may run the WSGI app at once, on anyio worker
    threads bounded by this adapter's own ``CapacityLimiter`` (default 40).
    ``threads=0`` runs the app **on the event loop thread**: no thread hop at
    all, for WSGI code known never to block (no I/O, no sleeps, no locks held
    long); the whole request body is then read before the app is called, and a
    blocking app stalls every request of the process. ``name`` labels the
    adapter in errors and ``repr``.

    >>> def hello(environ, start_response):
    ...     start_response("200 OK", [("Content-Type", "text/plain")])
    ...     return [b"Hello, world!"]
    >>> app = WSGIAdapter(hello, threads=8, name="hello")
    >>> app
    WSGIAdapter(name='hello', threads=8)
    """

    def __init__(self, app: WSGIApp, *, threads: int | None = None, name: str | None = None) -> None:
        if not callable(app):
            raise TypeError(f"WSGIAdapter needs a WSGI callable, got {app!r}")
        if threads is None:
            threads = DEFAULT_THREADS
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ConfigValueError(
                f"threads must be a whole number >= 0, got {threads!r}",
                key="threads",
                hint="0 runs the WSGI app on the event loop; leave it unset for 40 threads",
            )
        self.app = app
        self.threads = threads
        self.name = name or getattr(app, "__qualname__", None) or type(app).__qualname__
        self.limiter: anyio.CapacityLimiter | None = anyio.CapacityLimiter(threads) if threads else None
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, WorkerPool] = weakref.WeakKeyDictionary()
        self._last_pool: WorkerPool | None = None  # the last loop's pool: one lookup per request saved

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, threads={self.threads})"

    @property
    def busy_threads(self) -> int:
        """WSGI calls of this adapter in worker threads now, running or queued (asyncio loops)."""
        return sum(pool.busy for pool in list(self._pools.values()))

    def close_pools(self) -> None:
        """Let this adapter's worker threads leave once their current jobs are done."""
        self._last_pool = None  # nor keep its loop alive
        for pool in list(self._pools.values()):
            pool.close()

    async def _in_thread(
        self,
        ctx: contextvars.Context,
        func: Callable[..., None],
        *args: Any,
        on_cancel: Callable[[], object] | None = None,
    ) -> None:
        """Run ``func`` in one of this adapter's worker threads, inside ``ctx``."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): anyio's per-call threads
            await anyio.to_thread.run_sync(ctx.run, func, *args, limiter=self.limiter)
            return
        pool = self._last_pool
        if pool is None or pool.loop is not loop:
            pool = self._pools.get(loop)
        if pool is None or pool.closed:
            if self.limiter is None:  # pragma: no cover - threads=0 never gets here
                raise RuntimeError(f"{self!r} has no threads")
            pool = self._pools[loop] = WorkerPool(loop, self.limiter, self.name)
        self._last_pool = pool
        await pool.run(ctx, func, *args, on_cancel=on_cancel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await acknowledge_lifespan(receive, send)  # a WSGI app has nothing to start
            self.close_pools()  # shutdown: the workers leave (a later request starts new ones)
        elif kind == "websocket":
            # Closing before accepting makes the server reject the handshake (403).
            await send({"type": "websocket.close", "code": 1000})
        else:
            raise RuntimeError(f"{self!r} cannot serve ASGI scope type {kind!r}")

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        threaded = self.limiter is not None
        environ = build_environ(scope, _EMPTY, multithread=threaded)
        body = await self._request_body(environ, scope, receive)
        if body is None:
            return  # the client left before its request body was in: nobody to answer
        environ["wsgi.input"] = body
        resp = _Response(send, threaded)
        # Both hops run in one context, so contextvars set by the app while
        # producing its first chunk are still set when the rest is pulled.
        # (On the loop, the request task's own context already is that one.)
        ctx = contextvars.copy_context() if threaded else _NO_CONTEXT
        try:
            if not threaded:
                # Yield once first: the loop then reads every socket that is ready
                # before running apps, so responses go out in batches as on the
                # threaded path (+15% req/s over HTTP on uvicorn, measured).
                if asyncio._get_running_loop() is not None:
                    await asyncio.sleep(0)  # what anyio's checkpoint does there, without its library lookup
                else:
                    await anyio.lowlevel.checkpoint()
                self._start(environ, resp)
            else:
                await self._in_thread(ctx, self._start, environ, resp)
        except BaseException as exc:
            resp.close_iterable()  # cancelled after the app returned a streaming iterable
            if isinstance(exc, Exception) and isinstance(body, StreamingInput) and body.disconnected:
                # An aborted upload: whatever the app raised after its read failed (the
                # ClientDisconnected, or a filter's wrapping of it) is not an app error,
                # and nobody is left to answer. waitress never calls the app for it.
                logger.debug("%s: the client left during its request body: %r", self.name, exc)
                return
            raise
        iterator = resp.iterator
        if iterator is None:
            await _send_complete(resp, scope)
        else:
            # From here the inbox is receive()'s only reader: it feeds the rest
            # of the body to wsgi.input and sees the client leave, whatever
            # the app did with the body.
            inbox = _Inbox(receive, resp, more=False)
            if isinstance(body, StreamingInput):
                inbox.more = body.handover(inbox.next_message)
            await self._stream(resp, iterator, ctx, inbox)

    async def _request_body(self, environ: Environ, scope: Scope, receive: Receive) -> Any:
        """A ``wsgi.input`` for the request, or None if the client left first."""
        length_text = environ.get("CONTENT_LENGTH")
        chunked = "HTTP_TRANSFER_ENCODING" in environ
        if length_text is None and not chunked:
            if scope.get("http_version") != "2":
                return io.BytesIO()  # HTTP/1.x: no length and not chunked means no body
            length = None
        else:
            length = int(length_text) if length_text and length_text.isdigit() else None
            if length == 0 and not chunked:
                return io.BytesIO()
        if self.limiter is not None and (chunked or length is None or length > REQUEST_PREREAD_LIMIT):
            return StreamingInput(receive)
        parts: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                return io.BytesIO(parts[0] if len(parts) == 1 else b"".join(parts))

    def _start(self, environ: Environ, resp: _Response) -> None:
        """Call the app and pull its iterable up to the first non-empty chunk (in the worker)."""
        iterable = self.app(environ, resp.start_response)
        resp.iterable = iterable
        try:
            if type(iterable) is list or type(iterable) is tuple:
                for chunk in iterable:  # already in memory: take it all
                    if chunk:
                        _add(resp, chunk)
            else:
                iterator = iter(iterable)
                for chunk in iterator:
                    if chunk:
                        _add(resp, chunk)
                        resp.iterator = iterator
                        return
        except BaseException:
            resp.close_iterable()
            raise
        resp.close_iterable()
        if resp.status is None:
            raise RuntimeError(f"WSGI app {self.name!r} returned without calling start_response()")

    async def _stream(
        self,
        resp: _Response,
        iterator: Iterator[bytes],
        ctx: contextvars.Context,
        inbox: _Inbox,
    ) -> None:
        """Send a response whose body is still being produced, watching for a disconnect."""
        error: Exception | None = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(inbox.run)
            try:
                resp.streaming = True
                if self.limiter is None:
                    if await resp.send_chunks():
                        await _pump_on_loop(resp, iterator)
                    else:
                        resp.close_iterable()
                elif await resp.send_chunks():
                    await self._in_thread(ctx, _pump, resp, iterator, on_cancel=resp.stop)
                else:  # gone already; close() may block, so not on the loop
                    await self._in_thread(ctx, resp.close_iterable)
                if not resp.disconnected:
                    await resp.asgi_send({"type": "http.response.body", "body": b"", "more_body": False})
            except Exception as exc:  # re-raised below, unwrapped by the task group
                if isinstance(exc, ClientDisconnected) and resp.disconnected:
                    # the app read wsgi.input after the client left: expected, not an app error
                    logger.debug("%s: the client left while the app read its request body", self.name)
                else:
                    error = exc
            finally:
                tg.cancel_scope.cancel()
                if resp.iterable is not None:  # cancelled before the pump took it over
                    resp.close_iterable()
        if error is not None:
            raise error


_EMPTY = io.BytesIO()  # placeholder while the environ is built; replaced before the app runs
_NO_CONTEXT = contextvars.Context()  # threads=0 never runs anything in it


def _add(resp: _Response, chunk: bytes) -> None:
    if not isinstance(chunk, bytes):
        raise TypeError(f"a WSGI app must yield bytes, not {type(chunk).__name__}: {chunk!r:.60}")
    if resp.status is None:
        raise RuntimeError("WSGI app produced body data before calling start_response()")
    resp.chunks.append(chunk)
    resp.size += len(chunk)


async def _send_complete(resp: _Response, scope: Scope) -> None:
    """Send a response the app finished in its first hop: no thread involved any more."""
    send = resp.asgi_send
    chunks = resp.chunks
    if not resp.headers_sent:
        headers = resp.headers
        status = resp.status or 500  # never None here: _start checked it
        if status >= 200 and status not in _NO_BODY_STATUS and scope["method"] != "HEAD":
            # The whole body is known: say how long it is, as PEP 3333 allows, so
            # the server need not fall back to chunked encoding.
            for name, _ in headers:
                if name == b"content-length" or name == b"transfer-encoding":
                    break
            else:
                headers = [*headers, (b"content-length", str(resp.size).encode("ascii"))]
        resp.headers_sent = True
        await send({"type": "http.response.start", "status": status, "headers": headers})
    if len(chunks) > 1 and resp.size <= BODY_BUFFER_LIMIT:
        chunks = [b"".join(chunks)]
    for chunk in chunks[:-1]:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": chunks[-1] if chunks else b"", "more_body": False})


def _pump(resp: _Response, iterator: Iterator[bytes]) -> None:
    """Pull the rest of the iterable in a worker thread; one loop hop per chunk."""
    try:
        for chunk in iterator:
            if resp.disconnected:
                return
            if chunk:
                _add(resp, chunk)
            if resp.chunks and not resp.flush():
                return
    finally:
        resp.close_iterable()


async def _pump_on_loop(resp: _Response, iterator: Iterator[bytes]) -> None:
    """``threads=0``: pull the rest of the iterable on the loop, yielding at each send."""
    try:
        for chunk in iterator:
            if resp.disconnected:
                return
            if chunk:
                _add(resp, chunk)
            if resp.chunks and not await resp.send_chunks():
                return
            # send() need not suspend; yield so other requests and the
            # disconnect watcher get to run between chunks.
            await anyio.lowlevel.checkpoint()
    finally:
        resp.close_iterable()


#: Once a response streams, a request body the app has not read is dropped
#: if the app reads nothing for this long while the inbox buffer is full.
BODY_ABANDON_AFTER = 1.0


class _Inbox:
    """The only reader of ``receive()`` while a WSGI response streams.

    It notices ``http.disconnect`` whatever the app does with the request body
    (sets ``resp.disconnected``, which stops the pump), and feeds body that
    is still coming to ``wsgi.input`` (:meth:`next_message`, called from the
    worker thread through ``anyio.from_thread.run``). Up to
    ``REQUEST_PREREAD_LIMIT`` bytes the app has not read yet are kept; while
    that is full the inbox stops reading (TCP backpressure), unless the app
    read nothing for ``BODY_ABANDON_AFTER`` seconds: then the body counts as
    abandoned and the rest of it is read and dropped, so a disconnect is
    still seen (a later read of the dropped part raises
    :class:`~asgipaste.interop.streams.RequestBodyDiscarded`).
    """

    __slots__ = ("_arrived", "_parts", "_receive", "_resp", "_size", "_space", "discarding", "more")

    def __init__(self, receive: Receive, resp: _Response, more: bool) -> None:
        self._receive = receive
        self._resp = resp
        self.more = more  # body messages still to come from the server
        self.discarding = False
        self._parts: collections.deque[bytes] = collections.deque()
        self._size = 0
        self._arrived = anyio.Event()  # set when body or a disconnect arrives
        self._space = anyio.Event()  # set when the app takes body

    async def run(self) -> None:
        resp = self._resp
        while True:
            if self.more and not self.discarding and self._size >= REQUEST_PREREAD_LIMIT:
                space = self._space = anyio.Event()
                with anyio.move_on_after(BODY_ABANDON_AFTER):
                    await space.wait()
                if not space.is_set():
                    self.discarding = True
                    logger.debug("%s: request body not read for %s s, dropping the rest", resp, BODY_ABANDON_AFTER)
                continue
            message: Message = await self._receive()
            kind = message["type"]
            if kind == "http.disconnect":
                resp.disconnected = True
                self._wake()
                return
            if kind == "http.request" and self.more:
                self.more = bool(message.get("more_body", False))
                body = message.get("body", b"")
                if body and not self.discarding:
                    self._parts.append(body)
                    self._size += len(body)
                self._wake()

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = anyio.Event()

    async def next_message(self) -> Message:
        """The next ``http.request`` for ``wsgi.input`` (the worker thread calls this on the loop)."""
        while True:
            if self._resp.disconnected:
                return {"type": "http.disconnect"}
            if self._parts:
                body = self._parts.popleft()
                self._size -= len(body)
                self._space.set()
                more = bool(self._parts) or self.more or self.discarding
                return {"type": "http.request", "body": body, "more_body": more}
            if self.discarding:
                raise RequestBodyDiscarded(
                    f"the request body past {REQUEST_PREREAD_LIMIT} bytes was dropped: the app read none of it "
                    f"for {BODY_ABANDON_AFTER} s while its response streamed"
                )
            if not self.more:
                return {"type": "http.request", "body": b"", "more_body": False}
            self._space.set()
            await self._arrived.wait()
