"""What every asgipaste server adapter shares: the thing to serve, listen addresses, option checks.

A server callable (what a ``[server:NAME]`` factory returns) is called with one of:

* a :class:`ServeTarget` (config file + app name + global_conf): the server can
  load it itself, and re-load it in each worker process;
* a :class:`~asgipaste.stack.LoadedStack`: already loaded (its ``wsgi`` tells a
  WSGI-capable server it may skip the ASGI crossing);
* a plain ASGI app.

>>> target = ServeTarget.parse("development.ini#api", cwd=Path("/srv"))
>>> target.uri, target.name
('config:/srv/development.ini', 'api')
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from asgipaste.converters import asint
from asgipaste.errors import ConfigValueError
from asgipaste.stack import LoadedStack
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "ENV_APP",
    "ENV_CONFIG",
    "ENV_LOGGING",
    "ENV_MAX_HEADERS",
    "ENV_MAX_HEADER_BYTES",
    "ENV_MAX_URL_LEN",
    "ENV_VARS",
    "Listen",
    "MaxURLLength",
    "RequestLimits",
    "Servable",
    "ServeTarget",
    "apply_overrides",
    "bind_socket",
    "limits_from_env",
    "option",
    "parse_listen",
    "parse_port",
    "plain_response",
]

#: Environment variables ``asgipaste.serve:app`` reads (and the CLI sets for worker processes).
ENV_CONFIG = "ASGIPASTE_CONFIG"
ENV_APP = "ASGIPASTE_APP"
ENV_VARS = "ASGIPASTE_VARS"  # JSON object: command-line ``var=value`` pairs (global_conf)
ENV_LOGGING = "ASGIPASTE_LOGGING"  # "1": apply the INI's [loggers] sections in each worker
ENV_MAX_URL_LEN = "ASGIPASTE_MAX_URL_LEN"  # a [server:] max_url_len, for uvicorn's worker processes
ENV_MAX_HEADERS = "ASGIPASTE_MAX_HEADERS"  # request headers allowed (default 100; 0: no limit)
ENV_MAX_HEADER_BYTES = "ASGIPASTE_MAX_HEADER_BYTES"  # bytes of request headers (default 64 KiB; 0: no limit)

T = TypeVar("T")


@dataclass(frozen=True)
class ServeTarget:
    """An app section of a config file, with the ``var=value`` pairs it is loaded with."""

    path: Path
    name: str = "main"
    global_conf: Mapping[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"config:{self.path}"

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        name: str | None = None,
        cwd: Path | None = None,
        global_conf: Mapping[str, str] | None = None,
    ) -> ServeTarget:
        """``file.ini``, ``file.ini#name`` or ``config:file.ini#name``, relative to ``cwd``.

        An explicit ``name`` wins over the ``#name`` fragment; neither gives ``main``.
        """
        spec = text.strip()
        if not spec:
            raise ConfigValueError("Empty configuration path", hint="give a path like development.ini#main")
        scheme, sep, rest = spec.partition(":")
        if sep and len(scheme) > 1 and not scheme.startswith(("/", ".")):
            # "C:" would be a Windows drive; anything else before ":" is a URI scheme.
            if scheme != "config":
                raise ConfigValueError(
                    f"Cannot serve {spec!r}: only config: URIs (INI files) can be served",
                    hint="give the path of an INI file, e.g. config:development.ini#main",
                )
            spec = rest
        path_text, _, fragment = spec.partition("#")
        path = Path(path_text).expanduser()
        if not path.is_absolute():
            path = (cwd or Path.cwd()) / path
        return cls(
            path=Path(os.path.normpath(path)),
            name=name or fragment.strip() or "main",
            global_conf=dict(global_conf or {}),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``asgipaste.serve:app`` load this target (in workers)."""
        env = {ENV_CONFIG: str(self.path), ENV_APP: self.name}
        if self.global_conf:
            env[ENV_VARS] = json.dumps(dict(self.global_conf))
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, default: Path) -> ServeTarget:
        """Read ``ASGIPASTE_CONFIG`` / ``ASGIPASTE_APP`` / ``ASGIPASTE_VARS``; ``default`` when unset."""
        raw_vars = environ.get(ENV_VARS, "").strip()
        global_conf: dict[str, str] = {}
        if raw_vars:
            try:
                loaded = json.loads(raw_vars)
            except ValueError as exc:
                raise ConfigValueError(f"{ENV_VARS} is not a JSON object: {exc}", key=ENV_VARS)
            if not isinstance(loaded, dict):
                raise ConfigValueError(f"{ENV_VARS} is not a JSON object", key=ENV_VARS)
            global_conf = {str(k): str(v) for k, v in loaded.items()}
        config = environ.get(ENV_CONFIG, "").strip()
        name = environ.get(ENV_APP, "").strip() or None
        if not config:
            return cls(path=default, name=name or "main", global_conf=global_conf)
        return cls.parse(config, name=name, global_conf=global_conf)

    def load(self) -> LoadedStack:
        """Load the stack (imports the loader lazily so ``check``-free paths stay cheap)."""
        from asgipaste import load_stack

        return load_stack(self.uri, name=self.name, global_conf=dict(self.global_conf) or None)


