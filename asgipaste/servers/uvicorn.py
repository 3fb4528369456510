"""``[server:main] use = egg:asgipaste#uvicorn``: uvicorn, configured from INI strings.

.. code-block:: ini

    [server:main]
    use = egg:asgipaste#uvicorn
    host = 127.0.0.1
    port = 8000
    workers = 2
    timeout_graceful_shutdown = 30

Every option is a string in the INI; each is converted and checked here, and a
bad value raises :class:`~asgipaste.errors.ConfigValueError` naming the key.
One process serves the loaded app object directly; ``workers > 1`` and
``reload`` hand uvicorn the import string ``asgipaste.serve:app`` and pass the
config file to each worker through the environment.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from asgipaste.converters import asbool, asint
from asgipaste.errors import ConfigValueError
from asgipaste.middleware.limits import DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS
from asgipaste.middleware.proxy_headers import ProxyTrust
from asgipaste.servers.binding import bind_socket
from asgipaste.servers.options import (
    Listen,
    apply_overrides,
    choice,
    non_negative_float,
    non_negative_int,
    option,
    parse_listen,
    parse_port,
    positive_int,
    server_location,
    unknown_option_error,
)
from asgipaste.servers.policy import ServePolicy, serving_app
from asgipaste.servers.target import ENV_LOGGING, ServeTarget
from asgipaste.stack import LoadedStack
from asgipaste.types import ASGIApp

__all__ = ["UvicornServer", "server_factory"]

logger = logging.getLogger("asgipaste.servers")

#: uvicorn's exit code for a failed startup; its multiprocess supervisor stops on it.
STARTUP_FAILURE = 3

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")

# INI key -> converter; the key is also uvicorn.Config's keyword.
_CONFIG_OPTIONS: dict[str, Callable[[str], Any]] = {
    "lifespan": choice("on", "auto", "off"),
    "proxy_headers": asbool,
    "forwarded_allow_ips": str,
    "root_path": str,
    "timeout_keep_alive": asint,
    "timeout_graceful_shutdown": asint,
    "limit_concurrency": positive_int,
    "limit_max_requests": positive_int,
    "backlog": positive_int,
    "http": choice("auto", "h11", "httptools"),
    "loop": choice("auto", "asyncio", "uvloop"),
    "ws": choice("auto", "none", "websockets", "websockets-sansio", "wsproto"),
    "ws_max_size": positive_int,
    "access_log": asbool,
    "server_header": asbool,
    "date_header": asbool,
    "h11_max_incomplete_event_size": positive_int,
    "reload_delay": non_negative_float,
    # TLS: uvicorn's own options, under their uvicorn names.
    "ssl_certfile": str,
    "ssl_keyfile": str,
    "ssl_keyfile_password": str,
    "ssl_ca_certs": str,
}


class UvicornServer:
    """A configured uvicorn: call it with what to serve (see :mod:`asgipaste.servers`).

    >>> server = UvicornServer(listens=[Listen("127.0.0.1", 8000)])
    >>> server.configure(port=9000, workers=2)
    >>> server
    UvicornServer(listen=['127.0.0.1:9000'], workers=2, reload=False)
    """

    name = "uvicorn"

    def __init__(
        self,
        *,
        listens: list[Listen] | None = None,
        workers: int = 1,
        reload: bool = False,
        log_level: str | None = None,
        max_url_len: int | None = None,
        max_headers: int | None = DEFAULT_MAX_HEADERS,
        max_header_bytes: int | None = DEFAULT_MAX_HEADER_BYTES,
        config: Mapping[str, Any] | None = None,
        proxy: ProxyTrust | None = None,
    ) -> None:
        self.listens = list(listens or [Listen("127.0.0.1", 8000)])
        self.workers = workers
        self.reload = reload
        self.log_level = log_level
        self.max_url_len = max_url_len
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self.config: dict[str, Any] = {"lifespan": "on", **(config or {})}
        if "forwarded_allow_ips" not in self.config and "proxy_headers" not in self.config:
            # uvicorn believes X-Forwarded-* from 127.0.0.1 by default; a section
            # names the proxies it trusts (forwarded_allow_ips), else none is.
            self.config["proxy_headers"] = False
        self.proxy = proxy  # a migrated waitress section's trusted_proxy rules
        self.url_prefix: str | None = None  # a migrated waitress section's url_prefix
        self.max_body_bytes: int | None = None  # a migrated waitress section's max_request_body_size
        self.ini_logging = False  # set when the INI's [loggers] configured logging
        self.notice: str | None = None  # a migrated section: what serves it, logged when serving starts
        self.section: str | None = None  # set by the loader: the [server:NAME] this came from
        #: for `asgipaste check`: (text, the option it is about, if one) for options ignored
        self.warnings: list[tuple[str, str | None]] = []

    def __repr__(self) -> str:
        listen = [str(item) for item in self.listens]
        return f"UvicornServer(listen={listen!r}, workers={self.workers}, reload={self.reload})"

    @property
    def policy(self) -> ServePolicy:
        """Limits, proxy trust and process model for what this server serves."""
        return ServePolicy(
            max_url_len=self.max_url_len,
            max_headers=self.max_headers,
            max_header_bytes=self.max_header_bytes,
            proxy=self.proxy,
            url_prefix=self.url_prefix,
            max_body_bytes=self.max_body_bytes,
            workers=self.workers,
            freeze_gc=True,
        )

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
        """Apply command-line overrides (``--host``, ``--port``, ...) over the INI's options."""
        if host is not None or port is not None:
            first = self.listens[0]
            self.listens = [
                Listen(host if host is not None else first.host, port if port is not None else first.port)
            ]
        apply_overrides(self, workers=workers, reload=reload, log_level=log_level, ini_logging=ini_logging)

    def _uvicorn_config(self, app: ASGIApp | str, **extra: Any) -> Any:
        import uvicorn

        kwargs: dict[str, Any] = {**self.config, **extra}
        if self.log_level:
            kwargs["log_level"] = self.log_level
        if self.ini_logging:
            kwargs["log_config"] = None  # the INI's [loggers] already configured logging
        return uvicorn.Config(app, host=self.listens[0].host, port=self.listens[0].port, **kwargs)

    def __call__(self, target: ServeTarget | LoadedStack | ASGIApp) -> None:
        """Serve until a signal stops it; a failed startup raises ``SystemExit(3)``."""
        import uvicorn

        if self.notice:
            logger.warning("asgipaste: [%s] %s", self.section or "server", self.notice)
        if isinstance(target, ServeTarget):
            # A config file is served by a supervisor and its workers (one or more):
            # SIGHUP validates the file and rolls the workers, --reload swaps only
            # after the edit loads, and a worker that dies is replaced.
            self._serve_import_string(target)
            return
        if self.workers > 1 or self.reload:
            raise ConfigValueError(
                "uvicorn needs a config file, not an app object, to run workers > 1 or reload",
                hint="serve it with `asgipaste serve FILE.ini` or `uvicorn asgipaste.serve:app`",
            )
        app: ASGIApp
        stack: LoadedStack | None = None
        if isinstance(target, ServeTarget):
            stack = target.load()
        elif isinstance(target, LoadedStack):
            stack = target
        app = stack.asgi if stack is not None else target  # type: ignore[assignment]
        app = serving_app(app, self.policy)
        config = self._uvicorn_config(app, interface="asgi3")
        sockets = [bind_socket(item, backlog=config.backlog) for item in self.listens]
        server = uvicorn.Server(config)
        try:
            _log_listening(self.listens, 1, tls="ssl_certfile" in self.config, stack=stack)
            server.run(sockets=sockets)
        finally:
            for sock in sockets:
                sock.close()
        if not server.started:
            raise SystemExit(STARTUP_FAILURE)

    def _serve_import_string(self, target: ServeTarget) -> None:
        from uvicorn.supervisors import ChangeReload, Multiprocess

        # Each worker (and each reload) imports asgipaste.serve:app, which reads these.
        os.environ.update(target.to_env())
        os.environ.update(self.policy.to_env())
        if self.ini_logging:
            os.environ[ENV_LOGGING] = "1"
        extra: dict[str, Any] = {"workers": self.workers, "reload": self.reload}
        if self.reload:
            # Watch the code (cwd) and the INI's directory; *.ini needs watchfiles.
            extra["reload_dirs"] = sorted({str(Path.cwd()), str(target.path.parent)})
            extra["reload_includes"] = ["*.py", "*.ini"]
        config = self._uvicorn_config("asgipaste.serve:app", **extra)
        sockets = [bind_socket(item, backlog=config.backlog) for item in self.listens]
        _log_listening(self.listens, self.workers, tls="ssl_certfile" in self.config)
        validate = _validator(target)
        try:
            if self.reload:
                import uvicorn

                if self.log_level not in ("debug", "trace") and not _logger_configured("watchfiles"):
                    # watchfiles logs every file written under the watched directories
                    # (a log file there: a line every few hundred ms, forever).
                    logging.getLogger("watchfiles").setLevel(logging.WARNING)
                reloader = _reloads_on_hup(_primed(_validating(ChangeReload, "restart", validate)))
                reloader(config, target=uvicorn.Server(config).run, sockets=sockets).run()
            else:
                supervisor = _validating(Multiprocess, "restart_all", validate)(config, sockets=sockets)
                supervisor.run()
                if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes):
                    raise SystemExit(STARTUP_FAILURE)  # a worker could not start: the config, most likely
        finally:
            for sock in sockets:
                sock.close()


