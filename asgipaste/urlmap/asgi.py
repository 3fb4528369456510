"""Paste's ``urlmap`` composite as a pure-ASGI app: longest prefix wins, domains first.

The INI side is ``egg:Paste#urlmap`` unchanged::

    [composite:main]
    use = egg:asgipaste#urlmap
    / = home
    /v2 = api_v2
    domain admin.example.com /  = admin
    not_found_app = custom_404

Matching is Paste's (see ``docs/urlmap.md``): entries with a domain are tried
first, then the longest path prefix wins whatever the INI order, a prefix
matches only at a ``/`` boundary, the bare prefix reaches its app with an empty
remainder (no redirect) and runs of ``/`` in the request path are collapsed.

The ASGI mapping follows the spec: the child scope's ``root_path`` is extended
by the matched prefix and ``path`` stays the full path, so a WSGI app below
sees ``SCRIPT_NAME = root_path`` and ``PATH_INFO = path[len(root_path):]``,
exactly what Paste gave it. Dispatch costs O(path segments) dict lookups, not
O(entries). Lifespan scopes are fanned out to every mounted app
(:mod:`asgipaste.lifespan`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from starlette.datastructures import URLPath
from starlette.routing import NoMatchFound

from asgipaste.errors import ConfigError, ConfigValueError
from asgipaste.lifespan import DEFAULT_TIMEOUT, LifespanGroup
from asgipaste.types import ASGIApp, Receive, Scope, Send
from asgipaste.urlmap.paths import (
    Key,
    host_port,
    normalize_key,
    normalize_root_path,
    parse_path_expression,
    raw_split,
)

__all__ = ["URLMap", "build_urlmap", "not_found"]

_SLASHES = re.compile("//+")
_RAW_SLASHES = re.compile(b"//+")


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The default ``not_found_app``: a plain 404 (websocket: close), revealing nothing."""
    if scope["type"] == "http":
        body = b"Not Found"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"9")]
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000, "reason": ""})


class _Entry:
    """One mounted app: what ``URLMap.routes`` lists and ``url_path_for`` walks."""

    __slots__ = ("app", "domain", "name", "path")

    def __init__(self, key: Key, app: ASGIApp, name: str | None) -> None:
        self.domain, self.path = key
        self.app = app
        self.name = name

    @property
    def key(self) -> Key:
        return self.domain, self.path

    def url(self) -> str:
        return f"http://{self.domain}{self.path}" if self.domain else self.path or "/"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url()!r}, name={self.name!r}, app={self.app!r})"

    def url_path_for(self, name: str, /, **params: Any) -> URLPath:
        """``name`` + ``path=`` gives this prefix plus path; ``name:child`` asks the app."""
        host = self.domain or ""
        if self.name is not None and name == self.name and set(params) == {"path"}:
            rest = str(params["path"])
            path = self.path + "/" + rest.lstrip("/") if rest else self.path
            return URLPath(path=path or "/", host=host)
        if self.name is None or name.startswith(self.name + ":"):
            remaining = name if self.name is None else name[len(self.name) + 1 :]
            child = getattr(self.app, "url_path_for", None)
            if callable(child):
                try:
                    url = child(remaining, **params)
                except NoMatchFound:
                    pass
                else:
                    return URLPath(path=self.path + str(url), protocol=url.protocol, host=url.host or host)
        raise NoMatchFound(name, params)