#: What a server callable accepts.
Servable = ServeTarget | LoadedStack | ASGIApp


@dataclass(frozen=True)
class Listen:
    """One address to bind: ``host`` is an IP or name (``::1`` for IPv6, no brackets)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_listen(text: str, *, default_port: int | None = None, key: str = "listen") -> list[Listen]:
    """Parse waitress-style ``listen``: space-separated ``host:port``, ``*:port``, ``[::1]:port``.

    >>> [str(x) for x in parse_listen("localhost:6543 *:80 [::1]:8080")]
    ['localhost:6543', '0.0.0.0:80', '[::1]:8080']
    """
    out: list[Listen] = []
    for item in text.split():
        host, port_text = item, ""
        if item.startswith("["):
            end = item.find("]")
            if end < 0:
                raise ConfigValueError(f"Bad address {item!r}: unclosed '['", key=key)
            host, rest = item[1:end], item[end + 1 :]
            port_text = rest[1:] if rest.startswith(":") else ""
        elif item.count(":") == 1:
            host, port_text = item.split(":")
        elif item.isdigit():
            host, port_text = "", item
        if host in ("", "*"):
            host = "0.0.0.0"
        if not port_text:
            if default_port is None:
                raise ConfigValueError(f"Address {item!r} has no port", key=key, hint="write host:port")
            port = default_port
        else:
            try:
                port = parse_port(port_text)
            except ValueError as exc:
                raise ConfigValueError(f"Bad address {item!r}: {exc}", key=key)
        out.append(Listen(host, port))
    if not out:
        raise ConfigValueError("No address given", key=key, hint="write host:port")
    return out


def parse_port(text: str) -> int:
    """A TCP port number 0-65535; anything else raises ``ValueError``."""
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a port number")
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range 0-65535")
    return port


def apply_overrides(server: object, **values: object) -> None:
    """Set each given (not ``None``) command-line override as an attribute of ``server``."""
    for name, value in values.items():
        if value is not None:
            setattr(server, name, value)


def bind_socket(listen: Listen, *, backlog: int = 2048) -> socket.socket:
    """Bind and listen like uvicorn does (``SO_REUSEADDR``, inheritable for worker processes)."""
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on such sockets.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((listen.host, listen.port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"Cannot listen on {listen}: {exc.strerror}") from None
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def option(
    options: dict[str, str],
    key: str,
    convert: Callable[[str], T],
    *,
    file: str | None = None,
    section: str | None = None,
) -> T | None:
    """Pop ``key`` from ``options`` and convert it; a bad value names the key."""
    if key not in options:
        return None
    raw = options.pop(key)
    try:
        return convert(raw)
    except ValueError as exc:
        raise ConfigValueError(f"Bad value for {key}: {exc}", file=file, section=section, key=key)


def positive_int(text: str) -> int:
    value = asint(text)
    if value < 1:
        raise ValueError(f"{text!r} must be at least 1")
    return value


def non_negative_int(text: str) -> int:
    value = asint(text)
    if value < 0:
        raise ValueError(f"{text!r} must not be negative")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number")
    if value < 0:
        raise ValueError(f"{text!r} must not be negative")
    return value


def choice(*allowed: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        word = text.strip().lower()
        if word not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return word

    return convert


#: Request-head limits applied by every asgipaste serving path (Apache's
#: LimitRequestFields is 100; httptools, uvicorn's default parser, has none).
DEFAULT_MAX_HEADERS = 100
DEFAULT_MAX_HEADER_BYTES = 64 * 1024


class RequestLimits:
    """Refuse oversize request heads before the app sees them.

    414 when the request target (path and query) is longer than ``max_url_len``
    bytes (nova's ``max_url_len``); 431 when there are more than ``max_headers``
    headers or their names and values add up to more than ``max_header_bytes``.
    ``None`` or ``0`` turns a limit off; non-HTTP scopes pass straight through.

    >>> RequestLimits(app=None, max_url_len=16384)  # doctest: +ELLIPSIS
    RequestLimits(None, max_url_len=16384, max_headers=100, max_header_bytes=65536)
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_url_len: int | None = None,
        max_headers: int | None = DEFAULT_MAX_HEADERS,
        max_header_bytes: int | None = DEFAULT_MAX_HEADER_BYTES,
    ) -> None:
        self.app = app
        self.max_url_len = max_url_len or None
        self.max_headers = max_headers or None
        self.max_header_bytes = max_header_bytes or None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.app!r}, max_url_len={self.max_url_len}, "
            f"max_headers={self.max_headers}, max_header_bytes={self.max_header_bytes})"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", ())
        if self.max_headers is not None and len(headers) > self.max_headers:
            await plain_response(send, 431, "Request header fields too large: too many headers")
            return
        if self.max_header_bytes is not None and sum(len(n) + len(v) for n, v in headers) > self.max_header_bytes:
            await plain_response(send, 431, "Request header fields too large")
            return
        if self.max_url_len is not None:
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
            query = scope.get("query_string", b"")
            if len(raw_path) + (len(query) + 1 if query else 0) > self.max_url_len:
                await plain_response(send, 414, "Request URI too long")
                return
        await self.app(scope, receive, send)


