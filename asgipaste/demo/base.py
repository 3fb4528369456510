"""What the demo's middleware share: nova's ``Middleware.factory``, the request context, faults.

>>> ctx = RequestContext(user_id="admin", project_id="demo", roles=("admin",))
>>> ctx.is_admin
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asgipaste.interop.detect import declare_asgi
from asgipaste.lifespan import acknowledge_lifespan
from asgipaste.routes.faults import fault_response
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "CONTEXT_KEY",
    "Middleware",
    "RequestContext",
    "close_other_scope",
    "get_header",
    "is_version_root",
    "send_fault",
]

#: Scope key of the :class:`RequestContext` (nova's ``environ["nova.context"]``).
CONTEXT_KEY = "nova.context"

M = TypeVar("M", bound="Middleware")


@dataclass(frozen=True)
class RequestContext:
    """Who is calling: what ``noauth`` or ``keystonecontext`` leaves in ``scope["nova.context"]``."""

    user_id: str
    project_id: str
    roles: tuple[str, ...] = ()
    is_admin: bool = field(default=False)

    def __post_init__(self) -> None:
        if "admin" in self.roles and not self.is_admin:
            object.__setattr__(self, "is_admin", True)


async def close_other_scope(scope: Scope, receive: Receive, send: Send) -> None:
    """Close a scope an HTTP-only app does not serve, as the ASGI spec asks.

    ``websocket``: ``websocket.close`` before accepting, which the server turns
    into a ``403`` handshake rejection (returning without it makes uvicorn log
    "ASGI callable returned without completing handshake" and answer ``500``);
    ``lifespan``: startup and shutdown acknowledged (nothing to start).
    """
    kind = scope["type"]
    if kind == "websocket":
        await send({"type": "websocket.close", "code": 1000})
    elif kind == "lifespan":
        await acknowledge_lifespan(receive, send)


def get_header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower-case bytes), decoded as latin-1."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def is_version_root(scope: Scope) -> bool:
    """``GET``/``HEAD`` of an API's own root (``/v2/``): its version document, public as in later nova.

    >>> is_version_root({"method": "GET", "root_path": "/v2", "path": "/v2/"})
    True
    """
    rest = scope.get("path", "")[len(scope.get("root_path", "")) :]
    return rest in ("", "/") and scope.get("method") in ("GET", "HEAD")


async def send_fault(
    scope: Scope,
    receive: Receive,
    send: Send,
    code: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    retry_after: int | None = None,
) -> None:
    """Answer with nova's JSON fault body (``{"itemNotFound": {"code": 404, "message": ...}}``)."""
    response = fault_response(code, message, dict(headers or {}), retry_after=retry_after)
    await response(scope, receive, send)


class Middleware:
    """nova's ``wsgi.Middleware`` on ASGI: ``[filter:x] paste.filter_factory = mod:Class.factory``.

    Subclasses take ``(app, global_conf, **local_conf)`` and validate their
    options in ``__init__`` (so a bad INI fails at load time, not per request).

    >>> class Tag(Middleware):
    ...     async def __call__(self, scope, receive, send):
    ...         await self.app(scope, receive, send)
    >>> make = Tag.factory({})
    """

    def __init__(self, app: ASGIApp, global_conf: Mapping[str, Any] | None = None, **local_conf: str) -> None:
        self.app = app

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.app!r})"

    @classmethod
    def factory(cls: type[M], global_conf: Mapping[str, Any], **local_conf: str) -> Callable[[ASGIApp], M]:
        """The Paste filter factory: returns ``filter(app) -> cls(app, global_conf, **local_conf)``."""
        conf = dict(global_conf)

        @declare_asgi
        def _filter(app: ASGIApp) -> M:
            return cls(app, conf, **local_conf)

        return _filter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
