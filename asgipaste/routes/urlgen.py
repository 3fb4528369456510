"""``URLGenerator``: ``url(name, **vars)`` for a request, as ``routes.URLGenerator``.

It takes a WSGI environ or an ASGI scope; ``SCRIPT_NAME`` (ASGI:
``root_path``) prefixes every generated path, and ``qualified=True`` adds
scheme and host.

>>> from asgipaste.routes import Mapper
>>> m = Mapper()
>>> m.resource("message", "messages")
>>> url = URLGenerator(m, {"SCRIPT_NAME": "/v2", "HTTP_HOST": "api"})
>>> url("message", id=1), url("messages", q="x y"), url("message", id=1, qualified=True)
('/v2/messages/1', '/v2/messages?q=x+y', 'http://api/v2/messages/1')
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from asgipaste.routes.genargs import _query, _screenargs, _special_keywords, _subdomain_check
from asgipaste.routes.route import url_quote
from asgipaste.routes.util import GenerationException, cache_hostinfo, environ_from_scope, is_asgi_scope

if TYPE_CHECKING:
    from asgipaste.routes.mapper import Mapper

__all__ = ["URLGenerator"]

# Scope keys that a URLGenerator built from an ASGI scope carries over.
_CARRIED = ("wsgiorg.routing_args", "routes.cached_hostinfo")


class URLGenerator:
    """URL generation for one request; ``url(name_or_path, **vars)``.

    Special keywords: ``anchor``, ``host``, ``protocol``, ``qualified`` (and
    ``anchor_``/``host_``/``protocol_`` to pass those names as variables).
    Without ``environ`` it uses the current request's
    (``request_config().environ``, set by :class:`~asgipaste.routes.RoutesMiddleware`).
    """

    def __init__(self, mapper: Mapper, environ: MutableMapping[str, Any] | None = None) -> None:
        self.mapper = mapper
        if environ is None:
            # Not in Routes (there ``environ`` is required): the current request's.
            from asgipaste.routes.config import request_config

            environ = getattr(request_config(), "environ", None)
            if environ is None:
                raise GenerationException("URLGenerator() without an environ needs a current request")
        if is_asgi_scope(environ):
            scope = environ
            environ = environ_from_scope(scope)
            for key in _CARRIED:
                if key in scope:
                    environ[key] = scope[key]
        if "SCRIPT_NAME" not in environ:
            environ["SCRIPT_NAME"] = ""
        self.environ = environ

    def __repr__(self) -> str:
        return f"<URLGenerator script_name={self.environ.get('SCRIPT_NAME')!r} {self.mapper!r}>"

    def __call__(self, *args: Any, **kargs: Any) -> str:
        """The URL for a route name (or a literal path) and variables.

        Raises :class:`~asgipaste.routes.util.GenerationException` when no route fits.
        """
        anchor, host, protocol, qualified = _special_keywords(kargs)
        mapper = self.mapper
        route = None
        use_current = "_use_current" in kargs and kargs.pop("_use_current")
        static = False
        encoding = mapper.encoding
        url: str | None = ""
        if args:
            route = mapper._routenames.get(args[0])
        if not route and args:
            static = True
            url = str(args[0])
            if url.startswith("/") and self.environ.get("SCRIPT_NAME"):
                url = self.environ["SCRIPT_NAME"] + url
            if kargs:
                url += "?" + _query(kargs, encoding)
        if not static:
            route_args = []
            if route:
                if mapper.hardcode_names:
                    route_args.append(route)
                newargs = route.defaults.copy()
                newargs.update(kargs)
                if route.filter:
                    newargs = route.filter(newargs)
                if not route.static or not route.external:
                    sub = newargs.get("sub_domain", None)
                    newargs = _subdomain_check(newargs, mapper, self.environ)
                    if "sub_domain" in route.defaults:
                        newargs["sub_domain"] = sub
            elif use_current:
                newargs = _screenargs(kargs, mapper, self.environ, force_explicit=True)
            elif "sub_domain" in kargs:
                newargs = _subdomain_check(kargs, mapper, self.environ)
            else:
                newargs = kargs
            anchor = anchor or newargs.pop("_anchor", None)
            host = host or newargs.pop("_host", None)
            if protocol is None:
                protocol = newargs.pop("_protocol", None)
            newargs["_environ"] = self.environ
            url = mapper.generate(*route_args, **newargs)
        if anchor is not None and url is not None:
            url += "#" + url_quote(anchor, encoding)
        if host or (protocol is not None) or qualified:
            hostinfo = self.environ.get("routes.cached_hostinfo") or cache_hostinfo(self.environ)
            if not host and not qualified:
                # A changed protocol most likely means another port: drop it.
                host = hostinfo["host"].split(":")[0]
            elif not host:
                host = hostinfo["host"]
            if protocol is None:
                protocol = hostinfo["protocol"]
            if protocol != "":
                protocol += ":"
            if url is not None:
                if host[-1] != "/":
                    host += "/"
                url = f"{protocol}//{host}{url.lstrip('/')}"
        if url is None:
            raise GenerationException(f"Could not generate URL. Called with args: {args} {kargs}")
        if not url.isascii():
            raise GenerationException(f"Can only return a string, got unicode instead: {url}")
        return url

    def current(self, *args: Any, **kwargs: Any) -> str:
        """Like calling the generator, merged over the current match (``None`` removes a key)."""
        return self(*args, _use_current=True, **kwargs)
