"""Request-head limits: 414 for a long URL, 431 for too many or too large headers.

Applied on every serving path by :func:`asgipaste.servers.policy.serving_app`
(uvicorn, gunicorn's uvicorn worker, the launcher, ``asgipaste.serve:app`` and
granian's ASGI interface); granian's WSGI interface gets the same limits
through granian's own options.
"""

from __future__ import annotations

from typing import Any

from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_HEADER_BYTES",
    "MaxURLLength",
    "RequestLimits",
    "WSGIRequestLimits",
    "plain_response",
]


#: Request-head limits applied by every asgipaste serving path (Apache's
#: LimitRequestFields is 100; httptools, uvicorn's default parser, has none).
DEFAULT_MAX_HEADERS = 100
DEFAULT_MAX_HEADER_BYTES = 64 * 1024


class RequestLimits:
    """Refuse oversize request heads before the app sees them.

    414 when the request target (path and query) is longer than ``max_url_len``
    bytes (nova's ``max_url_len``); 431 when there are more than ``max_headers``
    headers or their names and values add up to more than ``max_header_bytes``.
    ``None`` or ``0`` turns a limit off; non-HTTP scopes pass straight through.

    >>> RequestLimits(app=None, max_url_len=16384)  # doctest: +ELLIPSIS
    RequestLimits(None, max_url_len=16384, max_headers=100, max_header_bytes=65536)
    """

    def __init__(
        self,
        app: ASGIApp,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", ())
        if self.max_headers is not None and len(headers) > self.max_headers:
            await plain_response(send, 431, "Request header fields too large: too many headers")
            return
        if self.max_header_bytes is not None and sum(len(n) + len(v) for n, v in headers) > self.max_header_bytes:
            await plain_response(send, 431, "Request header fields too large")
            return
        if self.max_url_len is not None:
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
            query = scope.get("query_string", b"")
            if len(raw_path) + (len(query) + 1 if query else 0) > self.max_url_len:
                await plain_response(send, 414, "Request URI too long")
                return
        await self.app(scope, receive, send)


class MaxURLLength(RequestLimits):
    """Only the 414 of :class:`RequestLimits`: nova's ``max_url_len``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app, max_url_len=limit, max_headers=None, max_header_bytes=None)
        self.limit = limit

    def __repr__(self) -> str:
        return f"MaxURLLength({self.app!r}, limit={self.limit})"


async def plain_response(send: Send, status: int, text: str) -> None:
    """Send a complete ``text/plain`` response."""
    body = (text + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class WSGIRequestLimits:
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

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.max_headers is not None or self.max_header_bytes is not None:
            names = [k for k in environ if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")]
            if self.max_headers is not None and len(names) > self.max_headers:
                return _refuse(start_response, "431 Request Header Fields Too Large",
                               "Request header fields too large: too many headers")
            size = sum(len(k) - 5 + len(str(environ[k])) for k in names)
            if self.max_header_bytes is not None and size > self.max_header_bytes:
                return _refuse(start_response, "431 Request Header Fields Too Large", "Request header fields too large")
        if self.max_url_len is not None:
            path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1", "replace")
            query = environ.get("QUERY_STRING", "")
            if len(path) + (len(query) + 1 if query else 0) > self.max_url_len:
                return _refuse(start_response, "414 URI Too Long", "Request URI too long")
        return self.app(environ, start_response)


def _refuse(start_response: Any, status: str, text: str) -> list[bytes]:
    body = (text + "\n").encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