class URLMap(MutableMapping[Any, ASGIApp]):
    """Dispatch to ASGI apps by URL prefix (and domain), with Paste's ``URLMap`` semantics.

    A mutable mapping: keys are ``'/path'``, ``'http://host/path'``,
    ``'https://host:port/path'`` or ``(host, '/path')``; assigning ``None``
    deletes. Keys are stored normalised as ``(domain, path)``.

    >>> urlmap = URLMap()
    >>> urlmap["/"] = home_app                       # doctest: +SKIP
    >>> urlmap.mount("/v2/", api_app, name="api")    # doctest: +SKIP
    >>> urlmap.url_path_for("api", path="/x")        # doctest: +SKIP
    '/v2/x'
    """

    def __init__(
        self,
        not_found_app: ASGIApp | None = None,
        *,
        startup_timeout: float | None = DEFAULT_TIMEOUT,
        shutdown_timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self._entries: dict[Key, _Entry] = {}  # definition order: lifespan starts in it
        self._index: dict[str | None, _Table] = {}
        self._paths_only: _Table | None = None  # the one table when no entry names a domain
        self._sorted: list[_Entry] | None = []
        self.not_found_app: ASGIApp = not_found_app or not_found
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout

    # Paste's attribute name, for code written against paste.urlmap.
    @property
    def not_found_application(self) -> ASGIApp:
        return self.not_found_app

    @not_found_application.setter
    def not_found_application(self, app: ASGIApp) -> None:
        self.not_found_app = app

    # -- the mapping -----------------------------------------------------

    def mount(self, url: Any, app: ASGIApp, name: str | None = None) -> None:
        """Map ``url`` to ``app``; ``name`` is what ``url_path_for`` finds it by. A same key is replaced."""
        key = normalize_key(url)
        self._entries.pop(key, None)  # a replaced key moves to the end, as in Paste
        entry = self._entries[key] = _Entry(key, app, name)
        self._index.setdefault(entry.domain, _Table()).add(entry)
        self._sorted = None
        self._paths_only = None if self.by_host else self._index.get(None)

    def remap(self, convert: Any) -> None:
        """Replace every mounted app (and ``not_found_app``) by ``convert(app)``, keeping keys and names.

        The loader mounts children as built, then converts them once it knows
        whether the map is WSGI all the way down (see :mod:`asgipaste.urlmap`).
        """
        for entry in self._entries.values():
            entry.app = convert(entry.app)
        if self.not_found_app is not not_found:
            self.not_found_app = convert(self.not_found_app)
        self._rebuild()

    def converted(self, convert: Any) -> URLMap:
        """A copy of this map with every mounted app (and a custom ``not_found_app``) as ``convert(app)``.

        >>> table = URLMap()
        >>> table.mount("/v2", "app", name="v2")
        >>> table.converted(str.upper)
        URLMap({'/v2': 'v2'})
        >>> table.converted(str.upper)["/v2"]
        'APP'
        """
        copy = type(self)(
            self.not_found_app, startup_timeout=self.startup_timeout, shutdown_timeout=self.shutdown_timeout
        )
        for entry in self._entries.values():
            copy.mount(entry.key, entry.app, entry.name)
        copy.remap(convert)  # remap's rule of what a conversion touches, on the copy
        return copy

    def __setitem__(self, url: Any, app: ASGIApp | None) -> None:
        if app is None:
            self._entries.pop(normalize_key(url), None)
            self._rebuild()
        else:
            self.mount(url, app)

    def __getitem__(self, url: Any) -> ASGIApp:
        key = normalize_key(url)
        try:
            return self._entries[key].app
        except KeyError:
            raise KeyError(f"No application with the url {key[1]!r} (domain: {key[0] or '*'!r})")

    def __delitem__(self, url: Any) -> None:
        key = normalize_key(url)
        if key not in self._entries:
            raise KeyError(f"No application with the url {key!r}")
        del self._entries[key]
        self._rebuild()

    def __iter__(self) -> Iterator[Key]:
        return (entry.key for entry in self._order)

    def __len__(self) -> int:
        return len(self._entries)

    def _rebuild(self) -> None:
        # The index serves dispatch; the sorted order (for listing and url_path_for)
        # is computed when first asked for, so mounting n entries stays linear.
        self._sorted = None
        self._index = {}
        for entry in self._entries.values():
            self._index.setdefault(entry.domain, _Table()).add(entry)
        self._paths_only = None if self.by_host else self._index.get(None)

    @property
    def _order(self) -> list[_Entry]:
        """Paste's order: domains sorted by name, then domain-less; longest path first."""
        if self._sorted is None:
            self._sorted = sorted(
                self._entries.values(),
                key=lambda e: (e.domain is None, e.domain or "", -len(e.path), e.path),
            )
        return self._sorted

    @property
    def routes(self) -> list[_Entry]:
        """The entries in matching order (Starlette's ``Mount`` descends through ``routes``)."""
        return list(self._order)

    def __repr__(self) -> str:
        items = ", ".join(f"{e.url()!r}: {e.name or e.app!r}" for e in self._order)
        extra = "" if self.not_found_app is not_found else f", not_found_app={self.not_found_app!r}"
        return f"{type(self).__name__}({{{items}}}{extra})"

    def url_path_for(self, name: str, /, **params: Any) -> URLPath:
        """The URL of the entry named ``name`` (``path=`` appended), or ``name:child`` inside it.

        When one app is mounted several times, a domain-less entry is preferred
        (its URL works on any host), then the longest prefix.
        """
        for entry in sorted(self._order, key=lambda e: e.domain is not None):
            try:
                return entry.url_path_for(name, **params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, params)

    # -- dispatch --------------------------------------------------------

    @property
    def by_host(self) -> bool:
        """Whether some entry names a domain (only then does :meth:`match` read the scope's host)."""
        index = self._index
        return len(index) > 1 or None not in index

    def match(self, scope: Scope, route_path: str) -> tuple[str, _Entry] | None:
        """The ``(prefix, entry)`` Paste would pick for ``route_path`` (already ``//``-collapsed)."""
        index = self._index
        if len(index) > 1 or None not in index:
            host, port = host_port(scope)
            for domain in (host, f"{host}:{port}"):
                table = index.get(domain)
                if table is not None:
                    found = _longest(table, route_path)
                    if found is not None:
                        return found
        table = index.get(None)
        return None if table is None else _longest(table, route_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan_group()(scope, receive, send)
            return
        root: str = scope.get("root_path", "")
        if root:  # a server's root_path may need fixing (uvicorn --root-path /api/, hypercorn)
            scope = normalize_root_path(scope)
            root = scope["root_path"]
        path: str = scope.get("path", "")
        route = path[len(root) :] if root else path
        norm = _SLASHES.sub("/", route) if "//" in route else route
        # No entry names a domain (the common case): match() inlined, and for keys of
        # one segment (/v2, /v2.1) its first probe too; the rest is _longest's.
        table = self._paths_only
        if table is None:
            found = self.match(scope, norm)
        elif table.depth == 1:
            end = norm.find("/", 1)
            prefix = norm if end < 0 else norm[:end]
            entry = table.get(prefix)
            found = (prefix, entry) if entry is not None else _longest(table, norm)
        else:
            found = _longest(table, norm)
        if found is None:
            scope = dict(scope)
            scope["asgipaste.urlmap"] = self  # Paste's environ['paste.urlmap_object']
            await self.not_found_app(scope, receive, send)
            return
        prefix, entry = found
        child = dict(scope)
        child["root_path"] = root + prefix
        if norm is not route:  # collapsed above
            _rewrite_path(child, root, root + norm)
        await entry.app(child, receive, send)

    def lifespan_group(self) -> LifespanGroup:
        """The lifespan fan-out over the mounted apps (definition order), then ``not_found_app``."""
        members: list[tuple[str, ASGIApp]] = [(e.name or e.url(), e.app) for e in self._entries.values()]
        if self.not_found_app is not not_found:
            members.append(("not_found_app", self.not_found_app))
        return LifespanGroup(
            members, startup_timeout=self.startup_timeout, shutdown_timeout=self.shutdown_timeout
        )


class _Table(dict[str, _Entry]):
    """One domain's entries by path, and how many segments its longest key has."""

    __slots__ = ("depth",)

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def add(self, entry: _Entry) -> None:
        self[entry.path] = entry
        self.depth = max(self.depth, entry.path.count("/"))


def _longest(table: _Table, path: str) -> tuple[str, _Entry] | None:
    """Longest key of ``table`` equal to ``path`` or a prefix ending at a ``/``.

    The first probe is the prefix of ``path`` with as many segments as the
    table's deepest key, so a deep request path (``/v2.1/servers/<id>/action``
    under ``/v2.1``) costs one lookup per segment of the keys, not of the path.
    """
    depth = table.depth
    if depth == 1:  # the usual map: one segment per key (/v2, /v2.1, /metadata)
        end = path.find("/", 1)
    else:
        end = 0
        for _ in range(depth):
            end = path.find("/", end + 1)
            if end < 0:
                break
    if end >= 0 and end < len(path) and path[end] == "/":  # deeper than every key: cut there
        prefix = path[:end]
        entry = table.get(prefix)
        if entry is not None:
            return prefix, entry
        return _shorter(table, path, end)
    entry = table.get(path)
    if entry is not None:
        return path, entry
    return _shorter(table, path, len(path))


def _shorter(table: _Table, path: str, end: int) -> tuple[str, _Entry] | None:
    """The longest key that is a prefix of ``path[:end]`` ending at a ``/``."""
    while True:
        end = path.rfind("/", 0, end)
        if end < 0:
            return None
        prefix = path[:end]
        entry = table.get(prefix)
        if entry is not None:
            return prefix, entry


def _rewrite_path(scope: Scope, root: str, path: str) -> None:
    """Set the ``//``-collapsed ``path`` and a ``raw_path`` that still decodes to it."""
    scope["path"] = path
    raw = scope.get("raw_path")
    if raw is None:
        return
    cut = raw_split(raw, root)
    if cut is not None:
        candidate = raw[:cut] + _RAW_SLASHES.sub(b"/", raw[cut:])
        if unquote_to_bytes(candidate) == path.encode("utf-8"):
            scope["raw_path"] = candidate
            return
    scope["raw_path"] = quote(path).encode("ascii")


def _get_app(loader: Any, key: str, value: str, global_conf: dict[str, Any]) -> Any:
    """``loader.get_app(value)``; an error about the name itself (no such section) names ``key``.

    An error located in another section (the mounted app's own) is left as it
    is; one located nowhere yet is the key's, so the loader reports that key
    and its line rather than the composite's header.
    """
    try:
        return loader.get_app(value, global_conf=global_conf)
    except ConfigError as exc:
        if exc.section is None and exc.key is None:
            exc.key = key
        raise


def build_urlmap(loader: Any, global_conf: dict[str, Any], local_conf: dict[str, str]) -> URLMap:
    """Paste's ``urlmap_factory`` logic: a :class:`URLMap` of whatever ``loader.get_app`` returns.

    ``not_found_app`` comes from the section, else from ``global_conf``. Every
    other key is a path expression (``/v2``, ``domain example.com port 8080 /x``)
    and its value the app to mount there, which also names the entry.
    """
    local_conf = dict(local_conf)
    if "not_found_app" in local_conf:
        not_found_name: str | None = local_conf.pop("not_found_app")
    else:
        not_found_name = global_conf.get("not_found_app")
    not_found_app = _get_app(loader, "not_found_app", not_found_name, global_conf) if not_found_name else None
    urlmap = URLMap(not_found_app=not_found_app)
    for key, value in local_conf.items():
        url = parse_path_expression(key)
        app = _get_app(loader, key, value, global_conf)  # as Paste: app errors before key errors
        try:
            urlmap.mount(url, app, name=value.strip())
        except ConfigValueError as exc:
            raise ConfigValueError(
                exc.message, key=key, hint="write '/v2 = app' or 'domain example.com /v2 = app'"
            ) from None
    return urlmap
