"""Errors and environ helpers shared by the mapper, the URL generator and dispatch.

>>> env = environ_from_scope({"type": "http", "method": "GET", "path": "/v2/servers",
...                           "root_path": "/v2", "headers": [(b"host", b"api:8774")]})
>>> env["SCRIPT_NAME"], env["PATH_INFO"], env["HTTP_HOST"]
('/v2', '/servers', 'api:8774')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "GenerationException",
    "MatchException",
    "RoutesException",
    "as_unicode",
    "cache_hostinfo",
    "controller_scan",
    "encode_value",
    "environ_from_scope",
    "is_asgi_scope",
    "is_form_post",
    "split_root_path",
    "url_quote",
]


# Routes' util module also holds its request-scoped helpers; ``from routes.util
# import url_for`` becomes ``from asgipaste.routes.util import url_for``. They
# live in ``asgipaste.routes.config`` / ``.urlgen``, which import this module.
_HELPERS = {
    "URLGenerator": "asgipaste.routes.urlgen",
    "redirect_to": "asgipaste.routes.config",
    "request_config": "asgipaste.routes.config",
    "url_for": "asgipaste.routes.config",
}


if not TYPE_CHECKING:  # hidden from mypy, which would otherwise accept any name from this module

    def __getattr__(name: str) -> Any:
        if name in _HELPERS:
            import importlib

            return getattr(importlib.import_module(_HELPERS[name]), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def as_unicode(value: Any, encoding: str, errors: str = "strict") -> Any:
    """Decode ``bytes`` with ``encoding``; anything else comes back unchanged."""
    if value is not None and isinstance(value, bytes):
        return value.decode(encoding, errors)
    return value


def encode_value(value: Any, encoding: str | None) -> bytes:
    """Bytes of ``str(value)`` in ``encoding`` (Routes' ``_str_encode``)."""
    if encoding:
        if isinstance(value, str):
            return value.encode(encoding)
        return str(value).encode(encoding)
    return str(value).encode()


def url_quote(value: Any, encoding: str | None) -> str:
    """Percent-quote a value for a path, keeping ``/`` (Routes' ``_url_quote``)."""
    return quote(encode_value(value, encoding), "/")


class RoutesException(Exception):
    """A routing error (same name as ``routes.util.RoutesException``)."""


class MatchException(RoutesException):
    """A matching error."""


class GenerationException(RoutesException):
    """A URL could not be generated."""


def controller_scan(directory: str | None = None) -> list[str]:
    """Controller names found as ``*.py`` files under ``directory`` (longest first), as Routes."""
    if directory is None:
        return []

    def find_controllers(dirname: str, prefix: str = "") -> list[str]:
        controllers: list[str] = []
        for fname in os.listdir(dirname):
            filename = os.path.join(dirname, fname)
            if os.path.isfile(filename) and re.match(r"^[^_]{1,1}.*\.py$", fname):
                controllers.append(prefix + fname[:-3])
            elif os.path.isdir(filename):
                controllers.extend(find_controllers(filename, prefix=prefix + fname + "/"))
        return controllers

    controllers = find_controllers(directory)
    controllers.sort(key=len, reverse=True)
    return controllers


def is_asgi_scope(obj: Mapping[str, Any]) -> bool:
    """True for an ASGI connection scope (it has ``type`` and ``path``, no ``REQUEST_METHOD``)."""
    return "REQUEST_METHOD" not in obj and isinstance(obj.get("type"), str) and "path" in obj


def split_root_path(path: str, root_path: str) -> tuple[str, str]:
    """``(script_name, path_info)`` for an ASGI ``path`` under ``root_path``.

    ASGI's ``path`` includes ``root_path``; it is stripped only at a ``/`` boundary.
    A ``path`` outside ``root_path`` (servers that send it relative) is kept whole,
    and ``root_path`` still prefixes generated URLs.

    >>> split_root_path("/v2/servers", "/v2")
    ('/v2', '/servers')
    >>> split_root_path("/v20/servers", "/v2")
    ('/v2', '/v20/servers')
    """
    root = root_path.rstrip("/")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return root, path[len(root) :]
    return root, path


def _path(scope: Mapping[str, Any]) -> str:
    """The scope's ``path``; where the server replaced bytes that are not UTF-8, those bytes as latin-1.

    A valid UTF-8 path reads as text (a deliberate difference from Routes
    under WSGI, docs/routes.md). ``/servers/%E9`` and ``/servers/%FF`` would
    both read ``'\ufffd'`` and match as one id; from ``raw_path`` they read
    ``'é'`` and ``'ÿ'``, as under a WSGI server.

    >>> _path({"path": "/servers/\ufffd", "raw_path": b"/servers/%E9"})
    '/servers/é'
    """
    path: str = scope.get("path", "")
    raw = scope.get("raw_path")
    if "\ufffd" in path and raw and b"%" in raw:
        decoded = unquote_to_bytes(raw)
        try:
            decoded.decode("utf-8")
        except UnicodeDecodeError:
            return decoded.decode("latin-1")
    return path


def environ_from_scope(scope: Mapping[str, Any]) -> dict[str, Any]:
    """A WSGI-style environ with the keys routing reads, built from an ASGI scope."""
    script_name, path_info = split_root_path(_path(scope), scope.get("root_path", "") or "")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.get("method", "GET") if scope.get("type") == "http" else "GET",
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "wsgi.url_scheme": {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http")),
    }
    server = scope.get("server")
    if server:
        environ["SERVER_NAME"] = str(server[0])
        environ["SERVER_PORT"] = str(server[1]) if server[1] is not None else ""
    else:
        environ["SERVER_NAME"] = "localhost"
        environ["SERVER_PORT"] = "443" if environ["wsgi.url_scheme"] == "https" else "80"
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").upper().replace("-", "_")
        text = value.decode("latin-1")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
        elif key == "CONTENT_LENGTH":
            environ["CONTENT_LENGTH"] = text
        else:
            key = "HTTP_" + key
            environ[key] = environ[key] + "," + text if key in environ else text
    return environ


def cache_hostinfo(environ: MutableMapping[str, Any]) -> dict[str, str]:
    """Scheme and host of the request (forwarded headers first), cached in the environ."""
    hostinfo: dict[str, str] = {}
    if (
        environ.get("HTTPS")
        or environ.get("wsgi.url_scheme") == "https"
        or "https" in environ.get("HTTP_X_FORWARDED_PROTO", "").split(", ")
    ):
        hostinfo["protocol"] = "https"
    else:
        hostinfo["protocol"] = "http"
    if environ.get("HTTP_X_FORWARDED_HOST"):
        hostinfo["host"] = environ["HTTP_X_FORWARDED_HOST"].split(", ", 1)[0]
    elif environ.get("HTTP_HOST"):
        hostinfo["host"] = environ["HTTP_HOST"]
    else:
        host = environ.get("SERVER_NAME")
        if not host:
            raise GenerationException("qualified URL needs HTTP_HOST or SERVER_NAME in the environ")
        port = str(environ.get("SERVER_PORT", ""))
        default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        hostinfo["host"] = host + (":" + port if port and port != default else "")
    environ["routes.cached_hostinfo"] = hostinfo
    return hostinfo


def is_form_post(environ: Mapping[str, Any]) -> bool:
    """True when the request body is an HTML form (where ``_method`` may hide)."""
    content_type = str(environ.get("CONTENT_TYPE", "")).lower()
    if ";" in content_type:
        content_type = content_type.split(";", 1)[0]
    return content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