def _validator(target: ServeTarget) -> Callable[[], bool]:
    """Load the target in a throwaway process; log the located error and say no when it does not load."""

    def validate() -> bool:
        from asgipaste.servers.validate import validate_apps

        problems = validate_apps(target.path, [target.name], target.global_conf)
        for problem in problems:
            logger.error("asgipaste: the edited configuration does not load; still serving the last good one: %s",
                         problem)
        return not problems

    return validate


def _validating(base: type[Any], method: str, validate: Callable[[], bool]) -> type[Any]:
    """``base`` (uvicorn's reloader or multiprocess supervisor) whose ``method`` swaps only after ``validate``."""

    def swap(self: Any) -> None:
        if validate():
            getattr(base, method)(self)

    return type(f"Validating{base.__name__}", (base,), {method: swap})


def _primed(base: type[Any]) -> type[Any]:
    """uvicorn's watchfiles reloader, watching before the first server process starts.

    uvicorn starts watching only after it has started the server, so an edit
    made as soon as the server answers could be missed; this one sets up its
    watcher first (and then checks for changes every half second).
    """

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        if getattr(self, "reload_dirs", None) and hasattr(self, "watcher"):
            from watchfiles import watch

            self.watcher = watch(
                *self.reload_dirs,
                watch_filter=None,
                stop_event=self.should_exit,
                yield_on_timeout=True,
                ignore_permission_denied=True,
                rust_timeout=500,
            )
            next(self.watcher)  # the watch starts here, before startup() runs the server

    return type(f"Primed{base.__name__}", (base,), {"__init__": __init__})


