"""Limits: request line length, body size, header size and count, Host-based urlmap entries.

What each server setup actually does is pinned down here (and written up in
``docs/guarantees.md``):

* ``max_url_len`` of ``egg:asgipaste#uvicorn`` (nova's option) answers 414 for
  a request target over the limit, on httptools and on h11; without it
  uvicorn lets a 17 KiB target through (httptools refuses ~100 KiB with 400).
* h11 refuses a request head larger than ``h11_max_incomplete_event_size``
  (16 KiB by default) with a 400 when it arrives in pieces larger than that;
  httptools, uvicorn's default, has no header size or count limit, so every
  asgipaste serving path applies ``RequestLimits``: 431 above 100 headers or
  64 KiB of them (``max_header_count``/``max_header_bytes``).
* ``sizelimit`` (the demo's ``RequestBodySizeLimiter``) answers 413 to a
  declared ``Content-Length`` over its limit before reading the body, and to a
  chunked body as soon as the app reads past the limit.
* A ``domain HOST port N`` urlmap entry is reached only by ``Host: HOST:N``;
  a ``domain HOST`` entry by HOST on any port; host names compare without case
  (RFC 9110: they are case-insensitive), and look-alike hosts never match.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asgipaste import loadapp
from asgipaste.urlmap import URLMap
from tests import _proc
from tests._server import running_server

pytestmark = pytest.mark.timeout(60)

A = "call:tests.reliability.apps:factory"


def _exchange(port: int, raw: bytes, timeout: float = 5.0) -> tuple[int, bytes]:
    """Send ``raw`` on a new connection; return the response status and the first bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before reading everything: its answer is still there
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data[:200]


def _get(target: bytes, headers: bytes = b"") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"Connection: close\r\n\r\n"


@pytest.fixture(scope="module", params=["httptools", "h11"])
def limited_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``asgipaste serve`` of an INI whose ``[server:main]`` sets ``max_url_len = 16384``."""
    config = tmp_path_factory.mktemp("limits") / "limits.ini"
    config.write_text(f"""\
[app:main]
use = {A}
app = asgi_hello

[server:main]
use = egg:asgipaste#uvicorn
host = 127.0.0.1
port = 8000
max_url_len = 16384
http = {request.param}
access_log = false
""")
    port = _proc.free_port()
    argv = [sys.executable, "-c", "import sys; from asgipaste.cli import main; sys.exit(main())",
            "serve", str(config), "--port", str(port), "--log-level", "warning"]
    served = _proc.Served(argv, _proc.env_for(config), port)
    try:
        served.wait_ready()
        yield port
    finally:
        served.stop()


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``uvicorn asgipaste.serve:app`` with no limits configured (httptools)."""
    config = tmp_path_factory.mktemp("nolimits") / "app.ini"
    config.write_text(f"[app:main]\nuse = {A}\napp = asgi_hello\n")
    with _proc.serve(config) as served:
        yield served.port


# --- request line ------------------------------------------------------------------------------------


def test_request_target_over_max_url_len_is_414(limited_server: int) -> None:
    assert _exchange(limited_server, _get(b"/" + b"a" * 17 * 1024))[0] == 414
    assert _exchange(limited_server, _get(b"/x?" + b"q" * 17 * 1024))[0] == 414


def test_request_target_under_max_url_len_is_served(limited_server: int) -> None:
    assert _exchange(limited_server, _get(b"/" + b"a" * 15 * 1024))[0] == 200


def test_without_max_url_len_a_17k_target_reaches_the_app(default_server: int) -> None:
    # Documented: the limit is opt-in (max_url_len), as in nova; httptools' own cap is far higher.
    assert _exchange(default_server, _get(b"/" + b"a" * 17 * 1024))[0] == 200
    assert _exchange(default_server, _get(b"/" + b"a" * 100 * 1024))[0] == 400


# --- headers ------------------------------------------------------------------------------------------


def test_an_oversize_request_head_is_refused(limited_server: int) -> None:
    # h11 refuses it itself (400); on httptools, which has no limit, asgipaste's
    # RequestLimits answers 431 before the app sees the request.
    big = b"X-Big: " + b"a" * 200 * 1024 + b"\r\n"
    assert _exchange(limited_server, _get(b"/", big))[0] in (400, 431)


def test_too_many_headers_are_refused(default_server: int) -> None:
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(10_000))
    assert _exchange(default_server, _get(b"/", many))[0] == 431
    just_enough = b"".join(b"X-H%d: v\r\n" % i for i in range(90))
    assert _exchange(default_server, _get(b"/", just_enough))[0] == 200


