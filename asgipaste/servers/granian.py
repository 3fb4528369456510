"""``[server:main] use = egg:asgipaste#granian``: granian, WSGI-direct when the tree allows.

.. code-block:: ini

    [server:main]
    use = egg:asgipaste#granian
    host = 127.0.0.1
    port = 8000
    workers = 2
    blocking_threads = 64

When the loaded tree is WSGI all the way down (``stack.wsgi is not None``),
it is served on granian's WSGI interface directly, with no ASGI crossing:
granian's WSGI interface runs an unchanged PasteDeploy stack faster than
uvicorn runs a raw ASGI callable. Any other tree runs on granian's ASGI
interface (with lifespan). The startup log says which path was taken;
``interface = asgi`` forces ASGI. granian is an optional extra:
``pip install 'asgipaste[granian]'``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from asgipaste.converters import asbool
from asgipaste.errors import ConfigError, ConfigValueError
from asgipaste.middleware.limits import DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS
from asgipaste.servers.granian_limits import native_head_limits
from asgipaste.servers.options import (
    Listen,
    apply_overrides,
    choice,
    non_negative_float,
    non_negative_int,
    option,
    parse_port,
    positive_int,
    server_location,
    unknown_option_error,
)
from asgipaste.servers.policy import ServePolicy
from asgipaste.servers.target import ENV_LOGGING, ServeTarget
from asgipaste.stack import LoadedStack
from asgipaste.types import ASGIApp

__all__ = ["GranianServer", "server_factory"]

logger = logging.getLogger("asgipaste.servers")

_OPTIONS: dict[str, Callable[[str], Any]] = {
    "blocking_threads": positive_int,
    "runtime_threads": positive_int,
    "backpressure": positive_int,
    "backlog": positive_int,
    "http": choice("auto", "1", "2"),
    "loop": choice("auto", "asyncio", "uvloop", "rloop"),
    "log_access": asbool,
    "url_path_prefix": str,
    "respawn_failed_workers": asbool,
    "workers_kill_timeout": positive_int,
    # Slow clients: seconds a client may take to send its request head (granian's default: 30).
    "header_read_timeout": non_negative_float,
    # TLS (granian's names; ssl_certfile/ssl_keyfile/ssl_ca_certs are accepted as uvicorn spells them)
    "ssl_cert": str,
    "ssl_key": str,
    "ssl_key_password": str,
    "ssl_ca": str,
}

#: uvicorn's TLS option names, so one server section can switch servers unchanged.
_TLS_ALIASES = {"ssl_certfile": "ssl_cert", "ssl_keyfile": "ssl_key", "ssl_keyfile_password": "ssl_key_password",
                "ssl_ca_certs": "ssl_ca"}


def _import_granian() -> Any:
    try:
        import granian
    except ImportError:
        raise ConfigError(
            "granian is not installed",
            hint="install the extra: pip install 'asgipaste[granian]'",
        ) from None
    return granian


class GranianServer:
    """A configured granian; call it with what to serve (see :mod:`asgipaste.servers`).

    >>> GranianServer(listen=Listen("127.0.0.1", 8000), workers=2)
    GranianServer(listen='127.0.0.1:8000', workers=2, interface='auto')
    """

    name = "granian"

    def __init__(
        self,
        *,
        listen: Listen | None = None,
        workers: int = 1,
        interface: str = "auto",
        log_level: str | None = None,
        options: Mapping[str, Any] | None = None,
        max_url_len: int | None = None,
        max_headers: int | None = DEFAULT_MAX_HEADERS,
        max_header_bytes: int | None = DEFAULT_MAX_HEADER_BYTES,
    ) -> None:
        self.listen = listen or Listen("127.0.0.1", 8000)
        self.max_url_len = max_url_len
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self.workers = workers
        self.interface = interface
        self.log_level = log_level
        self.options = dict(options or {})
        self.reload = False
        self.ini_logging = False

    def __repr__(self) -> str:
        listen = str(self.listen)
        return f"GranianServer(listen={listen!r}, workers={self.workers}, interface={self.interface!r})"

    def configure(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        workers: int | None = None,
        reload: bool | None = None,
        log_level: str | None = None,
        ini_logging: bool | None = None,
    ) -> None:
        """Apply command-line overrides over the INI's options."""
        self.listen = Listen(host or self.listen.host, self.listen.port if port is None else port)
        apply_overrides(self, workers=workers, reload=reload, log_level=log_level, ini_logging=ini_logging)

    @property
    def policy(self) -> ServePolicy:
        """The same limits as every serving path (on the WSGI interface too), and the worker count."""
        return ServePolicy(
            max_url_len=self.max_url_len,
            max_headers=self.max_headers,
            max_header_bytes=self.max_header_bytes,
            workers=self.workers,
            freeze_gc=True,
        )

    def choose(self, stack: LoadedStack) -> str:
        """The interface: ``auto`` picks WSGI for a tree WSGI all the way down, else ASGI.

        ``interface = wsgi`` serves a mixed tree on the WSGI interface too, in
        its WSGI form (:func:`asgipaste.urlmap.wsgi.wsgi_form`): the WSGI
        branches at granian's WSGI speed, the ASGI ones bridged to a loop.
        """
        if self.interface == "asgi":
            return "asgi"
        if stack.wsgi is not None or self.interface == "wsgi":
            return "wsgi"
        return "asgi"

    def __call__(self, target: ServeTarget | LoadedStack | ASGIApp) -> None:
        """Serve until a signal stops it."""
        if self.reload:
            raise ConfigValueError(
                "--reload is served by uvicorn here, not granian",
                hint="drop --server (or use a uvicorn [server:] section) while developing",
            )
        granian = _import_granian()
        from granian.constants import HTTPModes, Interfaces, Loops
        from granian.log import LogLevels

        from asgipaste.servers import _granian_target

        if isinstance(target, ServeTarget):
            stack = target.load()  # in the parent: validates, and decides the interface
            os.environ.update(target.to_env())
            if self.ini_logging:
                os.environ[ENV_LOGGING] = "1"
        elif isinstance(target, LoadedStack):
            stack = target
        else:
            stack = LoadedStack(asgi=target, wsgi=None, graph=_app_node(target), name=repr(target))
        interface = self.choose(stack)
        os.environ.update(self.policy.to_env())  # read by _granian_target in each worker
        if not isinstance(target, ServeTarget) and multiprocessing.get_start_method() != "fork":
            raise ConfigValueError(
                "granian can serve an app object only when worker processes are forked",
                hint="serve a config file instead (asgipaste serve FILE.ini)",
            )
        # A config file is loaded again in each worker (as uvicorn's workers do); an
        # object can only reach granian's workers by being inherited through fork.
        _granian_target.PRELOADED = None if isinstance(target, ServeTarget) else stack
        scheme = "https" if "ssl_cert" in self.options else "http"
        if interface == "wsgi":
            logger.info(
                "asgipaste: serving %s; granian's WSGI interface on %s://%s (%d worker%s)",
                stack.describe(wsgi_interface=True), scheme, self.listen, self.workers,
                "" if self.workers == 1 else "s",
            )
        else:
            logger.info(
                "asgipaste: serving %s; granian's ASGI interface on %s://%s (%d worker%s)",
                stack.describe(), scheme, self.listen, self.workers, "" if self.workers == 1 else "s",
            )
        options = dict(self.options)
        if "http" in options:
            options["http"] = HTTPModes(options["http"])
        if "loop" in options:
            options["loop"] = Loops(options["loop"])
        http1: dict[str, Any] = {}
        if "header_read_timeout" in options:
            http1["header_read_timeout"] = int(options.pop("header_read_timeout") * 1000)
        buffer, _ = native_head_limits(self.policy)
        if interface == "wsgi" and buffer is not None:
            http1["max_buffer_size"] = buffer  # the header-bytes limit, enforced by granian
        if http1:
            from granian.http import HTTP1Settings

            options["http1_settings"] = HTTP1Settings(**http1)
        for key in ("ssl_cert", "ssl_key", "ssl_ca"):
            if key in options:
                options[key] = Path(options[key])
        if self.log_level:
            level = "info" if self.log_level == "trace" else self.log_level
            options["log_level"] = LogLevels(level)
        server = granian.Granian(
            f"asgipaste.servers._granian_target:{interface}",
            address=self.listen.host,
            port=self.listen.port,
            interface=Interfaces.WSGI if interface == "wsgi" else Interfaces.ASGI,
            workers=self.workers,
            factory=True,
            **options,
        )
        server.serve()