def _reloads_on_hup(base: type[Any]) -> type[Any]:
    """uvicorn's reloader, also restarting (validated) on SIGHUP, as the launcher and workers > 1 do.

    uvicorn's reloader leaves SIGHUP at its default: the supervisor died and its
    worker, orphaned, went on serving the port. Here the signal sets a flag that
    the watch loop (woken every half second) turns into the same validated restart
    as an edit.
    """

    def startup(self: Any) -> None:
        self.hup = False

        def on_hup(signum: int, frame: Any) -> None:
            self.hup = True

        signal.signal(signal.SIGHUP, on_hup)  # before the worker starts: no window for the default
        base.startup(self)

    def __next__(self: Any) -> Any:
        changes = base.__next__(self)
        if self.hup:
            self.hup = False
            logger.info("asgipaste: SIGHUP: reloading the configuration")
            self.restart()  # validated first (_validating); one restart for the signal and any edit
            return None  # so run() neither restarts again nor logs "detected changes"
        return changes

    return type(f"HUP{base.__name__}", (base,), {"startup": startup, "__next__": __next__})


def _logger_configured(name: str) -> bool:
    found = logging.Logger.manager.loggerDict.get(name)
    return isinstance(found, logging.Logger) and (found.level != logging.NOTSET or bool(found.handlers))


