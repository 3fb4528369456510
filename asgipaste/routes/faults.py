"""nova-style HTTP faults: exceptions that become ``{"itemNotFound": {...}}`` JSON bodies.

>>> exc = HTTPNotFound("Server 7 could not be found.")
>>> exc.code, exc.fault_name, exc.body()
(404, 'itemNotFound', {'itemNotFound': {'code': 404, 'message': 'Server 7 could not be found.'}})
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

__all__ = [
    "FAULT_NAMES",
    "Fault",
    "HTTPBadRequest",
    "HTTPConflict",
    "HTTPError",
    "HTTPForbidden",
    "HTTPInternalServerError",
    "HTTPMethodNotAllowed",
    "HTTPNotFound",
    "HTTPRequestEntityTooLarge",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnsupportedMediaType",
    "fault_name",
    "fault_response",
]

#: nova's fault names by status (``nova.api.openstack.wsgi.Fault._fault_names``).
FAULT_NAMES: dict[int, str] = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def fault_name(code: int) -> str:
    """nova's name for a status; anything unlisted is ``computeFault``."""
    return FAULT_NAMES.get(code, "computeFault")


def fault_response(
    code: int, message: str, headers: dict[str, str] | None = None, retry_after: int | None = None
) -> Response:
    """A JSON fault response (``overLimit`` faults carry ``retryAfter`` and ``Retry-After``)."""
    detail: dict[str, Any] = {"code": code, "message": message}
    all_headers = dict(headers or {})
    if retry_after is not None and code in (413, 429):
        detail["retryAfter"] = str(retry_after)
        all_headers["Retry-After"] = str(retry_after)
    body = json.dumps({fault_name(code): detail}).encode()
    return Response(body, status_code=code, headers=all_headers, media_type="application/json")


class HTTPError(Exception):
    """An HTTP error a controller raises; the Resource turns it into a JSON fault.

    >>> HTTPError("short and stout", code=418).code
    418
    """

    code: int = 500
    default_message: str = "An unknown error has occurred. Please try your request again."

    def __init__(
        self,
        explanation: str | None = None,
        *,
        code: int | None = None,
        headers: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        if code is not None:
            if not 400 <= code <= 599:
                raise ValueError(f"HTTPError code must be a 4xx or 5xx status, got {code!r}")
            self.code = code
        self.explanation = explanation if explanation is not None else self.default_message
        self.headers = dict(headers or {})
        self.retry_after = retry_after
        super().__init__(self.explanation)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.explanation!r}, code={self.code})"

    @property
    def fault_name(self) -> str:
        return fault_name(self.code)

    def body(self) -> dict[str, Any]:
        """The JSON fault document."""
        return {self.fault_name: {"code": self.code, "message": self.explanation}}

    def response(self) -> Response:
        """This error as a Starlette response."""
        return fault_response(self.code, self.explanation, self.headers, self.retry_after)


class HTTPBadRequest(HTTPError):
    code = 400
    default_message = (
        "The server could not comply with the request since it is either malformed or otherwise incorrect."
    )


class HTTPUnauthorized(HTTPError):
    code = 401
    default_message = "This server could not verify that you are authorized to access the document you requested."


class HTTPForbidden(HTTPError):
    code = 403
    default_message = "Access was denied to this resource."


class HTTPNotFound(HTTPError):
    code = 404
    default_message = "The resource could not be found."


class HTTPMethodNotAllowed(HTTPError):
    code = 405
    default_message = "The method is not allowed for the requested URL."


class HTTPConflict(HTTPError):
    code = 409
    default_message = "There was a conflict when trying to complete your request."


class HTTPRequestEntityTooLarge(HTTPError):
    code = 413
    default_message = "The body of your request was too large for this server."


class HTTPUnsupportedMediaType(HTTPError):
    code = 415
    default_message = "Unsupported Content-Type"


class HTTPTooManyRequests(HTTPError):
    code = 429
    default_message = "This request was rate-limited."


class HTTPInternalServerError(HTTPError):
    code = 500


class Fault(Exception):
    """nova's ``Fault``: wraps an :class:`HTTPError` (or any exception with ``code``).

    >>> Fault(HTTPForbidden("no")).response().status_code
    403
    """

    def __init__(self, exception: BaseException) -> None:
        super().__init__(str(exception))
        self.wrapped_exc = exception

    def __repr__(self) -> str:
        return f"<Fault {self.wrapped_exc!r}>"

    @property
    def code(self) -> int:
        code: Any = getattr(self.wrapped_exc, "code", None) or getattr(self.wrapped_exc, "status_code", 500)
        return int(code)

    def response(self) -> Response:
        """The JSON fault response."""
        exc = self.wrapped_exc
        if isinstance(exc, HTTPError):
            return exc.response()
        message = getattr(exc, "explanation", None) or getattr(exc, "detail", None) or str(exc)
        headers = getattr(exc, "headers", None) or {}
        return fault_response(self.code, str(message), dict(headers))
