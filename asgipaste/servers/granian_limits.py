"""The request-head limits granian enforces itself, on its WSGI interface.

Shared by the server (which sets granian's read buffer in the parent) and the
import target its workers load (which wraps the app with what is left), so the
two always split a policy the same way.
"""

from __future__ import annotations

from dataclasses import replace

from asgipaste.servers.policy import ServePolicy

__all__ = ["GRANIAN_MAX_HEADERS", "native_head_limits"]

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
