"""The path arithmetic of Paste's urlmap, shared by its ASGI and WSGI forms and by ``prefix``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from asgipaste.errors import ConfigValueError
from asgipaste.types import Scope

__all__ = ["Key", "host_port", "normalize_key", "normalize_root_path", "parse_path_expression", "raw_split"]

Key = tuple[str | None, str]  # (domain or None, normalised path prefix)

_SLASHES = re.compile("//+")
_DOMAIN_URL = re.compile("^(http|https)://")
_SECURE = frozenset({"https", "wss"})


def normalize_key(url: str | tuple[str | None, str] | list[Any]) -> Key:
    """Paste's key normalisation: ``(domain, path)`` with ``//`` collapsed and the trailing ``/`` cut.

    >>> normalize_key("http://Example.com:8080//a//b/")
    ('example.com:8080', '/a/b')
    >>> normalize_key("/")
    (None, '')
    """
    if isinstance(url, (list, tuple)):
        host, path = url[0], normalize_key(url[1])[1]
        return (host.lower() or None) if host else None, path
    if url and not url.startswith("/") and not _DOMAIN_URL.search(url):
        raise ConfigValueError(f"URL fragments must start with / or http:// (you gave {url!r})", key=url)
    domain: str | None = None
    match = _DOMAIN_URL.search(url)
    if match:
        url = url[match.end() :]
        if "/" in url:
            domain, url = url.split("/", 1)
            url = "/" + url
        else:
            domain, url = url, ""
        # Paste compared keys as written against a lower-cased Host, so a key
        # with capitals never matched; lower-casing here makes it match.
        domain = domain.lower() or None
    return domain, _SLASHES.sub("/", url).rstrip("/")


def parse_path_expression(expression: str) -> str:
    """Paste's ``domain HOST port N /path`` grammar for INI keys, as a URL ``URLMap`` accepts.

    >>> parse_path_expression("domain example.com port 8080 /x")  # the `//` goes in normalize_key
    'http://example.com:8080//x'
    """
    parts = expression.split()
    domain = port = path = None
    while parts:
        word = parts.pop(0)
        if word in ("domain", "port"):
            if not parts:
                what = "a domain name" if word == "domain" else "a port number"
                raise ConfigValueError(f"{word!r} must be followed with {what}", key=expression)
            value = parts.pop(0)
            if (domain if word == "domain" else port) is not None:
                raise ConfigValueError(f"{word!r} given twice in {expression!r}", key=expression)
            if word == "domain":
                domain = value
            elif not value.isdigit() or not 0 < int(value) < 65536:
                raise ConfigValueError(f"port {value!r} is not a port number (1-65535)", key=expression)
            else:
                port = value
        else:
            if path is not None:
                raise ConfigValueError(
                    f"more than one path given (have {path!r}, got {word!r})", key=expression
                )
            path = word
    text = ""
    if domain:
        text = f"http://{domain}"
    if port:
        if not domain:
            raise ConfigValueError(
                "If you give a port, you must also give a domain",
                key=expression,
                hint="write 'domain HOST port N /path'",
            )
        text += ":" + port
    if path:
        if text:
            text += "/"  # Paste does this too; the `//` it makes is collapsed by normalize_key
        text += path
    return text


def raw_split(raw: bytes, decoded: str) -> int | None:
    """Index in ``raw`` (percent-encoded) where the part decoding to ``decoded`` ends."""
    want = decoded.encode("utf-8")
    i = count = 0
    while count < len(want) and i < len(raw):
        i += 3 if raw[i] == 0x25 and i + 3 <= len(raw) else 1  # "%XX" is one decoded byte
        count += 1
    if count == len(want) and unquote_to_bytes(raw[:i]) == want:
        return i
    return None


def normalize_root_path(scope: Scope) -> Scope:
    """Make ``root_path`` spec-shaped: no trailing ``/`` and a prefix of ``path``.

    Servers disagree: uvicorn's ``--root-path /api/`` keeps the slash, hypercorn
    and ``httpx.ASGITransport(root_path=...)`` give a root_path that ``path``
    does not include. Returns ``scope`` itself when nothing needs fixing (so it
    is cheap and idempotent), else a shallow copy.

    >>> normalize_root_path({"type": "http", "root_path": "/pre/", "path": "/x"})["path"]
    '/pre/x'
    """
    root: str = scope.get("root_path", "")
    if not root:
        return scope
    path: str = scope.get("path", "")
    stripped = root.rstrip("/")
    if stripped == root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return scope
    scope = dict(scope)
    scope["root_path"] = stripped
    if not (path.startswith(stripped) and (len(path) == len(stripped) or path[len(stripped)] == "/")):
        scope["path"] = stripped + path
        raw = scope.get("raw_path")
        if raw is not None:
            scope["raw_path"] = quote(stripped).encode("ascii") + raw
    return scope


def host_port(scope: Scope) -> tuple[str, str]:
    """Paste's host and port: Host header, else the server name; default port by scheme."""
    host: str | None = None
    for name, value in scope.get("headers", ()):
        if name.lower() == b"host":
            host = value.decode("latin-1")
            break
    if host is None:
        server = scope.get("server")
        host = str(server[0]) if server else ""
    host = host.lower()
    if ":" in host:
        host, port = host.split(":", 1)
        return host, port
    return host, "443" if scope.get("scheme") in _SECURE else "80"