def _log_listening(
    listens: list[Listen], workers: int, *, tls: bool = False, stack: LoadedStack | None = None
) -> None:
    """The startup banner: what is served (when loaded here), by which server, where, with how many workers."""
    scheme = "https" if tls else "http"
    where = ", ".join(f"{scheme}://{item}" for item in listens)
    served = f"{stack.describe()}; " if stack is not None else ""
    plural = "" if workers == 1 else "s"
    logger.info("asgipaste: %suvicorn on %s (%d worker%s)", served, where, workers, plural)


def build_server(
    local_conf: Mapping[str, str],
    *,
    file: str | None,
    default_host: str = "127.0.0.1",
    default_port: int = 8000,
) -> UvicornServer:
    """Convert and check every option of a uvicorn server section."""
    options = {key: str(value) for key, value in local_conf.items()}
    host = options.pop("host", None)
    port = option(options, "port", parse_port, file=file)
    listen = options.pop("listen", None)
    if listen is not None:
        if host is not None or port is not None:
            raise ConfigValueError("Give either listen or host/port, not both", file=file, key="listen")
        listens = parse_listen(listen, default_port=default_port)
    else:
        listens = [Listen(host.strip() if host else default_host, default_port if port is None else port)]
    workers = option(options, "workers", positive_int, file=file) or 1
    reload = option(options, "reload", asbool, file=file) or False
    log_level = option(options, "log_level", choice(*_LOG_LEVELS), file=file)
    max_url_len = option(options, "max_url_len", positive_int, file=file)
    max_headers = option(options, "max_header_count", non_negative_int, file=file)
    max_header_bytes = option(options, "max_header_bytes", non_negative_int, file=file)
    config: dict[str, Any] = {}
    for key, convert in _CONFIG_OPTIONS.items():
        value = option(options, key, convert, file=file)
        if value is not None:
            config[key] = value
    if ("ssl_certfile" in config) != ("ssl_keyfile" in config):
        missing = "ssl_keyfile" if "ssl_certfile" in config else "ssl_certfile"
        raise ConfigValueError(
            f"TLS needs both ssl_certfile and ssl_keyfile; {missing} is missing", file=file, key=missing
        )
    if options:
        names = sorted([
            "host", "port", "listen", "workers", "reload", "log_level", "max_url_len",
            "max_header_count", "max_header_bytes", *_CONFIG_OPTIONS,
        ])
        raise unknown_option_error("uvicorn", sorted(options), names, file=file)
    return UvicornServer(
        listens=listens,
        workers=workers,
        reload=reload,
        log_level=log_level,
        max_url_len=max_url_len,
        max_headers=DEFAULT_MAX_HEADERS if max_headers is None else max_headers,
        max_header_bytes=DEFAULT_MAX_HEADER_BYTES if max_header_bytes is None else max_header_bytes,
        config=config,
    )


def server_factory(global_conf: Mapping[str, Any], **local_conf: str) -> UvicornServer:
    """``egg:asgipaste#uvicorn``: a :class:`UvicornServer` from a ``[server:NAME]`` section.

    >>> server_factory({}, host="127.0.0.1", port="8080", workers="2")
    UvicornServer(listen=['127.0.0.1:8080'], workers=2, reload=False)
    """
    return build_server(local_conf, file=server_location(global_conf))


def paste_server_runner(app: Any, global_conf: Mapping[str, Any], **local_conf: str) -> None:
    """``egg:asgipaste#uvicorn`` for PasteDeploy's ``loadserver`` (``pserve`` keeps serving migrated files).

    PasteDeploy hands over the app it loaded (WSGI, from ``paste.*`` factories):
    it is served through one adapter, with the section's options.
    """
    from asgipaste.interop.detect import app_protocol
    from asgipaste.interop.wsgi import WSGIAdapter

    server = build_server(local_conf, file=server_location(global_conf))
    server(app if app_protocol(app) == "asgi" else WSGIAdapter(app))
