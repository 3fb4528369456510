"""Legacy ``[server:main]`` sections (waitress, Paste's httpserver, gunicorn) served by uvicorn.

An existing ``development.ini`` keeps working unchanged:

.. code-block:: ini

    [server:main]
    use = egg:waitress#main
    listen = localhost:6543

is served by uvicorn on ``localhost:6543``, with one notice line saying so and
naming the options uvicorn has no use for (``threads``, ``url_scheme``, ...).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from typing import Any

from asgipaste.converters import asbool
from asgipaste.errors import ConfigValueError
from asgipaste.middleware.proxy_headers import ProxyTrust
from asgipaste.servers.options import Listen, parse_listen, parse_port, positive_int, server_location
from asgipaste.servers.uvicorn import UvicornServer

__all__ = ["gunicorn_server_factory", "paste_http_server_factory", "waitress_server_factory"]

logger = logging.getLogger("asgipaste.servers")


def _port(value: str, file: str | None) -> int:
    try:
        return parse_port(value)
    except ValueError as exc:
        raise ConfigValueError(f"Bad value for port: {exc}", file=file, key="port")


def _host_port(
    options: dict[str, str], *, default_host: str, default_port: int, file: str | None
) -> list[Listen]:
    host = options.pop("host", None)
    port = options.pop("port", None)
    listen = options.pop("listen", None)
    if listen is not None:
        return parse_listen(listen, default_port=default_port)
    return [Listen((host or default_host).strip(), _port(port, file) if port is not None else default_port)]


#: Every option waitress 3 reads (``waitress.adjustments.Adjustments``): a key not
#: in this list is a typo waitress would have refused, so ``check`` warns.
WAITRESS_OPTIONS = frozenset({
    "host", "port", "ipv4", "ipv6", "listen", "threads", "trusted_proxy", "trusted_proxy_count",
    "trusted_proxy_headers", "log_untrusted_proxy_headers", "clear_untrusted_proxy_headers", "url_scheme",
    "url_prefix", "ident", "backlog", "recv_bytes", "send_bytes", "outbuf_overflow", "outbuf_high_watermark",
    "inbuf_overflow", "connection_limit", "cleanup_interval", "channel_timeout", "log_socket_errors",
    "max_request_header_size", "max_request_body_size", "expose_tracebacks", "unix_socket", "unix_socket_perms",
    "asyncore_loop_timeout", "asyncore_use_poll", "sockets", "channel_request_lookahead", "server_name",
})


def _legacy(
    server: UvicornServer,
    runner: str,
    global_conf: Mapping[str, Any],
    ignored: Mapping[str, str],
    known: frozenset[str] | None = None,
) -> UvicornServer:
    """Say at serve time (never at load or check time) what serves the section and what it ignores."""
    skipped = f"; ignored options: {', '.join(sorted(ignored))}" if ignored else ""
    server.notice = f"uses {runner}; serving it with uvicorn{skipped}"
    honoured_elsewhere = sorted(set(ignored) & known) if known is not None else sorted(ignored)
    if honoured_elsewhere:  # what `check` reports (and --strict fails on), as serving logs it
        text = f"{runner} is served by uvicorn, which ignores: {', '.join(honoured_elsewhere)}"
        server.warnings.append((text, honoured_elsewhere[0] if len(honoured_elsewhere) == 1 else None))
    if known is not None:
        for key in sorted(set(ignored) - known):
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            server.warnings.append((f"{runner} has no option {key!r}{hint}; it is ignored", key))
    return server


#: waitress's forwarded-header options, honoured exactly as waitress honours them.
_PROXY_OPTIONS = (
    "trusted_proxy",
    "trusted_proxy_count",
    "trusted_proxy_headers",
    "clear_untrusted_proxy_headers",
    "url_scheme",
)


def _proxy_trust(options: dict[str, str], file: str | None) -> ProxyTrust:
    """waitress's proxy rules from the section: without ``trusted_proxy``, no forwarded header is believed."""
    given = {key: options.pop(key) for key in _PROXY_OPTIONS if key in options}
    options.pop("log_untrusted_proxy_headers", None)  # logging detail: nothing to honour
    try:
        clear = asbool(given.get("clear_untrusted_proxy_headers", "true"))
    except ValueError as exc:
        raise ConfigValueError(f"Bad value for clear_untrusted_proxy_headers: {exc}", file=file,
                               key="clear_untrusted_proxy_headers") from None
    try:
        return ProxyTrust.from_options(
            trusted_proxy=given.get("trusted_proxy"),
            trusted_proxy_count=given.get("trusted_proxy_count"),
            trusted_proxy_headers=given.get("trusted_proxy_headers"),
            clear_untrusted_proxy_headers=clear,
            url_scheme=given.get("url_scheme"),
        )
    except ConfigValueError as exc:
        exc.file = exc.file or file
        raise


