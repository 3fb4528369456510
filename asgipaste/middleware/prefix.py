"""PasteDeploy's ``PrefixMiddleware`` (``egg:PasteDeploy#prefix``) on the ASGI scope.

Behind a reverse proxy that publishes the app under ``/james``::

    [app:main]
    use = egg:myapp
    filter-with = proxy-prefix

    [filter:proxy-prefix]
    use = egg:asgipaste#prefix
    prefix = /james

The app then sees ``root_path = "/james"`` and ``path = "/james" + rest``
(the ASGI convention: ``path`` includes ``root_path``), whether the proxy
stripped ``/james`` or not, which is what PasteDeploy's SCRIPT_NAME/PATH_INFO
rewrite gave a WSGI app. With ``translate_forwarded_server`` (default on) the
proxy's ``X-Forwarded-Server/-Host/-For/-Scheme/-Proto`` headers, and RFC 7239
``Forwarded``, become the scope's ``server``, Host header, ``client`` and
``scheme``.

Fixed from upstream: the prefix is removed only at a ``/`` boundary and
matched literally (PasteDeploy used an unescaped regex: ``/jamesx`` lost
``/james`` and ``.`` matched any character).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from asgipaste.converters import asbool
from asgipaste.errors import ConfigValueError
from asgipaste.interop.detect import WSGI_FILTER_FORM_ATTR, declare_asgi
from asgipaste.interop.environ import environ_headers, headers_to_environ
from asgipaste.types import ASGIApp, Receive, Scope, Send
from asgipaste.urlmap.paths import normalize_root_path, raw_split

__all__ = [
    "PrefixMiddleware",
    "URLPrefix",
    "WSGIPrefixMiddleware",
    "make_prefix_middleware",
    "parse_forwarded",
    "prefix_filter_factory",
]

logger = logging.getLogger("asgipaste.middleware.prefix")

_X_HEADERS = frozenset(
    {
        b"x-forwarded-server",
        b"x-forwarded-host",
        b"x-forwarded-for",
        b"x-forwarded-scheme",
        b"x-forwarded-proto",
        b"forwarded",
    }
)
_WS = {"http": "ws", "https": "wss"}


def _split_quoted(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside double quotes (backslash escapes honoured)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        out: list[str] = []
        escaped = False
        for char in value[1:-1]:
            if char == "\\" and not escaped:
                escaped = True
                continue
            escaped = False
            out.append(char)
        return "".join(out)
    return value


def parse_forwarded(value: str) -> dict[str, str]:
    """The first element of an RFC 7239 ``Forwarded`` header, as lower-cased keys.

    >>> parse_forwarded('for="[2001:db8::1]:4711";proto=https, for=10.0.0.1')
    {'for': '[2001:db8::1]:4711', 'proto': 'https'}
    """
    first = _split_quoted(value, ",")[0]
    pairs: dict[str, str] = {}
    for pair in _split_quoted(first, ";"):
        name, sep, raw = pair.partition("=")
        name = name.strip().lower()
        if sep and name and name not in pairs:
            pairs[name] = _unquote(raw)
    return pairs


def _node(value: str) -> tuple[str, int | None] | None:
    """An RFC 7239 node (``host``, ``host:port``, ``[v6]:port``); None for unknown/obfuscated."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        host, port = value.split(":")
    else:
        host, port = value, ""  # a bare IPv6 address (not RFC 7239 but seen in the wild)
    if not host or host.lower() == "unknown" or host.startswith("_"):
        return None
    return host, int(port) if port.isdigit() else None


