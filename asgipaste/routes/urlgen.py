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

import re
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from asgipaste.routes.route import as_unicode, url_quote
from asgipaste.routes.util import GenerationException, cache_hostinfo, environ_from_scope, is_asgi_scope

if TYPE_CHECKING:
    from asgipaste.routes.mapper import Mapper

__all__ = ["URLGenerator"]

# Scope keys that a URLGenerator built from an ASGI scope carries over.
_CARRIED = ("wsgiorg.routing_args", "routes.cached_hostinfo")


def _subdomain_check(kargs: dict[str, Any], mapper: Mapper, environ: MutableMapping[str, Any]) -> dict[str, Any]:
    """Turn a ``sub_domain`` argument into a ``_host`` (Routes' ``_subdomain_check``)."""
    if not mapper.sub_domains:
        return kargs
    subdomain = kargs.pop("sub_domain", None)
    fullhost = environ.get("HTTP_HOST") or environ.get("SERVER_NAME")
    if not fullhost:
        return kargs
    hostmatch = fullhost.split(":")
    host = hostmatch[0]
    port = ":" + hostmatch[1] if len(hostmatch) > 1 else ""
    match = re.match(rf"^(.+?)\.({mapper.domain_match})$", host)
    host_subdomain, domain = match.groups() if match else (None, host)
    subdomain = as_unicode(subdomain, mapper.encoding)
    if subdomain and host_subdomain != subdomain and subdomain not in mapper.sub_domains_ignore:
        kargs["_host"] = subdomain + "." + domain + port
    elif (subdomain in mapper.sub_domains_ignore or subdomain is None) and domain != host:
        kargs["_host"] = domain + port
    return kargs


def _screenargs(
    kargs: dict[str, Any], mapper: Mapper, environ: MutableMapping[str, Any], force_explicit: bool = False
) -> dict[str, Any]:
    """Merge the current match ("route memory") under ``kargs`` (Routes' ``_screenargs``)."""
    for key, val in kargs.items():
        if isinstance(val, str):
            kargs[key] = val.encode(mapper.encoding)
    if mapper.explicit and mapper.sub_domains and not force_explicit:
        return _subdomain_check(kargs, mapper, environ)
    if mapper.explicit and not force_explicit:
        return kargs
    controller_name = as_unicode(kargs.get("controller"), mapper.encoding)
    if controller_name and controller_name.startswith("/"):
        kargs["controller"] = kargs["controller"][1:]
        return kargs
    if controller_name and "action" not in kargs:
        kargs["action"] = "index"
    route_args = environ.get("wsgiorg.routing_args")
    memory_kargs: dict[str, Any] = dict(route_args[1]) if route_args else {}
    for key in [key for key, value in kargs.items() if value is None]:
        del kargs[key]
        memory_kargs.pop(key, None)
    memory_kargs.update(kargs)
    if mapper.sub_domains:
        memory_kargs = _subdomain_check(memory_kargs, mapper, environ)
    return memory_kargs


def _query(kargs: dict[str, Any], encoding: str) -> str:
    parts: list[str] = []
    for key, val in kargs.items():
        for value in val if isinstance(val, list | tuple) else [val]:
            parts.append(f"{quote(str(key).encode(encoding))}={quote(str(value).encode(encoding))}")
    return "&".join(parts)


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
            from asgipaste.routes.config import request_config  # late: config imports this module

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
        anchor = kargs.get("anchor")
        host = kargs.get("host")
        protocol = kargs.pop("protocol", None)
        qualified = kargs.pop("qualified", None)
        for key in ["anchor", "host"]:
            if kargs.get(key):
                del kargs[key]
            if key + "_" in kargs:
                kargs[key] = kargs.pop(key + "_")
        if "protocol_" in kargs:
            kargs["protocol_"] = protocol
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
