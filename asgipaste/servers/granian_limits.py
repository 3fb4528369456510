"""The request-head limits granian enforces itself, on its WSGI interface.

Shared by the server (which sets granian's read buffer in the parent) and the
import target its workers load (which wraps the app with what is left), so the
two always split a policy the same way. Only granian's HTTP/1 parser enforces
them: HTTP/2 requests (h2c, or TLS with ALPN) still get every limit in Python.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from asgipaste.servers.policy import ServePolicy, serving_wsgi_app
from asgipaste.types import WSGIApp

__all__ = ["GRANIAN_MAX_HEADERS", "HTTP1Split", "granian_wsgi_app", "native_head_limits"]

#: Header lines granian's HTTP/1 parser (hyper) accepts; the 101st is refused with 431.
GRANIAN_MAX_HEADERS = 100
#: The smallest read buffer granian accepts (hyper's minimum).
_GRANIAN_MIN_BUFFER = 8192


def _exact_buffer(size: int) -> bool:
    """Whether granian's read buffer stops a head at exactly ``size`` bytes.

    Its buffer grows by doubling from 8 KiB, so only those sizes are exact; a
    buffer of 20000 lets a 32 KiB head through (measured with granian 2.8).
    """
    return size >= _GRANIAN_MIN_BUFFER and size % _GRANIAN_MIN_BUFFER == 0 and (size & (size - 1)) == 0


def native_head_limits(policy: ServePolicy) -> tuple[int | None, ServePolicy]:
    """Split ``policy`` into what granian enforces itself and what is left for Python.

    Returns granian's ``max_buffer_size`` (None: its default) and the policy the
    WSGI interface still wraps the app with. granian refuses a head with more
    than 100 header lines, and one larger than its read buffer, with 431 before
    any Python runs. A buffer of ``max_header_bytes`` (when that is 8 KiB times
    a power of two, as the default 64 KiB is) refuses every head whose names
    and values exceed it; the request line and framing count too, so a head
    just under the limit can be refused, never one over it let through.
    What is left is at most the 414 check, a few string lengths per request,
    instead of a scan of the environ (docs/benchmarks.md, granian WSGI rows).

    >>> buffer, left = native_head_limits(ServePolicy(max_url_len=2000))
    >>> buffer, left.max_headers, left.max_header_bytes, left.max_url_len
    (65536, None, None, 2000)
    >>> native_head_limits(ServePolicy(max_headers=20, max_header_bytes=4096))[0] is None
    True
    """
    buffer = None
    max_headers = policy.max_headers
    if max_headers is None or max_headers >= GRANIAN_MAX_HEADERS:
        max_headers = None
    max_header_bytes = policy.max_header_bytes
    if max_header_bytes is not None and _exact_buffer(max_header_bytes):
        buffer, max_header_bytes = max_header_bytes, None
    return buffer, replace(policy, max_headers=max_headers, max_header_bytes=max_header_bytes)


class HTTP1Split:
    """HTTP/1 requests to ``http1``, every other (HTTP/2) to ``other``: a WSGI app.

    >>> split = HTTP1Split(lambda e, s: [b"1"], lambda e, s: [b"2"])
    >>> split({"SERVER_PROTOCOL": "HTTP/1.1"}, None), split({"SERVER_PROTOCOL": "HTTP/2"}, None)
    ([b'1'], [b'2'])
    """

    __slots__ = ("http1", "other")

    def __init__(self, http1: WSGIApp, other: WSGIApp) -> None:
        self.http1 = http1
        self.other = other

    def __repr__(self) -> str:
        return f"HTTP1Split(http1={self.http1!r}, other={self.other!r})"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        # granian says "HTTP/1.1", "HTTP/1" (for 1.0) or "HTTP/2"
        if environ.get("SERVER_PROTOCOL", "").startswith("HTTP/1"):
            return self.http1(environ, start_response)
        return self.other(environ, start_response)


def granian_wsgi_app(app: WSGIApp, policy: ServePolicy) -> WSGIApp:
    """``app`` as granian's WSGI interface serves it: HTTP/1 skips the checks granian made already.

    granian's HTTP/1 parser refuses over 100 header lines, and a head over its
    read buffer, itself (the server sets that buffer from the same policy). Its
    HTTP/2 side counts no header lines (150 passed, measured with granian 2.8),
    so an HTTP/2 request gets the whole policy in Python.

    >>> def app(environ, start_response): ...
    >>> split = granian_wsgi_app(app, ServePolicy(max_url_len=2000))
    >>> split.http1.max_headers, split.other.max_headers, split.other.max_url_len
    (None, 100, 2000)
    """
    _, left = native_head_limits(policy)
    http1 = serving_wsgi_app(app, replace(left, freeze_gc=False))  # the process is prepared once, below
    every = serving_wsgi_app(app, policy)
    return every if left == policy else HTTP1Split(http1, every)
