"""``Mapper``: a drop-in for ``routes.Mapper`` (Routes 2.5.1) with an indexed matcher.

Same constructor, attributes and methods (``connect``, ``match``,
``routematch``, ``generate``, ``resource``, ``submapper``, ``collection``,
``redirect``, ``extend``); migrating is a one-line import change. ``match``
also takes an ASGI scope. Matching consults :class:`~asgipaste.routes.index.MatchIndex`
instead of trying every route, with the same winner as Routes.

>>> m = Mapper()
>>> m.connect("home", "/", controller="main", action="index")
>>> m.resource("message", "messages")
>>> m.match("/messages/1", environ={"REQUEST_METHOD": "PUT"}) == {
...     "id": "1", "action": "update", "controller": "messages"}
True
>>> m.generate(controller="messages", action="show", id=1)
'/messages/1'
"""

from __future__ import annotations

import contextvars
import functools
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from asgipaste.routes.config import request_config
from asgipaste.routes.gencache import URLCache, keysort
from asgipaste.routes.index import MatchIndex, static_prefix
from asgipaste.routes.resources import add_resource
from asgipaste.routes.route import Route, as_unicode
from asgipaste.routes.submapper import SubMapperParent
from asgipaste.routes.util import RoutesException, controller_scan, environ_from_scope, is_asgi_scope

__all__ = ["Mapper"]

MatchLog = list[dict[str, Any]]
_URLCACHE_SIZE = 1600