class PrefixMiddleware:
    """Give the app ``root_path = prefix`` and the proxy's view of host, client and scheme.

    >>> app = PrefixMiddleware(inner_app, prefix="/james", scheme="https")  # doctest: +SKIP
    """

    def __init__(
        self,
        app: ASGIApp,
        prefix: str = "/",
        *,
        translate_forwarded_server: bool = True,
        force_port: str | int | None = None,
        scheme: str | None = None,
    ) -> None:
        if prefix and not prefix.startswith("/"):
            raise ConfigValueError(f"prefix must start with '/' (you gave {prefix!r})", key="prefix")
        if force_port not in (None, "") and not str(force_port).strip().isdigit():
            raise ConfigValueError(
                f"force_port must be a port number or empty (you gave {force_port!r})", key="force_port"
            )
        if scheme is not None and scheme.lower() not in ("http", "https"):
            raise ConfigValueError(f"scheme must be 'http' or 'https' (you gave {scheme!r})", key="scheme")
        self.app = app
        self.prefix = prefix.rstrip("/")
        self.translate_forwarded_server = translate_forwarded_server
        self.force_port = None if force_port is None else str(force_port).strip()
        self.scheme = scheme.lower() if scheme else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.app!r}, prefix={self.prefix!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = dict(normalize_root_path(scope))
        self._rewrite_path(scope)
        if self.translate_forwarded_server:
            self._translate(scope)
        if self.force_port is not None:
            self._force_port(scope)
        if self.scheme is not None:
            scope["scheme"] = self._scheme(scope, self.scheme)
        await self.app(scope, receive, send)

    def _rewrite_path(self, scope: Scope) -> None:
        root: str = scope.get("root_path", "")
        path: str = scope.get("path", "")
        rest = path[len(root) :]  # what PasteDeploy saw as PATH_INFO
        prefix = self.prefix
        if prefix and (rest == prefix or rest.startswith(prefix + "/")):
            rest = rest[len(prefix) :]
        new_path = prefix + (rest or "/")  # PasteDeploy: an empty PATH_INFO becomes "/"
        scope["root_path"] = prefix  # replaced, as PasteDeploy replaced SCRIPT_NAME
        if new_path != path:
            scope["path"] = new_path
            raw = scope.get("raw_path")
            if raw is not None:
                scope["raw_path"] = _raw_with_prefix(raw, path, rest, prefix)

    @staticmethod
    def _scheme(scope: Scope, scheme: str) -> str:
        scheme = scheme.strip().lower()
        return _WS.get(scheme, scheme) if scope["type"] == "websocket" else scheme

    def _translate(self, scope: Scope) -> None:
        found: dict[bytes, str] = {}
        kept: list[tuple[bytes, bytes]] = []
        for name, value in scope.get("headers", ()):
            lower = name.lower()
            if lower in _X_HEADERS:
                text = value.decode("latin-1")
                # Repeated headers form one comma list (RFC 9110 5.3); the first element wins.
                found[lower] = f"{found[lower]},{text}" if lower in found else text
            else:
                kept.append((name, value))
        if not found:
            return
        forwarded = parse_forwarded(found[b"forwarded"]) if b"forwarded" in found else {}
        headers = kept  # PasteDeploy pops the headers it translated
        server = scope.get("server")
        host: str | None = None
        if b"x-forwarded-server" in found:
            host = found[b"x-forwarded-server"].split(",")[0].strip()
            scope["server"] = (host, server[1] if server else None)
        if "by" in forwarded and (by := _node(forwarded["by"])) is not None:
            scope["server"] = (by[0], by[1] if by[1] is not None else (server[1] if server else None))
        if "host" in forwarded:
            host = forwarded["host"].strip()
        elif b"x-forwarded-host" in found:
            host = found[b"x-forwarded-host"].split(",")[0].strip()
        if host is not None:
            headers = [(n, v) for n, v in headers if n.lower() != b"host"]
            headers.append((b"host", host.encode("latin-1")))
        if "for" in forwarded:
            node = _node(forwarded["for"])
            scope["client"] = None if node is None else (node[0], node[1] or 0)
        elif b"x-forwarded-for" in found:
            scope["client"] = (found[b"x-forwarded-for"].split(",")[0].strip(), 0)
        proto = forwarded.get("proto") or found.get(b"x-forwarded-scheme") or found.get(b"x-forwarded-proto")
        if proto:
            scope["scheme"] = self._scheme(scope, proto.split(",")[0])
        scope["headers"] = headers

    def _force_port(self, scope: Scope) -> None:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", ()))
        server = scope.get("server")
        default_port = 443 if scope.get("scheme") in ("https", "wss") else 80
        port = int(self.force_port) if self.force_port else default_port
        for index, (name, value) in enumerate(headers):
            if name.lower() == b"host":
                hostname = _strip_port(value.decode("latin-1"))
                text = f"{hostname}:{self.force_port}" if self.force_port else hostname
                headers[index] = (name, text.encode("latin-1"))
                if server is None:
                    server = (hostname, port)
        scope["headers"] = headers
        if server is not None:
            scope["server"] = (server[0], port)


class URLPrefix:
    """waitress's ``url_prefix``: SCRIPT_NAME is ``prefix`` for every request.

    A path that starts with the prefix (at a ``/``) loses it from PATH_INFO,
    which is then empty for the bare prefix; any other path is PATH_INFO whole
    (waitress's rule, unlike PasteDeploy's ``prefix`` filter, which gives ``/``).
    In the scope: ``root_path`` gains the prefix, and ``path``, which includes
    ``root_path``, gains it too where the request did not carry it.

    >>> URLPrefix(app=None, prefix="/api")
    URLPrefix(None, prefix='/api')
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.app!r}, prefix={self.prefix!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.prefix:
            await self.app(scope, receive, send)
            return
        scope = dict(normalize_root_path(scope))
        root: str = scope.get("root_path", "")
        path: str = scope.get("path", "")
        rest = path[len(root) :]
        prefix = self.prefix
        scope["root_path"] = root + prefix
        if not (rest == prefix or rest.startswith(prefix + "/")):
            scope["path"] = root + prefix + rest
            raw = scope.get("raw_path")
            cut = None if raw is None else raw_split(raw, root) if root else 0
            if raw is not None:  # the prefix goes in after root_path's own bytes
                scope["raw_path"] = (
                    raw[:cut] + quote(prefix).encode("ascii") + raw[cut:]
                    if cut is not None
                    else quote(root + prefix + rest).encode("ascii")
                )
        await self.app(scope, receive, send)


class WSGIPrefixMiddleware:
    """:class:`PrefixMiddleware` over a WSGI app: the same rules, applied to the environ.

    The environ is read into the scope fields the rules work on, rewritten by
    :class:`PrefixMiddleware`'s own methods, and written back (SCRIPT_NAME,
    PATH_INFO, HTTP_HOST, SERVER_NAME/PORT, REMOTE_ADDR, ``wsgi.url_scheme``;
    translated ``X-Forwarded-*`` headers are removed), so both forms agree by
    construction.

    >>> def app(environ, start_response):
    ...     return [environ["SCRIPT_NAME"].encode(), environ["PATH_INFO"].encode()]
    >>> b" ".join(WSGIPrefixMiddleware(app, "/james")({"PATH_INFO": "/james/x", "SCRIPT_NAME": ""}, None))
    b'/james /x'
    """

    def __init__(
        self,
        app: Any,
        prefix: str = "/",
        *,
        translate_forwarded_server: bool = True,
        force_port: str | int | None = None,
        scheme: str | None = None,
    ) -> None:
        self.app = app
        self.rules = PrefixMiddleware(  # the rules only: never called
            _probe, prefix, translate_forwarded_server=translate_forwarded_server, force_port=force_port, scheme=scheme
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.app!r}, prefix={self.rules.prefix!r})"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        scope = _scope_of(environ)
        rules = self.rules
        rules._rewrite_path(scope)
        if rules.translate_forwarded_server:
            rules._translate(scope)
        if rules.force_port is not None:
            rules._force_port(scope)
        if rules.scheme is not None:
            scope["scheme"] = rules._scheme(scope, rules.scheme)
        _write_back(scope, environ)
        return self.app(environ, start_response)


def _scope_of(environ: dict[str, Any]) -> dict[str, Any]:
    """The scope fields PrefixMiddleware's rules read, from a WSGI environ (strings stay latin-1)."""
    root = environ.get("SCRIPT_NAME", "")
    headers = environ_headers(environ)
    port = str(environ.get("SERVER_PORT", "")).strip()
    client = environ.get("REMOTE_ADDR")
    return {
        "type": "http",
        "root_path": root,
        "path": root + environ.get("PATH_INFO", ""),
        "headers": headers,
        "server": (environ.get("SERVER_NAME", "localhost"), int(port) if port.isdigit() else None),
        "client": None if client is None else (client, 0),
        "scheme": environ.get("wsgi.url_scheme", "http"),
    }


