"""Routes' request-scoped helpers: ``request_config()``, ``url_for`` and ``redirect_to``.

Routes keeps the current request's configuration (``mapper``, ``environ``,
``mapper_dict``, ``route``, ``host``, ``protocol``, ``redirect``, …) in a
thread-local. Here it lives in a :class:`contextvars.ContextVar`, so it is
per request under asyncio and trio (each request is a task with its own
context) and in WSGI worker threads (asgipaste's WSGI adapter runs the app
inside a copy of the request's context).

:class:`~asgipaste.routes.RoutesMiddleware` (and so
:class:`~asgipaste.routes.Router`) fills it for every request, as Routes'
middleware does with ``singleton=True``. Code written against Routes runs
with only the import changed:

>>> from asgipaste.routes import Mapper, request_config, url_for
>>> m = Mapper()
>>> m.connect("message", "/messages/{id}", controller="messages", action="show")
>>> config = request_config()
>>> config.mapper = m
>>> config.environ = {"PATH_INFO": "/messages/1", "SCRIPT_NAME": "/app",
...                   "HTTP_HOST": "example.com", "REQUEST_METHOD": "GET"}
>>> sorted(config.mapper_dict.items())
[('action', 'show'), ('controller', 'messages'), ('id', '1')]
>>> url_for("message", id=2), url_for("message", id=2, qualified=True, anchor="top")
('/app/messages/2', 'http://example.com/app/messages/2#top')

Writes never leak between requests: setting an attribute replaces the
context's configuration with an updated copy, so a task (or a WSGI worker
running in a copied context) sees what was set before it started, plus its
own changes, and nobody else's.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

from asgipaste.routes.genargs import _query, _screenargs, _special_keywords, _subdomain_check
from asgipaste.routes.util import GenerationException, url_quote

__all__ = [
    "RequestConfig",
    "enter_request",
    "exit_request",
    "redirect_to",
    "request_config",
    "request_state",
    "url_for",
]

_STATE: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("asgipaste.routes.request_config")
_EMPTY: Mapping[str, Any] = {}


def _update(**values: Any) -> None:
    _STATE.set({**_STATE.get(_EMPTY), **values})


@contextlib.contextmanager
def request_state() -> Iterator[None]:
    """Give the code inside its own request configuration (a copy of the current one).

    What is set inside is undone on exit, so it does not outlive the block.
    """
    token = _STATE.set(dict(_STATE.get(_EMPTY)))
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # exited in another context: nothing to undo there
            _STATE.reset(token)


def _protocol_of(environ: Mapping[str, Any]) -> str:
    if (
        "HTTPS" in environ
        or environ.get("wsgi.url_scheme") == "https"
        or environ.get("HTTP_X_FORWARDED_PROTO") == "https"
    ):
        return "https"
    return "http"


def _host_of(environ: Mapping[str, Any]) -> str:
    if "HTTP_X_FORWARDED_HOST" in environ:
        # Several reverse proxies each add a comma-separated value.
        host: str = environ["HTTP_X_FORWARDED_HOST"].split(", ", 1)[0]
        return host
    if "HTTP_HOST" in environ:
        return str(environ["HTTP_HOST"])
    host = environ["SERVER_NAME"]
    if environ["wsgi.url_scheme"] == "https":
        if environ["SERVER_PORT"] != "443":
            host += ":" + environ["SERVER_PORT"]
    elif environ["SERVER_PORT"] != "80":
        host += ":" + environ["SERVER_PORT"]
    return host


Token = contextvars.Token[Mapping[str, Any]]


def enter_request(mapper: Any, environ: Mapping[str, Any]) -> tuple[Token, Any, Any]:
    """Start a request's configuration, as Routes' middleware does with ``singleton=True``.

    That is ``config = request_config(); config.mapper = mapper;
    config.environ = environ`` in a copy of the current configuration, in
    one step when no ``request_local`` is set. Returns the token for
    :func:`exit_request`, the match dict (or ``None``) and the route.
    """
    state = _STATE.get(_EMPTY)
    if state.get("request_local"):
        token = _STATE.set(dict(state))
        try:
            config = request_config()  # the framework's own request-local object
            config.mapper = mapper
            config.environ = environ
            return token, config.mapper_dict, config.route
        except BaseException:
            exit_request(token)
            raise
    new = dict(state)
    if "request_local" not in new:
        new["request_local"] = False
        new["using_request_local"] = False
    new["mapper"] = mapper
    new["protocol"] = _protocol_of(environ)
    mapper.environ = environ
    if "PATH_INFO" in environ:
        result = mapper.routematch(environ["PATH_INFO"])
        new["mapper_dict"], new["route"] = (result[0], result[1]) if result is not None else (None, None)
    new["host"] = _host_of(environ)
    new["environ"] = environ
    return _STATE.set(new), new.get("mapper_dict"), new.get("route")


def exit_request(token: Token) -> None:
    """Restore the configuration from before :func:`enter_request`."""
    with contextlib.suppress(ValueError):  # exited in another context: nothing to undo there
        _STATE.reset(token)


class RequestConfig:
    """Routes' ``_RequestConfig``: every instance reads and writes the current request's config.

    Missing attributes raise ``AttributeError`` (so ``hasattr`` works as in
    Routes). Setting ``environ`` runs :meth:`load_wsgi_environ` first.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        state = _STATE.get(_EMPTY)
        try:
            return state[name]
        except KeyError:
            raise AttributeError(f"request_config() has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "environ":
            self.load_wsgi_environ(value)
        _update(**{name: value})

    def __delattr__(self, name: str) -> None:
        state = dict(_STATE.get(_EMPTY))
        if name not in state:
            raise AttributeError(f"request_config() has no attribute {name!r}")
        del state[name]
        _STATE.set(state)

    def __repr__(self) -> str:
        return f"<RequestConfig {sorted(_STATE.get(_EMPTY))}>"

    def load_wsgi_environ(self, environ: Mapping[str, Any]) -> None:
        """Store protocol and host from ``environ``, and match it if a mapper is set (as Routes)."""
        _update(protocol=_protocol_of(environ))
        with contextlib.suppress(AttributeError):
            self.mapper.environ = environ
        with contextlib.suppress(AttributeError):
            if "PATH_INFO" in environ:
                result = self.mapper.routematch(environ["PATH_INFO"])
                if result is not None:
                    _update(mapper_dict=result[0], route=result[1])
                else:
                    _update(mapper_dict=None, route=None)
        _update(host=_host_of(environ))


def request_config(original: bool = False) -> Any:
    """The current request's configuration (Routes' ``request_config``).

    As in Routes, a callable assigned to ``request_config().request_local``
    replaces the object returned (unless ``original=True``).

    >>> config = request_config()
    >>> config.using_request_local
    False
    """
    obj = RequestConfig()
    try:
        if obj.request_local and original is False:
            return obj.request_local()
    except AttributeError:
        obj.request_local = False
        obj.using_request_local = False
    return RequestConfig()


def url_for(*args: Any, **kargs: Any) -> str:
    """A URL for the current request (Routes' ``url_for``).

    A first argument naming a route generates that route; any other string is
    a literal URL (``SCRIPT_NAME`` is prepended to one starting with ``/``,
    keyword arguments become its query string). Otherwise the keyword
    arguments, merged over the current match when the mapper is not
    explicit, pick a route as ``Mapper.generate`` does. Special keywords:
    ``anchor``, ``host``, ``protocol``, ``qualified`` (and ``anchor_``,
    ``host_`` to pass those names as route variables).

    Raises :class:`~asgipaste.routes.GenerationException` when no route fits.
    """
    anchor, host, protocol, qualified = _special_keywords(kargs)

    config = request_config()
    mapper = config.mapper
    route = None
    static = False
    encoding = mapper.encoding
    url: str | None = ""
    if args:
        route = mapper._routenames.get(args[0])
        if not route:
            static = True
            url = args[0]
        if url and url.startswith("/") and hasattr(config, "environ") and config.environ.get("SCRIPT_NAME"):
            url = config.environ.get("SCRIPT_NAME") + url
        if static and kargs:
            url = f"{url}?{_query(kargs, encoding)}"
    environ: dict[str, Any] = getattr(config, "environ", {})
    if "wsgiorg.routing_args" not in environ:
        environ = dict(environ)
        mapper_dict = getattr(config, "mapper_dict", None)
        environ["wsgiorg.routing_args"] = ((), dict(mapper_dict) if mapper_dict is not None else {})
    if not static:
        route_args = []
        if route:
            if mapper.hardcode_names:
                route_args.append(route)
            newargs = route.defaults.copy()
            newargs.update(kargs)
            if route.filter:
                newargs = route.filter(newargs)
            if not route.static:
                newargs = _subdomain_check(newargs, mapper, environ)
        else:
            newargs = _screenargs(kargs, mapper, environ)
        anchor = newargs.pop("_anchor", None) or anchor
        host = newargs.pop("_host", None) or host
        protocol = newargs.pop("_protocol", protocol)
        url = mapper.generate(*route_args, **newargs)
    if anchor is not None and url is not None:
        url += "#" + url_quote(anchor, encoding)
    if host or (protocol is not None) or qualified:
        if not host and not qualified:
            # A changed protocol most likely means another port: drop it.
            host = config.host.split(":")[0]
        elif not host:
            host = config.host
        if protocol is None:
            protocol = config.protocol
        if protocol != "":
            protocol += ":"
        if url is not None:
            url = f"{protocol}//{host}{url}"
    if url is None:
        raise GenerationException(f"url_for could not generate URL. Called with args: {args} {kargs}")
    if not url.isascii():
        raise GenerationException(f"url_for can only return a string, got unicode instead: {url}")
    return url


def redirect_to(*args: Any, **kargs: Any) -> Any:
    """Call ``request_config().redirect`` with ``url_for(*args, **kargs)`` (Routes' ``redirect_to``).

    The framework sets ``redirect`` (a callable taking the URL); its return
    value is returned.
    """
    target = url_for(*args, **kargs)
    config = request_config()
    return config.redirect(target)
