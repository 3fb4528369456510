"""Request-head limits: 414 for a long URL, 431 for too many or too large headers.

Applied on every serving path by :func:`asgipaste.servers.policy.serving_app`
(uvicorn, gunicorn's uvicorn worker, the launcher, ``asgipaste.serve:app`` and
granian's ASGI interface); granian's WSGI interface gets the same limits
through granian's own options.
"""

from __future__ import annotations

from typing import Any

from asgipaste.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_HEADER_BYTES",
    "MaxURLLength",
    "RequestBodyLimit",
    "RequestLimits",
    "WSGIRequestLimits",
    "plain_response",
]


#: Request-head limits applied by every asgipaste serving path (Apache's
#: LimitRequestFields is 100; httptools, uvicorn's default parser, has none).
DEFAULT_MAX_HEADERS = 100
DEFAULT_MAX_HEADER_BYTES = 64 * 1024


class _HeadLimits:
    """The three limits and the one decision both the ASGI and the WSGI form take."""

    def __init__(
        self,
        app: Any,
        *,
        max_url_len: int | None = None,
        max_headers: int | None = DEFAULT_MAX_HEADERS,
        max_header_bytes: int | None = DEFAULT_MAX_HEADER_BYTES,
    ) -> None:
        self.app = app
        self.max_url_len = max_url_len or None
        self.max_headers = max_headers or None
        self.max_header_bytes = max_header_bytes or None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.app!r}, max_url_len={self.max_url_len}, "
            f"max_headers={self.max_headers}, max_header_bytes={self.max_header_bytes})"
        )

    def refusal(self, header_count: int, header_bytes: int, target_len: int) -> tuple[int, str] | None:
        """``(status, text)`` for a request head over a limit, else None.

        >>> _HeadLimits(None, max_url_len=10).refusal(3, 100, 11)
        (414, 'Request URI too long')
        """
        if self.max_headers is not None and header_count > self.max_headers:
            return 431, "Request header fields too large: too many headers"
        if self.max_header_bytes is not None and header_bytes > self.max_header_bytes:
            return 431, "Request header fields too large"
        if self.max_url_len is not None and target_len > self.max_url_len:
            return 414, "Request URI too long"
        return None


class RequestLimits(_HeadLimits):
    """Refuse oversize request heads before the app sees them.

    414 when the request target (path and query) is longer than ``max_url_len``
    bytes (nova's ``max_url_len``); 431 when there are more than ``max_headers``
    headers or their names and values add up to more than ``max_header_bytes``.
    ``None`` or ``0`` turns a limit off; non-HTTP scopes pass straight through.

    >>> RequestLimits(app=None, max_url_len=16384)  # doctest: +ELLIPSIS
    RequestLimits(None, max_url_len=16384, max_headers=100, max_header_bytes=65536)
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = self.check(scope)
            if refused is not None:
                await plain_response(send, *refused)
                return
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> tuple[int, str] | None:
        """``(status, text)`` when the head of the HTTP ``scope`` is over a limit, else None.

        A plain function, so that :class:`asgipaste.serve.LazyApp` can run it
        inline instead of awaiting one more layer on every request.

        >>> limits = RequestLimits(app=None, max_headers=1)
        >>> limits.check({"type": "http", "path": "/", "headers": [(b"a", b"1"), (b"b", b"2")]})
        (431, 'Request header fields too large: too many headers')
        """
        headers = scope.get("headers", ())
        over = self.max_headers is not None and len(headers) > self.max_headers
        size = target = 0
        limit = self.max_header_bytes
        if limit is not None and not over:
            for name, value in headers:  # a plain loop: a third of sum() over a generator, per request
                size += len(name) + len(value)
            over = size > limit
        if self.max_url_len is not None and not over:
            query = scope.get("query_string", b"")
            target = len(scope.get("raw_path") or scope["path"].encode("utf-8")) + (len(query) + 1 if query else 0)
            over = target > self.max_url_len
        # Which limit, and its text, only for a request refused.
        return self.refusal(len(headers), size, target) if over else None


class MaxURLLength(RequestLimits):
    """Only the 414 of :class:`RequestLimits`: nova's ``max_url_len``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app, max_url_len=limit, max_headers=None, max_header_bytes=None)
        self.limit = limit

    def __repr__(self) -> str:
        return f"MaxURLLength({self.app!r}, limit={self.limit})"