class Mapper(SubMapperParent):
    """URL recognition and generation for a table of routes (see the module docstring).

    Attributes settable after creation, as in Routes: ``encoding``,
    ``decode_errors``, ``minimization``, ``explicit``, ``append_slash``,
    ``sub_domains``, ``sub_domains_ignore``, ``domain_match``, ``prefix``,
    ``hardcode_names``, ``debug``, ``urlcache`` (``None`` disables caching).
    With ``register=True`` (the default, as in Routes) the new mapper becomes
    ``request_config().mapper`` in the current context, for ``url_for``.
    With ``debug = True``, ``match`` and ``routematch`` return
    ``(match_dict, route, matchlog)`` exactly as Routes does.
    """

    def __init__(
        self,
        controller_scan: Callable[..., list[str]] | list[str] | None = controller_scan,
        directory: str | None = None,
        always_scan: bool = False,
        register: bool = True,
        explicit: bool = True,
    ) -> None:
        self.matchlist: list[Route] = []
        self.maxkeys: dict[frozenset[str], list[Route]] = {}
        self.minkeys: dict[frozenset[str], list[Route]] = {}
        self.urlcache: URLCache | None = URLCache(_URLCACHE_SIZE)
        self._created_regs = False
        self._stale_regs = False
        self._clist: list[str] = []
        self._created_gens = False
        self._index: MatchIndex | None = None
        self.prefix: str | None = None
        self._environ: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
            f"asgipaste.routes.mapper.environ.{id(self)}", default=None
        )
        self.directory = directory
        self.always_scan = always_scan
        self.controller_scan = controller_scan
        self._regprefix: re.Pattern[str] | None = None
        self._routenames: dict[str, Route] = {}
        self._gendict: dict[str, dict[str, tuple[list[Route], dict[frozenset[str], list[Route]]]]] = {}
        self.debug = False
        self.append_slash = False
        self.sub_domains = False
        self.sub_domains_ignore: list[str] = []
        self.domain_match = r"[^\.\/]+?\.[^\.\/]+"
        self.explicit = explicit
        self.encoding = "utf-8"
        self.decode_errors = "ignore"
        self.hardcode_names = True
        self.minimization = False
        self.register = register
        self.create_regs_lock = threading.Lock()
        self._prefix2routes: dict[str, list[Route]] | None = None
        self._prefix_lens: list[int] = []
        if register:
            request_config().mapper = self

    def __repr__(self) -> str:
        return f"<Mapper routes={len(self.matchlist)} named={len(self._routenames)}>"

    def __str__(self) -> str:
        """A table of the routes, as Routes prints it."""

        def format_methods(r: Route) -> str:
            if r.conditions:
                method = r.conditions.get("method", "")
                return method if type(method) is str else ", ".join(method)
            return ""

        table = [("Route name", "Methods", "Path", "Controller", "action")] + [
            (
                r.name or "",
                format_methods(r),
                r.routepath or "",
                r.defaults.get("controller", ""),
                r.defaults.get("action", ""),
            )
            for r in self.matchlist
        ]
        widths = [max(len(row[col]) for row in table) for col in range(len(table[0]))]
        return "\n".join(" ".join(row[col].ljust(widths[col]) for col in range(len(widths))) for row in table)

    # The request environ, per task/thread (Routes keeps it in a thread-local).
    @property
    def environ(self) -> Mapping[str, Any] | None:
        return self._environ.get()

    @environ.setter
    def environ(self, env: Mapping[str, Any] | None) -> None:
        self._environ.set(env)

    @environ.deleter
    def environ(self) -> None:
        self._environ.set(None)

    def extend(self, routes: list[Route], path_prefix: str = "") -> None:
        """Connect copies of ``routes`` (made with the same arguments), paths prefixed."""
        for route in routes:
            if path_prefix and route.minimization:
                routepath = "/".join([path_prefix, route.routepath])
            elif path_prefix:
                routepath = path_prefix + route.routepath
            else:
                routepath = route.routepath
            self.connect(route.name, routepath, conditions=route.conditions, **route._kargs)

    def make_route(self, *args: Any, **kargs: Any) -> Route:
        """Make a Route; override to use a Route subclass."""
        return Route(*args, **kargs)

    def connect(self, *args: Any, **kargs: Any) -> None:
        """Add a route: ``connect([name,] path, **defaults_and_options)``.

        >>> m = Mapper()
        >>> m.connect("archive", "/archives/{year:\\\\d+}", controller="blog", action="archive",
        ...           conditions=dict(method=["GET"]))
        >>> sorted(m.match("/archives/2004", environ={"REQUEST_METHOD": "GET"}).items())
        [('action', 'archive'), ('controller', 'blog'), ('year', '2004')]
        """
        if not args or len(args) > 2:
            raise TypeError(f"connect() takes [name,] path; got {len(args)} positional arguments")
        routename = None
        if len(args) > 1:
            routename = args[0]
        else:
            args = (None, *args)
        if not isinstance(args[1], str):
            raise TypeError(f"connect(): the route path must be a str, got {args[1]!r}")
        kargs.setdefault("_explicit", self.explicit)
        kargs.setdefault("_minimize", self.minimization)
        route = self.make_route(*args, **kargs)
        if (self.encoding != "utf-8" or self.decode_errors != "ignore") and "_encoding" not in kargs:
            route.encoding = self.encoding
            route.decode_errors = self.decode_errors
        if not route.static:
            self.matchlist.append(route)
        if routename:
            self._routenames[routename] = route
            route.name = routename
        # Unlike Routes, adding a route after matching or generating takes effect.
        self._stale_regs = True
        if self.urlcache is not None:
            self.urlcache.clear()
        if route.static:
            return
        self.maxkeys.setdefault(route.maxkeys, []).append(route)
        self._created_gens = False

    def resource(self, member_name: str, collection_name: str, **kwargs: Any) -> None:
        """Routes' RESTful resource routes (see :func:`asgipaste.routes.resources.add_resource`)."""
        add_resource(self, member_name, collection_name, **kwargs)

    def redirect(self, match_path: str, destination_path: str, *args: Any, **kwargs: Any) -> None:
        """A route that :class:`RoutesMiddleware` answers with a redirect (``_redirect_code``)."""
        both_args = ["_encoding", "_explicit", "_minimize"]
        gen_args = ["_filter"]
        status_code = kwargs.pop("_redirect_code", "302 Found")
        gen_dict = {key: kwargs[key] for key in both_args + gen_args if key in kwargs}
        gen_dict["_static"] = True
        match_dict = {key: val for key, val in kwargs.items() if key not in gen_args}
        self.connect(match_path, **match_dict)
        match_route = self.matchlist[-1]
        self.connect(f"_redirect_{id(match_route)}", destination_path, **gen_dict)
        match_route.redirect = True
        match_route.redirect_status = status_code

    def _create_gens(self) -> None:
        """Index routes by the controller/action they can generate (Routes' two-deep dict)."""
        controllers: dict[str, bool] = {}
        actions: dict[str, bool] = {}
        for route in self.matchlist:
            if route.static:
                continue
            if "controller" in route.defaults:
                controllers[route.defaults["controller"]] = True
            if "action" in route.defaults:
                actions[route.defaults["action"]] = True
        controllerlist = [*controllers, "*"]
        actionlist = [*actions, "*"]
        gendict: dict[str, dict[str, tuple[list[Route], dict[frozenset[str], list[Route]]]]] = {}
        for route in self.matchlist:
            if route.static:
                continue
            clist = [route.defaults["controller"]] if "controller" in route.hardcoded else controllerlist
            alist = [str(route.defaults["action"])] if "action" in route.hardcoded else actionlist
            for controller in clist:
                for action in alist:
                    actiondict = gendict.setdefault(controller, {})
                    actiondict.setdefault(action, ([], {}))[0].append(route)
        self._gendict = gendict
        self._created_gens = True

    def create_regs(self, clist: list[str] | None = None) -> None:
        """Compile every route's regexp and the match index (done on first match)."""
        with self.create_regs_lock:
            self._create_regs(clist)

    def _create_regs(self, clist: list[str] | None = None) -> None:
        if clist is None:
            if self.directory and callable(self.controller_scan):
                clist = self.controller_scan(self.directory)
            elif callable(self.controller_scan):
                clist = self.controller_scan()
            elif not self.controller_scan:
                clist = []
            else:
                clist = list(self.controller_scan)
        for route in self.matchlist:
            route.makeregexp(clist)
        self._clist = clist
        self._stale_regs = False
        self._index = MatchIndex(self.matchlist, clist)
        self._prefix2routes = None  # built by the first debug-mode match
        if self.prefix:
            self._regprefix = re.compile(self.prefix + "(.*)")
        self._created_regs = True

    def _match(
        self, url: str, environ: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any] | None, Route | None, MatchLog]:
        if (not self._created_regs and self.controller_scan) or self.always_scan:
            self.create_regs()
        elif not self._created_regs:
            raise RoutesException("You must generate the regular expressions before matching.")
        elif self._stale_regs:
            self.create_regs(self._clist)
        index = self._index
        if index is None:  # pragma: no cover - create_regs always sets it
            raise RoutesException("You must generate the regular expressions before matching.")
        matchlog: MatchLog = []
        if self.prefix:
            if self._regprefix is not None and self._regprefix.match(url):
                url = self._regprefix.sub(r"\1", url) or "/"
            else:
                return None, None, matchlog
        environ = environ or self.environ
        sub_domains = self.sub_domains
        ignore = self.sub_domains_ignore
        domain_match = self.domain_match
        if self.debug:
            return self._match_debug(url, environ, matchlog)
        for _, key, route in index.candidates(url):
            if not url.startswith(key):
                continue
            regmatch = route.regmatch.match(url)
            if regmatch is None:
                continue
            result = route.match_conditions(regmatch, environ, sub_domains, ignore, domain_match)
            if isinstance(result, dict):
                return result, route, matchlog
        return None, None, matchlog

    def _match_debug(
        self, url: str, environ: Mapping[str, Any] | None, matchlog: MatchLog
    ) -> tuple[dict[str, Any] | None, Route | None, MatchLog]:
        """Routes' own trial loop, for its exact match log (slower; debug only).

        Nothing is logged when no route's regexp matches (Routes' master
        regexp); then buckets are tried by static prefix, longest first, and
        a bucket whose key equals a URL shorter than several prefix lengths is
        tried (and logged) once per length, as in Routes.
        """
        if not any(route.regmatch.match(url) for route in self.matchlist if not route.static):
            return None, None, matchlog
        prefix2routes = self._prefix2routes
        if prefix2routes is None:
            # Routes' static-prefix buckets, in connect order within each.
            prefix2routes = {}
            for route in self.matchlist:
                if not route.static:
                    prefix2routes.setdefault(static_prefix(route), []).append(route)
            self._prefix2routes = prefix2routes
            self._prefix_lens = sorted({len(p) for p in prefix2routes}, reverse=True)
        for prefix_len in self._prefix_lens:
            for route in prefix2routes.get(url[:prefix_len], ()):
                result = route.match(url, environ, self.sub_domains, self.sub_domains_ignore, self.domain_match)
                matchlog.append({"route": route, "regexp": bool(result)})
                if isinstance(result, dict):
                    return result, route, matchlog
        return None, None, matchlog

    def _prepare(
        self, url: str | Mapping[str, Any] | None, environ: Mapping[str, Any] | None
    ) -> tuple[str, Mapping[str, Any] | None]:
        if isinstance(url, Mapping):
            url, environ = None, url
        if environ is not None and is_asgi_scope(environ):
            environ = environ_from_scope(environ)
        if url is None and not environ:
            raise RoutesException("URL or environ must be provided")
        if url is None:
            if environ is None or "PATH_INFO" not in environ:
                raise RoutesException("The environ has no PATH_INFO to match")
            url = environ["PATH_INFO"]
        if not isinstance(url, str):
            raise TypeError(f"match(): url must be a str path, got {url!r}")
        return url, environ

    def match(self, url: str | Mapping[str, Any] | None = None, environ: Mapping[str, Any] | None = None) -> Any:
        """The match dict for a path, a WSGI environ or an ASGI scope; ``None`` if nothing matches.

        >>> m = Mapper()
        >>> m.resource("message", "messages")
        >>> sorted(m.match(environ={"REQUEST_METHOD": "GET", "PATH_INFO": "/messages/1.json"}).items())
        [('action', 'show'), ('controller', 'messages'), ('format', 'json'), ('id', '1')]
        >>> m.match({"type": "http", "method": "DELETE", "path": "/messages/1", "headers": []})["action"]
        'delete'
        """
        path, env = self._prepare(url, environ)
        result = self._match(path, env)
        if self.debug:
            return result
        return result[0] if isinstance(result[0], dict) else None

    def routematch(self, url: str | Mapping[str, Any] | None = None, environ: Mapping[str, Any] | None = None) -> Any:
        """``(match_dict, route)`` like :meth:`match`, or ``None``.

        >>> m = Mapper()
        >>> m.connect("home", "/", controller="main", action="index")
        >>> m.routematch("/")[1].name
        'home'
        """
        path, env = self._prepare(url, environ)
        result = self._match(path, env)
        if self.debug:
            return result
        return (result[0], result[1]) if isinstance(result[0], dict) else None

    def generate(self, *args: Any, **kargs: Any) -> str | None:
        """The path for ``controller``/``action`` and variables, or ``None``.

        Positional arguments are routes to try (as Routes). Extra variables become
        a query string; ``_environ`` supplies ``SCRIPT_NAME``.

        >>> m = Mapper()
        >>> m.resource("message", "messages")
        >>> m.generate(controller="messages", action="index", q="x y")
        '/messages?q=x+y'
        >>> m.generate(controller="messages", action="show", id="a/b") is None
        True
        """
        if not self._created_gens:
            self._create_gens()
        if self.append_slash:
            kargs["_append_slash"] = True
        if not self.explicit:
            kargs.setdefault("controller", "content")
            kargs.setdefault("action", "index")
        environ = kargs.pop("_environ", self.environ) or {}
        if is_asgi_scope(environ):
            environ = environ_from_scope(environ)
        if "SCRIPT_NAME" in environ:
            script_name = environ["SCRIPT_NAME"]
        elif self.environ and "SCRIPT_NAME" in self.environ:
            script_name = self.environ["SCRIPT_NAME"]
        else:
            script_name = ""
        cache_key = (script_name, tuple(id(a) for a in args), str(kargs))
        if self.urlcache is not None:
            cached = self.urlcache.get(cache_key)
            if cached is not None:
                return cached
        controller = as_unicode(kargs.get("controller"), self.encoding)
        action = as_unicode(kargs.get("action"), self.encoding)
        actionlist = self._gendict.get(controller) or self._gendict.get("*", {})
        if not actionlist and not args:
            return None
        keylist, sortcache = actionlist.get(action) or actionlist.get("*", ([], {}))
        if not keylist and not args:
            return None
        keys = frozenset(kargs.keys())
        cachelist = sortcache.get(keys)
        routes: list[Route] | tuple[Route, ...]
        if args:
            routes = args
        elif cachelist:
            routes = cachelist
        else:
            fits = [r for r in keylist if len(r.minkeys - r.dotkeys - keys) == 0]
            fits.sort(key=functools.cmp_to_key(functools.partial(keysort, keys)))
            sortcache[keys] = fits
            routes = fits
        for route in routes:
            if not self._hardcoded_fit(route, kargs):
                continue
            path = route.generate(**kargs)
            if path and isinstance(path, str):
                if self.prefix:
                    path = self.prefix + path
                external_static = route.static and route.external
                if not route.absolute and not external_static:
                    path = script_name + path
                    if self.urlcache is not None:
                        self.urlcache.put(cache_key, path)
                return path
        return None

    def _hardcoded_fit(self, route: Route, kargs: dict[str, Any]) -> bool:
        for key in route.hardcoded:
            kval = kargs.get(key)
            if not kval:
                continue
            kval = as_unicode(kval, self.encoding)
            if kval != route.defaults[key] and not callable(route.defaults[key]):
                return False
        return True