class MaxURLLength(RequestLimits):
    """Only the 414 of :class:`RequestLimits`: nova's ``max_url_len``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app, max_url_len=limit, max_headers=None, max_header_bytes=None)
        self.limit = limit

    def __repr__(self) -> str:
        return f"MaxURLLength({self.app!r}, limit={self.limit})"


def limits_from_env(app: ASGIApp) -> RequestLimits:
    """:class:`RequestLimits` from ``ASGIPASTE_MAX_URL_LEN``, ``_MAX_HEADERS``, ``_MAX_HEADER_BYTES``."""

    def read(name: str, default: int | None) -> int | None:
        text = os.environ.get(name, "").strip()
        return int(text) if text.isdigit() else default

    return RequestLimits(
        app,
        max_url_len=read(ENV_MAX_URL_LEN, None),
        max_headers=read(ENV_MAX_HEADERS, DEFAULT_MAX_HEADERS),
        max_header_bytes=read(ENV_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_BYTES),
    )


async def plain_response(send: Send, status: int, text: str) -> None:
    """Send a complete ``text/plain`` response."""
    body = (text + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def server_location(global_conf: Mapping[str, Any]) -> str | None:
    """The config file a server section came from (PasteDeploy passes ``__file__``)."""
    value = global_conf.get("__file__")
    return str(value) if value else None