def _write_back(scope: dict[str, Any], environ: dict[str, Any]) -> None:
    root = scope["root_path"]
    environ["SCRIPT_NAME"] = root
    environ["PATH_INFO"] = scope["path"][len(root) :]
    # The headers go back as headers_to_environ writes them: those the rules translated
    # (forwarded ones) are gone, as PasteDeploy pops them.
    for key in [key for key in environ if key.startswith("HTTP_")]:
        del environ[key]
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):  # the ones environ_headers read, written back by headers_to_environ
            del environ[name]
    headers_to_environ(scope["headers"], environ)
    server = scope.get("server")
    if server is not None:
        environ["SERVER_NAME"] = server[0]
        if server[1] is not None:
            environ["SERVER_PORT"] = str(server[1])
    client = scope.get("client")
    if client is not None:
        environ["REMOTE_ADDR"] = client[0]
    environ["wsgi.url_scheme"] = scope["scheme"]


def _strip_port(host: str) -> str:
    if host.startswith("["):  # [v6]:port
        return host[: host.find("]") + 1] if "]" in host else host
    return host.split(":", 1)[0]


def _raw_with_prefix(raw: bytes, path: str, rest: str, prefix: str) -> bytes:
    """``raw_path`` for ``prefix + rest``, keeping the request's own encoding of ``rest``."""
    if rest and path.endswith(rest):
        cut = raw_split(raw, path[: len(path) - len(rest)])
        if cut is not None:
            return quote(prefix).encode("ascii") + raw[cut:]
    return quote(prefix + (rest or "/")).encode("ascii")


