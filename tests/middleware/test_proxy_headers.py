"""ProxyHeadersMiddleware against waitress's own proxy_headers_middleware, case by case.

The same request goes through waitress's WSGI middleware and through ours (its
scope then turned into an environ by the adapter's own translation); what the
app would see must be equal: client address, host, server name and port,
scheme, and which forwarded headers survive. A malformed header is a 400 on
both sides.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from waitress.proxy_headers import proxy_headers_middleware

from asgipaste.errors import ConfigValueError
from asgipaste.interop.environ import build_environ, build_scope
from asgipaste.middleware.proxy_headers import ProxyHeadersMiddleware, ProxyTrust

SEEN = (
    "REMOTE_ADDR", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme",
    "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_BY", "HTTP_FORWARDED",
)

REQUESTS: dict[str, dict[str, str]] = {
    "none": {},
    "spoofed_proto": {"HTTP_X_FORWARDED_PROTO": "https"},
    "all_x_forwarded": {
        "HTTP_X_FORWARDED_FOR": "192.0.2.1, 10.0.0.5",
        "HTTP_X_FORWARDED_HOST": "example.com, inner.local",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_PORT": "8443",
        "HTTP_X_FORWARDED_BY": "proxy",
    },
    "host_with_port": {"HTTP_X_FORWARDED_HOST": "example.com:8080", "HTTP_X_FORWARDED_PROTO": "http"},
    "ipv6_for": {"HTTP_X_FORWARDED_FOR": "2001:db8::1"},
    "forwarded": {"HTTP_FORWARDED": 'for="[2001:db8::1]:4711";host="example.com:8443";proto=https, for=10.0.0.1'},
    "bad_proto": {"HTTP_X_FORWARDED_PROTO": "gopher"},
    "two_protos": {"HTTP_X_FORWARDED_PROTO": "https,http"},
    "bad_forwarded": {"HTTP_FORWARDED": "for"},
}

TRUSTS: dict[str, dict[str, Any]] = {
    "nobody": {},
    "nobody_keep_headers": {"clear_untrusted": False},
    "other_proxy": {"trusted_proxy": "10.9.9.9", "trusted_proxy_headers": "x-forwarded-proto"},
    "local_proto_only": {"trusted_proxy": "127.0.0.1"},
    "local_all_x": {
        "trusted_proxy": "127.0.0.1",
        "trusted_proxy_headers": "x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port x-forwarded-by",
    },
    "any_two_hops": {
        "trusted_proxy": "*",
        "trusted_proxy_count": 2,
        "trusted_proxy_headers": "x-forwarded-for x-forwarded-host x-forwarded-proto",
    },
    "forwarded_only": {"trusted_proxy": "*", "trusted_proxy_headers": "forwarded"},
}


def _environ(extra: dict[str, str]) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8080", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000",
        "wsgi.url_scheme": "http", **extra,
    }


def _waitress(environ: dict[str, Any], trust: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    seen: dict[str, Any] = {}
    status: list[str] = []

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update({k: env[k] for k in SEEN if k in env})
        start_response("200 OK", [])
        return [b""]

    kwargs = dict(trust)
    kwargs.setdefault("clear_untrusted", True)
    if "trusted_proxy_headers" in kwargs:
        kwargs["trusted_proxy_headers"] = set(kwargs["trusted_proxy_headers"].split())
    elif kwargs.get("trusted_proxy"):
        kwargs["trusted_proxy_headers"] = {"x-forwarded-proto"}  # waitress's Adjustments default
    kwargs.setdefault("trusted_proxy_count", 1)
    middleware = proxy_headers_middleware(app, **kwargs)
    list(middleware(environ, lambda s, h, e=None: status.append(s)))
    return int(status[0][:3]), seen


async def _ours(environ: dict[str, Any], trust: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    seen: dict[str, Any] = {}
    status: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        env = build_environ(scope, io.BytesIO())
        seen.update({k: env[k] for k in SEEN if k in env})
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = build_scope(environ)
    del scope["wsgi_environ"]
    await ProxyHeadersMiddleware(app, **trust)(scope, None, send)  # type: ignore[arg-type]
    return status[0], seen


@pytest.mark.asyncio
@pytest.mark.parametrize(("request_name", "trust_name"), list(itertools.product(REQUESTS, TRUSTS)))
async def test_same_view_as_waitress(request_name: str, trust_name: str) -> None:
    trust = TRUSTS[trust_name]
    theirs = _waitress(_environ(REQUESTS[request_name]), trust)
    ours = await _ours(_environ(REQUESTS[request_name]), trust)
    assert ours[0] == theirs[0]
    if theirs[0] == 200:
        assert ours[1] == theirs[1]


@pytest.mark.asyncio
async def test_untrusted_spoofed_proto_changes_nothing_and_is_removed() -> None:
    status, seen = await _ours(_environ({"HTTP_X_FORWARDED_PROTO": "https"}), {})
    assert status == 200 and seen["wsgi.url_scheme"] == "http" and "HTTP_X_FORWARDED_PROTO" not in seen


@pytest.mark.asyncio
async def test_url_scheme_sets_the_default_scheme() -> None:
    status, seen = await _ours(_environ({}), {"url_scheme": "https"})
    assert status == 200 and seen["wsgi.url_scheme"] == "https"


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"trusted_proxy_headers": "x-forwarded-for"}, "trusted_proxy_headers"),
        ({"trusted_proxy_count": "2"}, "trusted_proxy_count"),
        ({"trusted_proxy": "*", "trusted_proxy_headers": "x-forwarded-fro"}, "trusted_proxy_headers"),
        ({"trusted_proxy": "*", "trusted_proxy_headers": "forwarded x-forwarded-for"}, "trusted_proxy_headers"),
        ({"url_scheme": "ftp"}, "url_scheme"),
    ],
)
def test_bad_options_are_located(options: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigValueError) as info:
        ProxyTrust.from_options(**options)
    assert info.value.key == key


@pytest.mark.asyncio
async def test_lifespan_passes_straight_through() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    await ProxyHeadersMiddleware(app)({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]
