"""The two streams a WSGI environ carries: ``wsgi.input`` fed from ASGI, and ``wsgi.errors``.

Small request bodies are read on the event loop and handed over as an
``io.BytesIO``; :class:`StreamingInput` is for the rest (large or chunked
bodies): it pulls ``http.request`` messages from the server's loop while the
WSGI app reads, one message per pull, so memory stays at one message and a
slow reader slows the client down (backpressure through TCP).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import anyio.from_thread

from asgipaste.types import Message, Receive

__all__ = ["ClientDisconnected", "ErrorStream", "RequestBodyDiscarded", "StreamingInput"]

errors_logger = logging.getLogger("asgipaste.wsgi.errors")


class ClientDisconnected(OSError):
    """The client went away before the whole request body arrived.

    Raised from ``wsgi.input`` reads instead of a silent early EOF, so a WSGI app
    never acts on a truncated body. It is an ``OSError``, which is what WSGI apps
    already expect from a broken socket.
    """


class RequestBodyDiscarded(OSError):
    """The app read request body that had been discarded.

    Once a response streams, the adapter keeps reading the request so it can
    see the client leave. Body the app has not read is kept up to 1 MiB; if the
    app then reads nothing for a second while more arrives, the rest is
    dropped, and a read reaching the dropped part raises this.
    """


class ErrorStream:
    """``wsgi.errors``: a text stream whose every line becomes one log record.

    Records go to the ``asgipaste.wsgi.errors`` logger at ERROR level (WSGI
    apps write there to report errors). A partial line waits for its newline,
    for :meth:`flush`, or for the end of the request.

    >>> stream = ErrorStream()
    >>> stream.write("disk full\\n")
    10
    """

    __slots__ = ("_partial",)

    def __init__(self) -> None:
        self._partial = ""

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"wsgi.errors takes str, not {type(text).__name__}")
        data = self._partial + text
        *lines, self._partial = data.split("\n")
        for line in lines:
            errors_logger.error("%s", line)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._partial:
            line, self._partial = self._partial, ""
            errors_logger.error("%s", line)

    def close(self) -> None:  # PEP 3333 apps must not close it; be lenient if they do
        self.flush()

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


class StreamingInput:
    """``wsgi.input`` for a body that is read while it arrives.

    Runs in the WSGI worker thread; each time its buffer runs dry it fetches the
    next ``http.request`` message from the event loop with
    ``anyio.from_thread.run(receive)``. ``initial`` is body already received on
    the loop. ``http.disconnect`` before the end raises :class:`ClientDisconnected`.
    """

    def __init__(
        self,
        receive: Receive,
        initial: bytes = b"",
        *,
        more: bool = True,
        run: Callable[[Receive], Message] | None = None,
    ) -> None:
        self._receive = receive
        self._buffer = bytearray(initial)
        self._more = more
        self._run: Callable[[Receive], Message] = run or _from_thread_receive
        #: True once the whole body is in.
        self.complete = not more
        #: True once the client left before the end of the body (the app got ClientDisconnected).
        self.disconnected = False
        #: How many times the app's reads fetched a message (the adapter's
        #: inbox treats a body nobody reads as abandoned).
        self.pulls = 0

    def handover(self, receive: Receive) -> bool:
        """Fetch from ``receive`` from now on; True if more body is expected.

        The adapter calls it (between two hops, never during a read) when its
        inbox takes over the server's ``receive``.
        """
        self._receive = receive
        return self._more

    def _fill(self) -> bool:
        """Fetch one more message; False at the end of the body."""
        if not self._more:
            return False
        self.pulls += 1
        message = self._run(self._receive)
        kind = message.get("type")
        if kind == "http.disconnect":
            self._more = False
            self.disconnected = True
            raise ClientDisconnected("client disconnected before the request body was complete")
        if kind != "http.request":
            raise RuntimeError(f"unexpected ASGI message while reading the request body: {kind!r}")
        self._buffer += message.get("body", b"")
        self._more = bool(message.get("more_body", False))
        if not self._more:
            self.complete = True
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        while len(self._buffer) < size and self._fill():
            pass
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = size if size is not None and size >= 0 else None
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end != -1:
                end += 1
                break
            if limit is not None and len(self._buffer) >= limit:
                end = limit
                break
            start = len(self._buffer)
            if not self._fill():
                end = len(self._buffer)
                break
        if limit is not None:
            end = min(end, limit)
        data = bytes(self._buffer[:end])
        del self._buffer[:end]
        return data

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        lines: list[bytes] = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                return lines

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._buffer.clear()


def _from_thread_receive(receive: Receive) -> Message:
    async def pull() -> Message:
        return await receive()

    return anyio.from_thread.run(pull)