def make_prefix_middleware(
    app: ASGIApp,
    global_conf: dict[str, Any],
    prefix: str = "/",
    translate_forwarded_server: str | bool = "true",
    force_port: str | None = None,
    scheme: str | None = None,
) -> PrefixMiddleware:
    """``egg:asgipaste#prefix`` (a ``filter_app_factory``), PasteDeploy's signature.

    >>> make_prefix_middleware(app, {}, prefix="/james", force_port="")  # doctest: +SKIP
    """
    return PrefixMiddleware(
        app, prefix, translate_forwarded_server=_translate_option(translate_forwarded_server),
        force_port=force_port, scheme=scheme,
    )


def _translate_option(value: str | bool) -> bool:
    try:
        return asbool(value)
    except ValueError as exc:
        raise ConfigValueError(str(exc), key="translate_forwarded_server") from None


declare_asgi(make_prefix_middleware)


def make_wsgi_prefix_middleware(
    app: Any,
    global_conf: dict[str, Any],
    prefix: str = "/",
    translate_forwarded_server: str | bool = "true",
    force_port: str | None = None,
    scheme: str | None = None,
) -> WSGIPrefixMiddleware:
    """:func:`make_prefix_middleware`'s WSGI form, for a WSGI app below."""
    return WSGIPrefixMiddleware(
        app, prefix, translate_forwarded_server=_translate_option(translate_forwarded_server),
        force_port=force_port, scheme=scheme,
    )


setattr(make_prefix_middleware, WSGI_FILTER_FORM_ATTR, make_wsgi_prefix_middleware)


def prefix_filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Callable[[ASGIApp], ASGIApp]:
    """The same as a ``filter_factory``: returns ``app -> PrefixMiddleware``.

    >>> wrap = prefix_filter_factory({}, prefix="/james")
    >>> wrap  # doctest: +ELLIPSIS
    <function prefix_filter_factory.<locals>.wrap at ...>
    """
    make_prefix_middleware(_probe, global_conf, **local_conf)  # bad options fail at load time

    def wrap(app: ASGIApp) -> ASGIApp:
        return make_prefix_middleware(app, global_conf, **local_conf)

    def wrap_wsgi(app: Any) -> Any:
        return make_wsgi_prefix_middleware(app, global_conf, **local_conf)

    setattr(wrap, WSGI_FILTER_FORM_ATTR, wrap_wsgi)
    return wrap


declare_asgi(prefix_filter_factory)


async def _probe(scope: Scope, receive: Receive, send: Send) -> None:  # pragma: no cover - never called
    raise RuntimeError("placeholder app used only to validate options")
