"""nova-style ``Resource(controller)``: JSON in, controller action, JSON out, on ASGI.

The action comes from the route match (``Router``/``RoutesMiddleware`` put it
in ``scope["wsgiorg.routing_args"]``). The JSON request body is decoded and
passed as ``body=`` (``body=None`` for an empty POST/PUT, as nova); the other
match variables (``id``, ``project_id`` ...) are keyword arguments; ``req`` is a :class:`starlette.requests.Request`.
``async def`` actions are awaited; plain ``def`` actions run in a worker
thread bounded by the Resource's own :class:`anyio.CapacityLimiter`.

Return values: ``dict``/``list`` → JSON (200, or the ``@response`` code),
``None`` → 204 (or the ``@response`` code), a Starlette ``Response`` is sent
as is. :class:`HTTPError`/:class:`Fault` become nova's JSON faults.

>>> class Servers:
...     async def index(self, req):
...         return {"servers": []}
...     @response(202)
...     def create(self, req, body):
...         return {"server": body["server"]}
>>> app = Resource(Servers())
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from asgipaste.errors import ConfigValueError
from asgipaste.routes.dispatch import routing_args
from asgipaste.routes.faults import Fault, HTTPError, fault_response
from asgipaste.types import Receive, Scope, Send

__all__ = ["Resource", "action", "response"]

F = TypeVar("F", bound=Callable[..., Any])

_JSON_TYPES = ("application/json",)
_BODY_METHODS = ("POST", "PUT")


def response(code: int) -> Callable[[F], F]:
    """Set an action's success status (nova's ``@wsgi.response``).

    >>> @response(202)
    ... def create(self, req, body): ...
    >>> create.wsgi_code
    202
    """
    if not isinstance(code, int) or not 100 <= code <= 599:
        raise ValueError(f"@response needs an HTTP status code, got {code!r}")

    def decorator(func: F) -> F:
        func.wsgi_code = code  # type: ignore[attr-defined]
        return func

    return decorator


def action(name: str) -> Callable[[F], F]:
    """Dispatch ``POST .../action`` by the body's single key (nova's ``@wsgi.action``).

    >>> class Servers:
    ...     @action("reboot")
    ...     async def _reboot(self, req, id, body): ...
    >>> Servers._reboot.wsgi_action
    'reboot'
    """

    def decorator(func: F) -> F:
        func.wsgi_action = name  # type: ignore[attr-defined]
        return func

    return decorator


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    return str(obj)


def _is_json(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime in _JSON_TYPES or mime.endswith("+json")


class Resource:
    """An ASGI app calling ``controller.<action>(req, **match_args)`` (see module docstring).

    ``max_threads`` bounds how many sync actions of this resource run at once.
    """

    def __init__(self, controller: Any, max_threads: int = 40) -> None:
        if controller is None:
            raise TypeError("Resource needs a controller object, got None")
        if isinstance(max_threads, bool) or not isinstance(max_threads, int) or max_threads < 1:
            raise ConfigValueError(
                f"Resource max_threads must be a positive int, got {max_threads!r}", key="max_threads"
            )
        self.controller = controller
        self.max_threads = max_threads
        self._limiter: anyio.CapacityLimiter | None = None
        self.wsgi_actions: dict[str, Callable[..., Any]] = {}
        for attr in dir(type(controller)):
            func = getattr(type(controller), attr, None)
            key = getattr(func, "wsgi_action", None)
            if isinstance(key, str):
                self.wsgi_actions[key] = getattr(controller, attr)

    def __repr__(self) -> str:
        return f"Resource({self.controller!r})"

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        """The thread limiter for sync actions (made on first use, inside the event loop)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.max_threads)
        return self._limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError(f"Resource serves HTTP only, got a {scope['type']!r} scope")
        request = Request(scope, receive)
        try:
            result = await self._handle(request)
        except HTTPError as exc:
            result = exc.response()
        except Fault as fault:
            result = fault.response()
        except StarletteHTTPException as exc:
            result = fault_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))
        await result(scope, receive, send)

    def get_method(self, action_name: str, body: Any) -> Callable[..., Any]:
        """The controller method for an action (``action`` dispatches on the body key)."""
        if action_name == "action" and isinstance(body, dict) and len(body) == 1:
            key = next(iter(body))
            if key in self.wsgi_actions:
                return self.wsgi_actions[key]
        if action_name.startswith("_"):
            raise HTTPError("There is no such action.", code=404)
        method = getattr(self.controller, action_name, None)
        if method is None or not callable(method):
            if action_name == "action":
                raise HTTPError("There is no such action.", code=400)
            raise HTTPError("There is no such action.", code=404)
        return method  # type: ignore[no-any-return]

    async def _handle(self, request: Request) -> Response:
        args = dict(routing_args(request.scope))
        if not args:
            raise HTTPError("The resource could not be found.", code=404)
        args.pop("controller", None)
        args.pop("format", None)
        action_name = args.pop("action", None)
        if not isinstance(action_name, str):
            raise HTTPError("The route names no action.", code=404)
        raw = await request.body()
        if raw:
            content_type = request.headers.get("content-type", "application/json")
            if not _is_json(content_type):
                raise HTTPError("Unsupported Content-Type", code=415)
            try:
                args["body"] = json.loads(raw)
            except ValueError:
                raise HTTPError("Malformed request body", code=400)
        elif request.method in _BODY_METHODS:
            # As nova: POST and PUT actions always get ``body`` (None when empty).
            args["body"] = None
        method = self.get_method(action_name, args.get("body"))
        call = functools.partial(method, request, **args)
        if inspect.iscoroutinefunction(method):
            result = await call()
        else:
            result = await anyio.to_thread.run_sync(call, limiter=self.limiter)
            if inspect.isawaitable(result):
                result = await result
        return self._serialize(method, result)

    @staticmethod
    def _serialize(method: Callable[..., Any], result: Any) -> Response:
        if isinstance(result, Response):
            return result
        code = getattr(method, "wsgi_code", None)
        if result is None:
            return Response(status_code=code or 204)
        if isinstance(result, dict | list):
            body = json.dumps(result, default=_json_default).encode()
            return Response(body, status_code=code or 200, media_type="application/json")
        raise TypeError(
            f"action {getattr(method, '__name__', method)!r} returned {type(result).__name__}; "
            "return a dict, a list, None or a starlette Response"
        )