def waitress_server_factory(global_conf: Mapping[str, Any], **local_conf: str) -> UvicornServer:
    """``egg:waitress#main``: ``host``/``port`` or ``listen = localhost:6543 [::1]:6543``.

    waitress's ``trusted_proxy``, ``trusted_proxy_count``, ``trusted_proxy_headers``,
    ``clear_untrusted_proxy_headers`` and ``url_scheme`` keep their meaning
    (:mod:`asgipaste.middleware.proxy_headers`); without ``trusted_proxy`` no
    forwarded header is trusted and they are removed, as waitress does.

    >>> server = waitress_server_factory({}, listen="localhost:6543 *:6544", threads="4")
    >>> server, server.proxy.trusted_proxy, server.config["proxy_headers"]
    (UvicornServer(listen=['localhost:6543', '0.0.0.0:6544'], workers=1, reload=False), None, False)
    """
    file = server_location(global_conf)
    options = dict(local_conf)
    listens = _host_port(options, default_host="0.0.0.0", default_port=8080, file=file)
    proxy = _proxy_trust(options, file)
    server = UvicornServer(listens=listens, proxy=proxy)
    _waitress_request_options(server, options, file)
    return _legacy(server, "egg:waitress#main", global_conf, options, WAITRESS_OPTIONS)


def _waitress_request_options(server: UvicornServer, options: dict[str, str], file: str | None) -> None:
    """waitress's options that shape what the app is given: kept, not dropped with the ignored ones.

    ``url_prefix`` (SCRIPT_NAME for every request), ``max_request_header_size``
    (431 above it, waitress's 256 KiB by default, counting what asgipaste's
    limit counts), ``max_request_body_size`` (413 above it; waitress's default
    of 1 GiB is left to the server) and ``ident`` (the ``Server`` header).
    """
    prefix = options.pop("url_prefix", "").strip()
    if prefix:  # waitress's slash_fixed_str
        server.url_prefix = "/" + prefix.strip("/") if prefix.strip("/") else None
    for key, attribute in (("max_request_header_size", "max_header_bytes"), ("max_request_body_size",
                                                                               "max_body_bytes")):
        if key in options:
            raw = options.pop(key)
            try:
                setattr(server, attribute, positive_int(raw))
            except ValueError:
                raise ConfigValueError(
                    f"Bad value for {key}: {raw!r} (need a whole number of bytes >= 1)", file=file, key=key
                ) from None
    ident = options.pop("ident", None)
    if ident is not None:
        # uvicorn's own "server: uvicorn" off; an empty ident sends none, as waitress does
        server.config["server_header"] = False
        if ident.strip():
            server.config["headers"] = [("server", ident.strip())]


def paste_http_server_factory(global_conf: Mapping[str, Any], **local_conf: str) -> UvicornServer:
    """``egg:Paste#http``: ``host`` (default 127.0.0.1) and ``port`` (default 8080).

    >>> paste_http_server_factory({}, host="0.0.0.0", port="5000")
    UvicornServer(listen=['0.0.0.0:5000'], workers=1, reload=False)
    """
    file = server_location(global_conf)
    options = dict(local_conf)
    listens = _host_port(options, default_host="127.0.0.1", default_port=8080, file=file)
    return _legacy(UvicornServer(listens=listens), "egg:Paste#http", global_conf, options)


def gunicorn_server_factory(global_conf: Mapping[str, Any], **local_conf: str) -> UvicornServer:
    """``egg:gunicorn#main``: ``host``/``port`` or ``bind`` (space or comma separated), ``workers``.

    >>> gunicorn_server_factory({}, bind="127.0.0.1:8001", workers="3")
    UvicornServer(listen=['127.0.0.1:8001'], workers=3, reload=False)
    """
    file = server_location(global_conf)
    options = dict(local_conf)
    bind = options.pop("bind", None)
    if bind is not None:
        listens = parse_listen(bind.replace(",", " "), default_port=8000, key="bind")
        for key in ("host", "port"):
            options.pop(key, None)
    else:
        listens = _host_port(options, default_host="127.0.0.1", default_port=8000, file=file)
    workers = 1
    if "workers" in options:
        raw = options.pop("workers")
        try:
            workers = positive_int(raw)
        except ValueError:
            raise ConfigValueError(
                f"Bad value for workers: {raw!r} (need an integer >= 1)", file=file, key="workers"
            )
    return _legacy(UvicornServer(listens=listens, workers=workers), "egg:gunicorn#main", global_conf, options)
