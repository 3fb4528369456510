"""``faultwrap`` and ``sizelimit``: nova's ``FaultWrapper`` and ``RequestBodySizeLimiter`` on ASGI.

.. code-block:: ini

    [filter:faultwrap]
    paste.filter_factory = asgipaste.demo.faults:FaultWrapper.factory

    [filter:sizelimit]
    paste.filter_factory = asgipaste.demo.faults:RequestBodySizeLimiter.factory
    # max_request_body_size = 114688   (default: [DEFAULT] osapi_max_request_body_size)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException

from asgipaste.converters import asint
from asgipaste.demo.base import Middleware, get_header, send_fault
from asgipaste.demo.db import DatabaseClosed
from asgipaste.errors import ConfigValueError
from asgipaste.routes.faults import Fault, HTTPError, HTTPRequestEntityTooLarge
from asgipaste.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_MAX_BODY", "SAFE_MESSAGE", "FaultWrapper", "RequestBodySizeLimiter"]

logger = logging.getLogger("asgipaste.demo.faults")

#: What a client sees for an unexpected error: nothing about the error itself.
SAFE_MESSAGE = "The server has either erred or is incapable of performing the requested operation."

#: nova's ``osapi_max_request_body_size``.
DEFAULT_MAX_BODY = 114688


def _classify(exc: BaseException) -> tuple[int, str, dict[str, str], int | None] | None:
    """``(code, message, headers, retry_after)`` for a known HTTP error, None for anything else."""
    if isinstance(exc, HTTPError):
        return exc.code, exc.explanation, dict(exc.headers), exc.retry_after
    if isinstance(exc, Fault):
        inner = _classify(exc.wrapped_exc)
        return inner if inner is not None else (exc.code, str(exc), {}, None)
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, str(exc.detail), dict(exc.headers or {}), None
    if isinstance(exc, DatabaseClosed):
        return 503, "The service is starting or stopping; try again.", {"Retry-After": "1"}, None
    return None


class FaultWrapper(Middleware):
    """Turn any exception below into a JSON fault; log the traceback, never return it.

    Known HTTP errors (:class:`asgipaste.routes.HTTPError`, ``Fault``,
    Starlette's ``HTTPException``) keep their status and message; anything else
    is a 500 ``computeFault`` with :data:`SAFE_MESSAGE`. When the response has
    already started there is nothing left to replace: the error is logged and
    re-raised so the server closes the connection.

    >>> async def app(scope, receive, send): ...
    >>> FaultWrapper(app)
    FaultWrapper(<function app at ...>)
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            known = _classify(exc)
            if started:
                logger.error(
                    "error after the response started on %s %s", scope.get("method"), scope.get("path"), exc_info=exc
                )
                raise
            if known is None or known[0] >= 500:
                logger.error("caught error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            if known is None:
                await send_fault(scope, receive, send, 500, SAFE_MESSAGE)
                return
            code, message, headers, retry_after = known
            await send_fault(scope, receive, send, code, message, headers, retry_after)


class _BodyTooLarge(HTTPRequestEntityTooLarge):
    """Raised from ``receive`` once a streamed body passes the limit."""


class RequestBodySizeLimiter(Middleware):
    """413 ``overLimit`` for bodies above ``max_request_body_size`` bytes.

    A ``Content-Length`` above the limit is refused before any of the body is
    read; a chunked (or lying) body is counted as the app reads it and the read
    that passes the limit raises a 413, which this filter answers when the app
    lets it through.

    >>> async def app(scope, receive, send): ...
    >>> RequestBodySizeLimiter(app, {}, max_request_body_size="1024").limit
    1024
    """

    def __init__(self, app: ASGIApp, global_conf: Mapping[str, Any] | None = None, **local_conf: str) -> None:
        super().__init__(app)
        conf = dict(global_conf or {})
        key = "max_request_body_size" if "max_request_body_size" in local_conf else "osapi_max_request_body_size"
        raw = local_conf.get("max_request_body_size", conf.get("osapi_max_request_body_size", DEFAULT_MAX_BODY))
        try:
            self.limit = asint(str(raw).strip())
        except ValueError:
            raise ConfigValueError(f"{key} = {raw!r} is not an integer", key=key) from None
        if self.limit < 0:
            raise ConfigValueError(f"{key} = {self.limit}: must be 0 or more", key=key)

    def __repr__(self) -> str:
        return f"RequestBodySizeLimiter({self.app!r}, limit={self.limit})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"Request is too large (over {self.limit} bytes)."
        length = get_header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length.strip())
            except ValueError:
                await send_fault(scope, receive, send, 400, f"Invalid Content-Length: {length!r}")
                return
            if declared > self.limit:
                await send_fault(scope, receive, send, 413, message)
                return
        seen = 0
        started = False
        limit = self.limit

        async def counting_receive() -> Message:
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge(message)
            return event

        async def tracking_send(event: Message) -> None:
            nonlocal started
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await send_fault(scope, receive, send, 413, message)
