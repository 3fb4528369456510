"""Forwarded headers trusted exactly as waitress trusts them: from a named proxy, or not at all.

A migrated ``[server:main] use = egg:waitress#main`` section keeps its meaning
(waitress's ``trusted_proxy``, ``trusted_proxy_count``, ``trusted_proxy_headers``,
``clear_untrusted_proxy_headers`` and ``url_scheme``): without ``trusted_proxy``
no ``X-Forwarded-*`` or ``Forwarded`` header is believed, and (by default) they
are removed before the app sees them, so an app cannot be fooled into building
``https://`` URLs or logging a spoofed client address.

This is waitress's ``proxy_headers_middleware`` (``waitress/proxy_headers.py``)
in ASGI terms: ``REMOTE_ADDR`` is ``scope["client"]``, ``wsgi.url_scheme`` is
``scope["scheme"]``, ``HTTP_HOST`` the ``host`` header, ``SERVER_NAME`` and
``SERVER_PORT`` are ``scope["server"]``.

>>> ProxyHeadersMiddleware(app=None, trusted_proxy="10.0.0.1", trusted_proxy_headers="x-forwarded-proto")
ProxyHeadersMiddleware(trusted_proxy='10.0.0.1', headers=['x-forwarded-proto'], count=1, clear_untrusted=True)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from asgipaste.errors import ConfigValueError
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = ["KNOWN_PROXY_HEADERS", "MalformedProxyHeader", "ProxyHeadersMiddleware", "ProxyTrust"]

logger = logging.getLogger("asgipaste.proxy_headers")

#: The header names ``trusted_proxy_headers`` may list (waitress's set).
KNOWN_PROXY_HEADERS = frozenset(
    {"x-forwarded-proto", "x-forwarded-host", "x-forwarded-for", "x-forwarded-port", "x-forwarded-by", "forwarded"}
)
_PROXY_HEADERS = frozenset(name.encode() for name in KNOWN_PROXY_HEADERS)


class MalformedProxyHeader(Exception):
    def __init__(self, header: str, reason: str, value: str) -> None:
        super().__init__(header, reason, value)
        self.header, self.reason, self.value = header, reason, value


@dataclass(frozen=True)
class ProxyTrust:
    """Which proxy is trusted for which headers; the default trusts nobody.

    >>> trust = ProxyTrust.from_options(trusted_proxy="10.0.0.1")
    >>> sorted(trust.headers)  # waitress trusts only the scheme when no header is named
    ['x-forwarded-proto']
    """

    trusted_proxy: str | None = None
    count: int = 1
    headers: frozenset[str] = frozenset()
    clear_untrusted: bool = True
    url_scheme: str | None = None

    @classmethod
    def from_options(
        cls,
        *,
        trusted_proxy: str | None = None,
        trusted_proxy_count: int | str | None = None,
        trusted_proxy_headers: str | Iterable[str] | None = None,
        clear_untrusted_proxy_headers: bool = True,
        url_scheme: str | None = None,
    ) -> ProxyTrust:
        """Check the options as waitress's ``Adjustments`` does, with located errors."""
        proxy = (trusted_proxy or "").strip() or None
        if isinstance(trusted_proxy_headers, str):
            names = trusted_proxy_headers.split()
        else:
            names = list(trusted_proxy_headers or ())
        headers = frozenset(name.strip().lower() for name in names if name.strip())
        if trusted_proxy_count is not None and proxy is None:
            raise ConfigValueError("trusted_proxy_count has no meaning without setting trusted_proxy",
                                   key="trusted_proxy_count", hint="set trusted_proxy = <the proxy's address>")
        if headers and proxy is None:
            raise ConfigValueError("trusted_proxy_headers has no meaning without setting trusted_proxy",
                                   key="trusted_proxy_headers", hint="set trusted_proxy = <the proxy's address>")
        unknown = sorted(headers - KNOWN_PROXY_HEADERS)
        if unknown:
            raise ConfigValueError(
                f"Received unknown trusted_proxy_headers value ({', '.join(unknown)})",
                key="trusted_proxy_headers",
                hint=f"expected some of: {', '.join(sorted(KNOWN_PROXY_HEADERS))}",
            )
        if "forwarded" in headers and headers - {"forwarded"}:
            raise ConfigValueError(
                "The Forwarded proxy header and the X-Forwarded-{By,Host,Proto,Port,For} headers "
                "are mutually exclusive",
                key="trusted_proxy_headers",
                hint="trust either Forwarded or the X-Forwarded-* headers",
            )
        if proxy is not None and not headers:
            # waitress: "No proxy headers were marked as trusted, but trusted_proxy was set" -> proto only
            headers = frozenset({"x-forwarded-proto"})
        try:
            count = int(trusted_proxy_count) if trusted_proxy_count is not None else 1
        except ValueError:
            count = 0
        if count < 1:
            raise ConfigValueError(f"trusted_proxy_count must be a whole number >= 1, not {trusted_proxy_count!r}",
                                   key="trusted_proxy_count")
        scheme = (url_scheme or "").strip().lower() or None
        if scheme not in (None, "http", "https"):
            raise ConfigValueError(f"url_scheme must be http or https, not {url_scheme!r}", key="url_scheme")
        return cls(proxy, count, headers, bool(clear_untrusted_proxy_headers), scheme)

    @property
    def active(self) -> bool:
        """False when the middleware would change nothing (then it is not installed)."""
        return self.trusted_proxy is not None or self.clear_untrusted or self.url_scheme is not None