def test_oversize_header_refused_on_the_default_server(default_server: int) -> None:
    big = b"X-Big: " + b"a" * 200 * 1024 + b"\r\n"
    assert _exchange(default_server, _get(b"/", big))[0] == 431
    assert _exchange(default_server, _get(b"/", b"X-Ok: " + b"a" * 8 * 1024 + b"\r\n"))[0] == 200


# --- body size (the demo's sizelimit filter) -------------------------------------------------------------

SIZELIMIT_INI = f"""\
[pipeline:main]
pipeline = sizelimit reader

[filter:sizelimit]
paste.filter_factory = asgipaste.demo.faults:RequestBodySizeLimiter.factory
max_request_body_size = 4096

[app:reader]
use = {A}
app = asgi_read_body
"""


@pytest.mark.asyncio
async def test_declared_body_over_sizelimit_is_413_before_the_body_is_sent(tmp_path: Path) -> None:
    config = tmp_path / "sizelimit.ini"
    config.write_text(SIZELIMIT_INI)
    app: Any = loadapp(f"config:{config}")
    async with running_server(app) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n"  # 50 MB declared, none sent
        started = time.monotonic()
        status, data = await asyncio.to_thread(_exchange, port, head)
        assert status == 413, data
        assert time.monotonic() - started < 10  # without the limit: waits for 50 MB that never come
        status, _ = await asyncio.to_thread(
            _exchange, port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
        )
        assert status == 200


@pytest.mark.asyncio
async def test_chunked_body_over_sizelimit_is_413(tmp_path: Path) -> None:
    config = tmp_path / "sizelimit.ini"
    config.write_text(SIZELIMIT_INI)
    app: Any = loadapp(f"config:{config}")
    async with running_server(app) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        chunk = b"1000\r\n" + b"a" * 4096 + b"\r\n"
        raw = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 4 + b"0\r\n\r\n"
        status, data = await asyncio.to_thread(_exchange, port, raw)
        assert status == 413, data


# --- Host-based urlmap entries -----------------------------------------------------------------------------


def _host_map() -> tuple[URLMap, list[str]]:
    reached: list[str] = []

    def app(name: str) -> Any:
        async def leaf(scope: Any, receive: Any, send: Any) -> None:
            reached.append(name)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        return leaf

    urlmap = URLMap()
    # The INI's `domain example.com port 8443 /x = ...` and `domain example.com /y = ...`.
    urlmap["http://example.com:8443/x"] = app("tls-only")
    urlmap["http://example.com/y"] = app("any-port")
    urlmap["/"] = app("public")
    return urlmap, reached


async def _route(urlmap: URLMap, reached: list[str], path: str, host: bytes | None) -> str:
    headers = [(b"host", host)] if host is not None else []
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": headers, "scheme": "http", "server": ("10.0.0.1", 80),
             "asgi": {"version": "3.0"}, "http_version": "1.1"}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        return None

    reached.clear()
    await urlmap(scope, receive, send)
    return reached[0] if reached else "404"


FORGED = [
    None, b"", b"example.com", b"example.com:80", b"example.com:8444", b"example.com:443", b"evil.com:8443",
    b"example.com.evil.com:8443", b"xexample.com:8443", b"example.co:8443", b"evil.com#example.com:8443",
    b"example.com@evil.com:8443", b"example.com:8443.evil", b"example.com:08443x", b"example.com:8443:1",
    b"example.com :8443", b"[::1]:8443", b"example.com\x00:8443",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("host", FORGED, ids=[repr(h) for h in FORGED])
async def test_port_bound_domain_entry_is_unreachable_with_another_host_or_port(host: bytes | None) -> None:
    urlmap, reached = _host_map()
    assert await _route(urlmap, reached, "/x", host) == "public"


@pytest.mark.asyncio
@pytest.mark.parametrize("host", [b"example.com:8443", b"EXAMPLE.COM:8443", b"Example.Com:8443"])
async def test_port_bound_domain_entry_matches_its_host_and_port_in_any_case(host: bytes) -> None:
    urlmap, reached = _host_map()
    assert await _route(urlmap, reached, "/x", host) == "tls-only"


@pytest.mark.asyncio
@pytest.mark.parametrize("host", [b"example.com", b"example.com:80", b"example.com:8443", b"EXAMPLE.com:1"])
async def test_portless_domain_entry_allows_any_port(host: bytes) -> None:
    urlmap, reached = _host_map()
    assert await _route(urlmap, reached, "/y", host) == "any-port"


@pytest.mark.asyncio
@pytest.mark.parametrize("host", [b"evil.com", b"example.com.evil.com", b"xexample.com", b"example.org:80"])
async def test_portless_domain_entry_is_unreachable_from_other_hosts(host: bytes) -> None:
    urlmap, reached = _host_map()
    assert await _route(urlmap, reached, "/y", host) == "public"
