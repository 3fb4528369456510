"""Response headers a WSGI app gives are made sendable, or refused with a 500 (issue 10).

Over a real uvicorn with each of its HTTP/1.1 protocols: h11 refuses a value
with a trailing space and uvicorn then drops the connection after logging 200.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from asgipaste.interop import WSGIAdapter
from tests._proc import Served, bin_path, env_for, free_port
from tests.interop._helpers import serve

pytestmark = [pytest.mark.slow, pytest.mark.asyncio, pytest.mark.timeout(30)]  # real servers, real handshakes

PROTOCOLS = ["h11", "httptools"]


def header_app(environ: Any, start_response: Any) -> list[bytes]:
    """Sends the header given by ``?name=...&value=...`` (plus an ordinary one)."""
    query = dict(parse_qsl(environ["QUERY_STRING"], keep_blank_values=True))
    headers = [("Content-Type", "text/plain")]
    if "name" in query:
        headers.append((query["name"], query["value"]))
    start_response("200 OK", headers)
    return [b"body"]


@pytest.mark.parametrize("http", PROTOCOLS)
async def test_trailing_space_in_a_header_value_is_stripped_not_fatal(http: str) -> None:
    csp = "default-src 'self'; "  # Kinto's Content-Security-Policy ends so
    async with serve(WSGIAdapter(header_app, threads=2), http=http) as (client, _):
        response = await client.get("/", params={"name": "Content-Security-Policy", "value": csp})
        assert response.status_code == 200
        assert response.text == "body"
        assert response.headers["content-security-policy"] == "default-src 'self';"
        spaced = await client.get("/", params={"name": "X-Spaced", "value": "\t  a  b \t"})
        assert spaced.headers["x-spaced"] == "a  b"  # inner spaces kept


@pytest.mark.parametrize("http", PROTOCOLS)
async def test_control_ordinary_header_values_pass_unchanged(http: str) -> None:
    async with serve(WSGIAdapter(header_app, threads=2), http=http) as (client, _):
        response = await client.get("/", params={"name": "X-Tab", "value": "a\tb; c=\"d\""})
        assert response.status_code == 200
        assert response.headers["x-tab"] == "a\tb; c=\"d\""
        assert response.headers["content-type"] == "text/plain"


@pytest.mark.parametrize("http", PROTOCOLS)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Split", "a\r\nX-Injected: 1"),
        ("X-Lf", "a\nb"),
        ("X-Nul", "a\x00b"),
        ("X-Bell", "a\x07b"),
        ("Bad Name", "v"),
        ("Bad:Name", "v"),
        ("", "v"),
    ],
)
async def test_unsendable_header_is_a_logged_500_never_a_dropped_connection(
    http: str, name: str, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    uvicorn_log = logging.getLogger("uvicorn.error")  # does not propagate to caplog's root handler
    try:
        async with serve(WSGIAdapter(header_app, threads=2), http=http) as (client, _):
            uvicorn_log.addHandler(caplog.handler)  # after uvicorn configured its logging
            response = await client.get("/", params={"name": name, "value": value})
            assert response.status_code == 500
            assert "x-injected" not in response.headers
            assert "InvalidResponseHeader" in caplog.text, caplog.text
            # the connection and server are fine afterwards
            assert (await client.get("/")).status_code == 200
    finally:
        uvicorn_log.removeHandler(caplog.handler)


async def test_threads_0_header_checks_apply_on_the_loop_too() -> None:
    async with serve(WSGIAdapter(header_app, threads=0), http="h11") as (client, _):
        ok = await client.get("/", params={"name": "X-A", "value": "v "})
        assert ok.status_code == 200 and ok.headers["x-a"] == "v"
        try:
            bad = await client.get("/", params={"name": "X-A", "value": "v\r\n"})
        except httpx.HTTPError as exc:  # pragma: no cover - the failure this test guards against
            pytest.fail(f"connection dropped: {exc!r}")
        assert bad.status_code == 500


# --- granian's ASGI interface (a subprocess) -------------------------------------------------------

GRANIAN_INI = """\
[composite:main]
use = egg:asgipaste#urlmap
/h = header
/a = hello

[app:header]
use = call:tests.reliability.apps:factory
app = wsgi_header

[app:hello]
use = call:tests.reliability.apps:factory
app = asgi_hello

[server:main]
use = egg:asgipaste#granian
host = 127.0.0.1
port = {port}
"""


@pytest.mark.slow
async def test_granian_asgi_interface_strips_and_refuses_headers(tmp_path: Path) -> None:
    pytest.importorskip("granian")
    port = free_port()
    config = tmp_path / "headers.ini"
    config.write_text(GRANIAN_INI.format(port=port))
    served = Served([bin_path("asgipaste"), "serve", str(config)], env_for(config), port)
    try:
        served.wait_ready("/a")
        async with httpx.AsyncClient(base_url=served.url, timeout=5) as client:
            ok = await client.get("/h", params={"name": "Content-Security-Policy", "value": "default-src 'self'; "})
            assert ok.status_code == 200 and ok.headers["content-security-policy"] == "default-src 'self';"
            bad = await client.get("/h", params={"name": "X-Split", "value": "a\r\nX-Injected: 1"})
            assert bad.status_code == 500 and "x-injected" not in bad.headers
            assert (await client.get("/h")).status_code == 200  # control
        assert "InvalidResponseHeader" in served.log(), served.log()
    finally:
        served.stop()