class RequestBodyLimit:
    """413 for a request body of ``limit`` bytes or more: waitress's ``max_request_body_size``.

    waitress refuses a body that reaches the size (1000 refuses 1000 bytes), and
    so does this. A ``Content-Length`` at the limit is refused before the app runs. A body
    of no stated length (chunked) is counted as the app reads it: past the
    limit the app reads ``http.disconnect`` (a WSGI app below sees
    ``ClientDisconnected``), the client gets the 413 if no response had started,
    and what the app sends afterwards is dropped. waitress buffers the body
    first, so its app never runs for such a request; here only the 413 is the same.

    >>> RequestBodyLimit(app=None, limit=1000)
    RequestBodyLimit(None, limit=1000)
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.app!r}, limit={self.limit})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = chunked = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = value
        if chunked is None and length is not None and length.strip().isdigit():
            if int(length) >= self.limit:
                await _too_large(send, self.limit)
            else:  # the server stops the body at its stated length
                await self.app(scope, receive, send)
            return
        if chunked is None and length is None and scope.get("http_version") != "2":
            await self.app(scope, receive, send)  # HTTP/1.x: no length and not chunked is no body
            return
        await _CountedBody(self.app, self.limit, receive, send).run(scope)


class _CountedBody:
    """One request of unknown length under :class:`RequestBodyLimit`."""

    def __init__(self, app: ASGIApp, limit: int, receive: Receive, send: Send) -> None:
        self.app = app
        self.limit = limit
        self.outer_receive = receive
        self.outer_send = send
        self.seen = 0
        self.refused = False
        self.started = False

    async def run(self, scope: Scope) -> None:
        await self.app(scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self.outer_receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen >= self.limit:
                self.refused = True
                if not self.started:
                    self.started = True
                    await _too_large(self.outer_send, self.limit)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the 413 went out instead, or the response can no longer be completed
        if message["type"] == "http.response.start":
            self.started = True
        await self.outer_send(message)


async def _too_large(send: Send, limit: int) -> None:
    # Connection: close, as waitress does: the rest of the body is not read.
    await plain_response(send, 413, f"Request body too large: it reaches max_request_body_size ({limit})", close=True)


async def plain_response(send: Send, status: int, text: str, *, close: bool = False) -> None:
    """Send a complete ``text/plain`` response (with ``Connection: close`` when ``close``)."""
    body = (text + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class WSGIRequestLimits(_HeadLimits):
    """:class:`RequestLimits` for a WSGI app served on a WSGI interface (granian's), same codes.

    The environ joins repeated headers, so the count is of distinct names; the
    sizes are of what the app would see.

    >>> def app(environ, start_response):
    ...     start_response("200 OK", [])
    ...     return [b"ok"]
    >>> limited = WSGIRequestLimits(app, max_url_len=8)
    >>> statuses = []
    >>> limited({"PATH_INFO": "/a-long-path", "QUERY_STRING": ""}, lambda s, h: statuses.append(s))
    [b'Request URI too long\\n']
    >>> statuses
    ['414 URI Too Long']
    """

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        # Only the limits that are on are measured: this runs on every request of
        # granian's WSGI interface, where a full scan of the environ costs more
        # than a five-filter legacy stack (see docs/benchmarks.md).
        count = size = target = 0
        # The count cannot pass max_headers when the whole environ does not.
        if self.max_header_bytes is not None or (self.max_headers is not None and len(environ) > self.max_headers):
            for key, value in environ.items():
                if key[:5] == "HTTP_" or key in _BODY_HEADERS:
                    count += 1
                    size += len(key) - 5 + len(str(value))
        if self.max_url_len is not None:
            # WSGI strings are latin-1 decoded bytes: one character per byte.
            query = environ.get("QUERY_STRING", "")
            target = len(environ.get("SCRIPT_NAME", "")) + len(environ.get("PATH_INFO", ""))
            target += len(query) + 1 if query else 0
        refused = self.refusal(count, size, target)
        if refused is not None:
            return _refuse(start_response, refused)
        return self.app(environ, start_response)


_BODY_HEADERS = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))
_REASONS = {414: "URI Too Long", 431: "Request Header Fields Too Large"}


def _refuse(start_response: Any, refused: tuple[int, str]) -> list[bytes]:
    code, text = refused
    body = (text + "\n").encode("utf-8")
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(f"{code} {_REASONS[code]}", headers)
    return [body]