class ProxyHeadersMiddleware:
    """Trust forwarded headers only from ``trusted_proxy``; clear the untrusted ones (waitress)."""

    def __init__(
        self,
        app: ASGIApp,
        trusted_proxy: str | None = None,
        trusted_proxy_count: int | str | None = None,
        trusted_proxy_headers: str | Iterable[str] | None = None,
        clear_untrusted: bool = True,
        url_scheme: str | None = None,
        *,
        trust: ProxyTrust | None = None,
    ) -> None:
        self.app = app
        self.trust = trust or ProxyTrust.from_options(
            trusted_proxy=trusted_proxy,
            trusted_proxy_count=trusted_proxy_count,
            trusted_proxy_headers=trusted_proxy_headers,
            clear_untrusted_proxy_headers=clear_untrusted,
            url_scheme=url_scheme,
        )

    def __repr__(self) -> str:
        t = self.trust
        return (
            f"{type(self).__name__}(trusted_proxy={t.trusted_proxy!r}, headers={sorted(t.headers)!r}, "
            f"count={t.count}, clear_untrusted={t.clear_untrusted})"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        trust = self.trust
        scope = dict(scope)
        if trust.url_scheme is not None:
            secure = scope["type"] == "websocket"
            scope["scheme"] = ("wss" if trust.url_scheme == "https" else "ws") if secure else trust.url_scheme
        untrusted: frozenset[bytes] | set[bytes] = _PROXY_HEADERS
        client = scope.get("client")
        peer = client[0] if client else None
        if trust.trusted_proxy is not None and (trust.trusted_proxy == "*" or peer == trust.trusted_proxy):
            try:
                untrusted = _apply_trusted(scope, trust)
            except MalformedProxyHeader as exc:
                logger.warning('Malformed proxy header "%s" from "%s": %s value: %s',
                               exc.header, peer, exc.reason, exc.value)
                await _bad_request(scope, send, f'Header "{exc.header}" malformed.')
                return
        if trust.clear_untrusted:
            scope["headers"] = [(k, v) for k, v in scope.get("headers", ()) if k.lower() not in untrusted]
        await self.app(scope, receive, send)


async def _bad_request(scope: Scope, send: Send, text: str) -> None:
    if scope["type"] != "http":
        await send({"type": "websocket.close", "code": 1008, "reason": text})
        return
    body = f"Bad Request\n\n{text}\n\n(generated by asgipaste)".encode()
    await send({"type": "http.response.start", "status": 400, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _undquote(value: str) -> str:
    if value.startswith('"') and value.endswith('"') and len(value) > 1:
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if value.startswith('"') or value.endswith('"'):
        raise ValueError("Invalid quotes")
    return value


def _strip_brackets(addr: str) -> str:
    return addr[1:-1] if addr[:1] == "[" and addr[-1:] == "]" else addr


def _single_value(found: dict[bytes, str], header: str) -> str:
    """A header waitress takes one value of (a list is malformed)."""
    raw = found.get(header.lower().encode(), "")
    try:
        value = _undquote(raw)
    except ValueError as exc:
        raise MalformedProxyHeader(header, str(exc), raw) from None
    if "," in value:
        raise MalformedProxyHeader(header, "Unspecified behavior for multiple values found in header", raw)
    return value


def _apply_trusted(scope: Scope, trust: ProxyTrust) -> set[bytes]:
    """waitress's ``parse_proxy_headers`` on an ASGI scope; returns the headers still untrusted."""
    count, names = trust.count, trust.headers
    headers: list[tuple[bytes, bytes]] = list(scope.get("headers", ()))
    found: dict[bytes, str] = {}
    for key, value in headers:
        found.setdefault(key.lower(), value.decode("latin-1"))
    replace: dict[bytes, str] = {}
    untrusted = set(_PROXY_HEADERS)
    forwarded_for: list[str] = []
    forwarded_host = forwarded_proto = forwarded_port = ""
    client_addr: str | None = None

    if "x-forwarded-for" in names and b"x-forwarded-for" in found:
        raw = found[b"x-forwarded-for"]
        try:
            raw_hops = raw.split(",")
            for hop in raw_hops:
                hop = _undquote(hop.strip())
                forwarded_for.append(f"[{hop}]" if "." not in hop and ":" in hop and hop[-1] != "]" else hop)
            forwarded_for = forwarded_for[-count:]
            client_addr = forwarded_for[0]
            untrusted.discard(b"x-forwarded-for")
            replace[b"x-forwarded-for"] = ",".join(raw_hops[-count:]).strip()
        except Exception as exc:
            raise MalformedProxyHeader("X-Forwarded-For", str(exc), raw) from None
    if "x-forwarded-host" in names and b"x-forwarded-host" in found:
        raw = found[b"x-forwarded-host"]
        try:
            raw_hosts = raw.split(",")
            forwarded_host = [_undquote(h.strip()) for h in raw_hosts][-count:][0]
            untrusted.discard(b"x-forwarded-host")
            replace[b"x-forwarded-host"] = ",".join(raw_hosts[-count:]).strip()
        except Exception as exc:
            raise MalformedProxyHeader("X-Forwarded-Host", str(exc), raw) from None
    if "x-forwarded-proto" in names:
        forwarded_proto = _single_value(found, "X-Forwarded-Proto")
        untrusted.discard(b"x-forwarded-proto")
    if "x-forwarded-port" in names:
        forwarded_port = _single_value(found, "X-Forwarded-Port")
        untrusted.discard(b"x-forwarded-port")
    if "x-forwarded-by" in names:
        untrusted.discard(b"x-forwarded-by")
    forwarded = ""
    if "forwarded" in names:
        forwarded = found.get(b"forwarded", "")
        untrusted = set(_PROXY_HEADERS - {b"forwarded"})
    if forwarded:
        proxies: list[tuple[str, str, str]] = []  # (for, host, proto)
        raw_elements = forwarded.split(",")
        try:
            for element in raw_elements:
                f_for = f_host = f_proto = ""
                for pair in element.strip().split(";"):
                    pair = pair.lower()
                    if not pair:
                        continue
                    token, equals, text = pair.partition("=")
                    if equals != "=":
                        raise ValueError('Invalid forwarded-pair missing "="')
                    if token.strip() != token:
                        raise ValueError("Token may not be surrounded by whitespace")
                    if text.strip() != text:
                        raise ValueError("Value may not be surrounded by whitespace")
                    if token == "for":
                        f_for = _undquote(text)
                    elif token == "host":
                        f_host = _undquote(text)
                    elif token == "proto":
                        f_proto = _undquote(text)
                    elif token != "by":
                        logger.warning("Unknown Forwarded token: %s", token)
                proxies.append((f_for, f_host, f_proto))
        except Exception as exc:
            raise MalformedProxyHeader("Forwarded", str(exc), forwarded) from None
        replace[b"forwarded"] = ",".join(raw_elements[-count:]).strip()
        for f_for, f_host, f_proto in proxies[-count:][::-1]:
            client_addr = f_for or client_addr
            forwarded_host = f_host or forwarded_host
            forwarded_proto = f_proto or forwarded_proto

    server = scope.get("server") or ("", None)
    server_name, server_port = server[0], (str(server[1]) if server[1] is not None else "")
    host_header: str | None = None
    if forwarded_proto:
        forwarded_proto = forwarded_proto.lower()
        if forwarded_proto not in ("http", "https"):
            raise MalformedProxyHeader(
                "Forwarded Proto=" if forwarded else "X-Forwarded-Proto", "unsupported proto value", forwarded_proto
            )
        ws_scheme = {"http": "ws", "https": "wss"}[forwarded_proto]
        scope["scheme"] = forwarded_proto if scope["type"] == "http" else ws_scheme
        if not forwarded_port:
            forwarded_port = "80" if forwarded_proto == "http" else "443"
    url_scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    if forwarded_host:
        if ":" in forwarded_host and forwarded_host[-1] != "]":
            host, port = forwarded_host.rsplit(":", 1)
            forwarded_port = port
            server_name, host_header = host.strip(), forwarded_host
        else:
            server_name = host_header = forwarded_host
            if forwarded_port and (
                forwarded_port not in ("443", "80")
                or (forwarded_port == "80" and url_scheme != "http")
                or (forwarded_port == "443" and url_scheme != "https")
            ):
                host_header = f"{forwarded_host}:{forwarded_port}"
    if forwarded_port:
        server_port = str(forwarded_port)
    if forwarded_host or forwarded_port:
        try:
            scope["server"] = (server_name, int(server_port) if server_port else None)
        except ValueError:
            raise MalformedProxyHeader("X-Forwarded-Port", "not a port number", server_port) from None
    if host_header is not None:
        replace[b"host"] = host_header
    if client_addr:
        client_port = scope["client"][1] if scope.get("client") else 0
        if ":" in client_addr and client_addr[-1] != "]":
            addr, port = client_addr.rsplit(":", 1)
            try:
                client_port = int(port.strip())
            except ValueError:
                raise MalformedProxyHeader("X-Forwarded-For", "not a port number", client_addr) from None
            scope["client"] = (_strip_brackets(addr.strip()), client_port)
        else:
            scope["client"] = (_strip_brackets(client_addr.strip()), client_port)
    if replace:
        out = [(k, v) for k, v in headers if k.lower() not in replace]
        out.extend((k, v.encode("latin-1")) for k, v in replace.items())
        scope["headers"] = out
    return untrusted
