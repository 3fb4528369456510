"""Paste's urlmap for WSGI apps: what ``egg:Paste#urlmap`` becomes when every
mounted app is WSGI, so a legacy tree stays WSGI all the way down.

Such a tree crosses into ASGI once, at its root, and a server with a WSGI
interface (granian) serves it with no crossing at all. The table, the
matching rules and the ``SCRIPT_NAME``/``PATH_INFO`` rewrite are exactly those
of :class:`asgipaste.urlmap.URLMap` (Paste's).

The loader never calls :func:`wsgi_urlmap_factory`: it builds the map once
through :func:`asgipaste.urlmap.urlmap_factory` and, when every child is WSGI,
hands the table to :meth:`WSGIURLMap.from_table`. The factory stays for code
that wants the WSGI form outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from asgipaste.interop.detect import declare_wsgi
from asgipaste.interop.loop_host import BridgedBranch, LifespanStartupFailed, WSGIView, refuse
from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.types import ASGIApp, Environ, StartResponse, WSGIApp
from asgipaste.urlmap.asgi import URLMap, build_urlmap, not_found

__all__ = ["WSGIURLMap", "start_now", "wsgi_form", "wsgi_urlmap_factory"]

_SLASHES = re.compile("//+")


def _not_found(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "9")])
    return [b"Not Found"]


class WSGIURLMap:
    """A WSGI app dispatching like Paste's ``URLMap`` over a :class:`URLMap` table of WSGI apps.

    >>> table = URLMap()
    >>> table["/v2"] = lambda environ, start_response: [environ["PATH_INFO"].encode()]
    >>> app = WSGIURLMap(table)
    >>> app({"PATH_INFO": "/v2/servers", "SCRIPT_NAME": "", "HTTP_HOST": "h"}, None)
    [b'/servers']
    """

    def __init__(self, table: URLMap) -> None:
        self.table = table
        found = table.not_found_app
        self.not_found_app: WSGIApp = _not_found if found is not_found else found  # type: ignore[assignment]

    @classmethod
    def from_table(cls, table: URLMap) -> WSGIURLMap:
        """The WSGI form of a map whose mounted apps are all WSGI (the loader's choice)."""
        return cls(table)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path_info: str = environ.get("PATH_INFO", "")
        if "//" in path_info:
            path_info = _SLASHES.sub("/", path_info)
        if self.table.by_host:
            host = environ.get("HTTP_HOST")
            # The table's matcher reads an ASGI-shaped view: Host header, server, scheme.
            view = {
                "headers": [(b"host", host.encode("latin-1"))] if host else [],
                "server": (environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT")),
                "scheme": environ.get("wsgi.url_scheme", "http"),
            }
        else:
            view = _NO_HOST  # no entry names a domain: the matcher never reads the host
        found = self.table.match(view, path_info)
        if found is None:
            environ["paste.urlmap_object"] = self
            return self.not_found_app(environ, start_response)
        prefix, entry = found
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
        environ["PATH_INFO"] = path_info[len(prefix) :]
        app: WSGIApp = entry.app  # type: ignore[assignment]
        return app(environ, start_response)

    def __repr__(self) -> str:
        return f"WSGIURLMap({self.table!r})"


_NO_HOST: dict[str, object] = {}


class _MixedRoot:
    """A mixed tree's pushed-down WSGI form: starts the tree's lifespan with its first request in a process."""

    def __init__(self, app: WSGIURLMap, view: WSGIView) -> None:
        self.app = app
        self.view = view

    def __repr__(self) -> str:
        return f"_MixedRoot({self.app!r})"

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            self.view.started()  # as a whole view would: the lifespan runs before the first request
        except LifespanStartupFailed as exc:
            return refuse(start_response, str(exc))
        return self.app(environ, start_response)


def start_now(app: WSGIApp) -> None:
    """Start the loop and lifespan of a tree's WSGI form now (a worker at boot), not with its first request.

    Raises :class:`~asgipaste.interop.loop_host.LifespanStartupFailed` when the
    startup fails; does nothing for a tree that is WSGI all the way down.
    """
    view = app.view if isinstance(app, _MixedRoot) else app if isinstance(app, WSGIView) else None
    if view is not None:
        view.started()


def wsgi_form(asgi: ASGIApp, wsgi: WSGIApp | None, *, name: str = "main") -> WSGIApp:
    """The app a WSGI server is given for a loaded tree (``loadapp(..., protocol="wsgi")``).

    * WSGI all the way down: ``wsgi``, the fused WSGI app itself.
    * A mixed tree under a urlmap: the urlmaps dispatch in WSGI, each WSGI
      branch is called as it is (no crossing at all), and only the ASGI
      branches run on the one loop of the process's own, whose lifespan is the
      whole tree's (started with the first request a process serves).
    * Any other root: one :class:`~asgipaste.interop.loop_host.WSGIView` of the whole tree.

    >>> def legacy(environ, start_response):
    ...     start_response("200 OK", [])
    ...     return [environ["SCRIPT_NAME"].encode()]
    >>> async def modern(scope, receive, send): ...
    >>> from asgipaste.interop.wsgi import WSGIAdapter
    >>> tree = URLMap()
    >>> tree["/legacy"] = WSGIAdapter(legacy)
    >>> tree["/modern"] = modern
    >>> form = wsgi_form(tree, None)
    >>> form.app.table["/legacy"] is legacy, form.app.table["/modern"]
    (True, BridgedBranch(<function modern at ...>))
    """
    if wsgi is not None:
        return wsgi
    view = WSGIView(asgi, name=name)
    if type(asgi) is not URLMap:
        return view
    return _MixedRoot(WSGIURLMap(_pushed(asgi, view)), view)


def _pushed(table: URLMap, view: WSGIView) -> URLMap:
    def convert(app: Any) -> WSGIApp:
        if type(app) is WSGIAdapter:  # a WSGI branch: hand the WSGI server the WSGI app itself
            inner: WSGIApp = app.app
            return inner
        if type(app) is URLMap:
            return WSGIURLMap(_pushed(app, view))
        return BridgedBranch(app, view, name=getattr(app, "name", None) or type(app).__name__)

    return table.converted(convert)


def wsgi_urlmap_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> WSGIURLMap:
    """Paste's ``urlmap_factory`` for a map whose apps are all WSGI (the loader picks it)."""
    return WSGIURLMap(build_urlmap(loader, global_conf, local_conf))


declare_wsgi(wsgi_urlmap_factory)