def _app_node(app: ASGIApp) -> Any:
    from asgipaste.stack import StackNode

    return StackNode(kind="app", name=repr(app), protocol="asgi")


def server_factory(global_conf: Mapping[str, Any], **local_conf: str) -> GranianServer:
    """``egg:asgipaste#granian``: a :class:`GranianServer` from a ``[server:NAME]`` section.

    >>> server_factory({}, port="9000", workers="2", blocking_threads="32")
    GranianServer(listen='127.0.0.1:9000', workers=2, interface='auto')
    """
    file = server_location(global_conf)
    options = {key: str(value) for key, value in local_conf.items()}
    for alias, name in _TLS_ALIASES.items():
        if alias in options:
            if name in options:
                raise ConfigValueError(f"Give {name} or {alias}, not both", file=file, key=alias)
            options[name] = options.pop(alias)
    host = options.pop("host", "127.0.0.1").strip()
    port = option(options, "port", parse_port, file=file)
    workers = option(options, "workers", positive_int, file=file) or 1
    interface = option(options, "interface", choice("auto", "asgi", "wsgi"), file=file) or "auto"
    max_url_len = option(options, "max_url_len", positive_int, file=file)
    max_headers = option(options, "max_header_count", non_negative_int, file=file)
    max_header_bytes = option(options, "max_header_bytes", non_negative_int, file=file)
    log_level = option(
        options, "log_level", choice("critical", "error", "warning", "info", "debug"), file=file
    )
    extra: dict[str, Any] = {}
    for key, convert in _OPTIONS.items():
        value = option(options, key, convert, file=file)
        if value is not None:
            extra[key] = value
    if ("ssl_cert" in extra) != ("ssl_key" in extra):
        missing = "ssl_key" if "ssl_cert" in extra else "ssl_cert"
        raise ConfigValueError(f"TLS needs both ssl_cert and ssl_key; {missing} is missing", file=file, key=missing)
    if options:
        names = sorted([
            "host", "port", "workers", "interface", "log_level", "max_url_len", "max_header_count",
            "max_header_bytes", *_OPTIONS, *_TLS_ALIASES,
        ])
        raise unknown_option_error("granian", sorted(options), names, file=file)
    return GranianServer(
        listen=Listen(host, 8000 if port is None else port),
        workers=workers,
        interface=interface,
        log_level=log_level,
        options=extra,
        max_url_len=max_url_len,
        max_headers=DEFAULT_MAX_HEADERS if max_headers is None else max_headers,
        max_header_bytes=DEFAULT_MAX_HEADER_BYTES if max_header_bytes is None else max_header_bytes,
    )


def paste_server_runner(app: Any, global_conf: Mapping[str, Any], **local_conf: str) -> None:
    """``egg:asgipaste#granian`` for PasteDeploy's ``loadserver``: a WSGI app goes on granian's WSGI interface."""
    from asgipaste.interop.detect import app_protocol
    from asgipaste.interop.wsgi import WSGIAdapter
    from asgipaste.stack import LoadedStack

    server = server_factory(global_conf, **local_conf)
    if app_protocol(app) == "asgi":
        server(app)
    else:
        server(LoadedStack(asgi=WSGIAdapter(app), wsgi=app, graph=_app_node(app), name=repr(app)))
