"""Routing on ASGI: ``RoutesMiddleware`` (match once, store the result) and ``Router``.

``RoutesMiddleware`` is the ASGI form of ``routes.middleware.RoutesMiddleware``:
it matches ``path`` (less ``root_path``) once and stores, in the scope,

* ``scope["wsgiorg.routing_args"] = ((), match_dict)`` (``{}`` when nothing matched),
* ``scope["routes.route"]`` (the :class:`Route` or ``None``),
* ``scope["routes.url"]`` (a :class:`URLGenerator` whose prefix is ``root_path``),

and, with ``singleton=True`` (the default, as in Routes), fills
``request_config()`` for the duration of the request, so ``url_for`` and
``redirect_to`` work in the app below (ASGI, or WSGI through asgipaste's
adapter, which runs it in a copy of the request's context).

A WSGI app below it sees them in its environ when the WSGI adapter copies
scope keys starting with ``wsgiorg.``/``routes.`` into the environ.

``Router`` is nova's ``wsgi.Router``: no match → 404 fault, a path that
matches only for other methods → 405 with ``Allow``, else it calls
``match["controller"]`` (an ASGI app, usually a :class:`Resource`).

>>> from asgipaste.routes import Mapper, Resource
>>> class Servers:
...     async def index(self, req):
...         return {"servers": []}
>>> m = Mapper()
>>> m.resource("server", "servers", controller=Resource(Servers()))
>>> app = Router(m)
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import parse_qsl

from asgipaste.lifespan import acknowledge_lifespan
from asgipaste.routes.config import enter_request, exit_request
from asgipaste.routes.faults import fault_response
from asgipaste.routes.mapper import Mapper
from asgipaste.routes.route import Route
from asgipaste.routes.urlgen import URLGenerator
from asgipaste.routes.util import environ_from_scope, is_form_post
from asgipaste.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Router", "RoutesMiddleware", "routing_args"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def routing_args(scope: Scope) -> dict[str, Any]:
    """The match dict :class:`RoutesMiddleware` stored (``{}`` when nothing matched)."""
    args = scope.get("wsgiorg.routing_args")
    if not args:
        return {}
    match: dict[str, Any] = args[1]
    return match


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    chunks: list[bytes] = []
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class RoutesMiddleware:
    """Match once per request and store the result in the scope (see the module docstring).

    ``use_method_override``: a ``_method`` query parameter (any request) or a
    ``_method`` field of an urlencoded POST form overrides the method for
    matching, as Routes does. ``path_info``: a ``path_info`` variable in the
    match moves the consumed prefix into ``root_path``. Redirect routes
    (``Mapper.redirect``) are answered here.

    >>> from asgipaste.routes import Mapper
    >>> async def app(scope, receive, send): ...
    >>> mw = RoutesMiddleware(app, Mapper())
    """

    def __init__(
        self,
        app: ASGIApp,
        mapper: Mapper,
        use_method_override: bool = True,
        path_info: bool = True,
        singleton: bool = True,
    ) -> None:
        if not isinstance(mapper, Mapper):
            raise TypeError(f"RoutesMiddleware needs an asgipaste.routes.Mapper, got {mapper!r}")
        self.app = app
        self.mapper = mapper
        self.use_method_override = use_method_override
        self.path_info = path_info
        # As in Routes: True fills request_config() for url_for/redirect_to (per
        # request here, a context variable); False only stores the match.
        self.singleton = singleton

    def __repr__(self) -> str:
        return f"RoutesMiddleware({self.app!r}, {self.mapper!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        environ = environ_from_scope(scope)
        request_method = environ["REQUEST_METHOD"]
        if self.use_method_override and scope["type"] == "http":
            method, receive = await self._method_override(environ, receive)
            if method:
                environ["REQUEST_METHOD"] = method.upper()
        for key in ("wsgiorg.routing_args", "routes.cached_hostinfo"):
            if key in scope:
                environ[key] = scope[key]
        token = self.mapper._environ.set(environ)
        try:
            if self.singleton:
                # As Routes: the request's config (request_config()) does the matching.
                config_token, match, route = enter_request(self.mapper, environ)
                try:
                    await self._respond(scope, receive, send, environ, request_method, match, route)
                finally:
                    exit_request(config_token)
            else:
                result = self.mapper.routematch(environ["PATH_INFO"], environ)
                match, route = (result[0], result[1]) if result else (None, None)
                await self._respond(scope, receive, send, environ, request_method, match, route)
        finally:
            with contextlib.suppress(ValueError):  # reset from another context: nothing to undo
                self.mapper._environ.reset(token)

    async def _respond(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        environ: dict[str, Any],
        request_method: str,
        match: dict[str, Any] | None,
        route: Route | None,
    ) -> None:
        if not match:
            match = {}  # also debug mode's (None, None, matchlog)
        environ["REQUEST_METHOD"] = request_method
        url = URLGenerator(self.mapper, environ)
        # The generator's environ (request_config().environ) sees this match too (for url.current()).
        for target in (scope, environ):
            target["wsgiorg.routing_args"] = ((), match)
            target["routes.route"] = route
            target["routes.url"] = url
        if route is not None and route.redirect and scope["type"] == "http":
            location = url(f"_redirect_{id(route)}", **match)
            status = int(route.redirect_status.split()[0])
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf8"),
                        (b"location", location.encode("latin-1")),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if self.path_info and "path_info" in match:
            scope = self._move_path_info(scope, environ, match)
        await self.app(scope, receive, send)

    async def _method_override(self, environ: dict[str, Any], receive: Receive) -> tuple[str | None, Receive]:
        qs = environ.get("QUERY_STRING", "")
        if "_method" in qs:
            values = [v for k, v in parse_qsl(qs, keep_blank_values=True, errors="ignore") if k == "_method"]
            return (values[0] if values else None), receive
        if environ["REQUEST_METHOD"] == "POST" and is_form_post(environ):
            content_type = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
            body, messages = await _read_body(receive)
            receive = _replay(messages, receive)
            if content_type == "application/x-www-form-urlencoded":
                text = body.decode("latin-1")
                values = [v for k, v in parse_qsl(text, keep_blank_values=True, errors="ignore") if k == "_method"]
                return (values[0] if values else None), receive
        return None, receive

    @staticmethod
    def _move_path_info(scope: Scope, environ: dict[str, Any], match: dict[str, Any]) -> Scope:
        """Move the consumed prefix into ``root_path`` (and, as Routes, the shared environ's SCRIPT_NAME)."""
        oldpath = environ["PATH_INFO"]
        newpath = match.get("path_info") or ""
        consumed = re.sub(r"^(.*?)/" + re.escape(newpath) + "$", r"\1", oldpath)
        environ["PATH_INFO"] = newpath if newpath.startswith("/") else "/" + newpath
        environ["SCRIPT_NAME"] += consumed
        scope = dict(scope)
        scope["root_path"] = environ["SCRIPT_NAME"]
        return scope


class Router:
    """nova's ``wsgi.Router`` on ASGI: dispatch to ``match["controller"]`` (see module docstring).

    >>> from asgipaste.routes import Mapper
    >>> router = Router(Mapper())
    """

    def __init__(self, mapper: Mapper) -> None:
        if not isinstance(mapper, Mapper):
            raise TypeError(f"Router needs an asgipaste.routes.Mapper, got {mapper!r}")
        self.map = mapper
        self._router = RoutesMiddleware(self._dispatch, mapper)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.map!r})"

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Router:
        """nova's Paste ``app_factory``: ``paste.app_factory = myapi:APIRouter.factory``.

        A subclass builds its own mapper in ``__init__`` and takes no arguments.
        """
        return cls()  # type: ignore[call-arg]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await acknowledge_lifespan(receive, send)
            return
        await self._router(scope, receive, send)

    def allowed_methods(self, scope: Scope) -> list[str]:
        """Methods for which some route matches this request's path."""
        environ = environ_from_scope(scope)
        methods: list[str] = []
        for method in self._candidate_methods():
            environ["REQUEST_METHOD"] = method
            if self.map._match(environ["PATH_INFO"], environ)[0] is not None:
                methods.append(method)
        return methods

    def _candidate_methods(self) -> list[str]:
        seen: dict[str, None] = dict.fromkeys(_METHODS)
        for route in self.map.matchlist:
            for method in (route.conditions or {}).get("method", ()) or ():
                seen.setdefault(str(method), None)
        return list(seen)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = routing_args(scope)
        if not match:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1000})
                return
            allowed = self.allowed_methods(scope)
            if allowed:
                response = fault_response(
                    405, "The method is not allowed for the requested URL.", {"Allow": ", ".join(allowed)}
                )
            else:
                response = fault_response(404, "The resource could not be found.")
            await response(scope, receive, send)
            return
        app = match.get("controller")
        if not callable(app):
            response = fault_response(500, f"The route's controller {app!r} is not an ASGI application.")
            await response(scope, receive, send)
            return
        await app(scope, receive, send)
