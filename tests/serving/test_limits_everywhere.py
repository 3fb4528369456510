"""The request-head limits hold on every serving path, over real HTTP, with the same codes.

One control request per path answers 200; then 101 headers and a 100 KB header
give 431, and a target longer than ``max_url_len`` gives 414. Paths: uvicorn
(one process and workers), granian's ASGI interface (a mixed tree) and its
WSGI interface (an all-WSGI tree), gunicorn with the uvicorn worker and
``uvicorn asgipaste.serve:app`` (limits from the environment), and the launcher.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import PYTHON, Proc, bin_path, child_env, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ASGIPASTE = bin_path("asgipaste")

ASGI_APP = """
[app:main]
use = call:tests.serving.apps:text_app
text = ok
"""

WSGI_TREE = """
[composite:main]
use = egg:Paste#urlmap
/ = legacy

[app:legacy]
use = call:tests.serving.apps:wsgi_text_app
"""

MIXED_TREE = """
[composite:main]
use = egg:Paste#urlmap
/ = asgi
/legacy = legacy

[app:asgi]
use = call:tests.serving.apps:text_app
text = ok

[app:legacy]
use = call:tests.serving.apps:wsgi_text_app
"""


def _status(port: int, target: str = "/", headers: list[tuple[str, str]] | None = None) -> int:
    """A raw HTTP/1.1 request (httpx would refuse some of these heads itself); the status code, or 0."""
    head = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers or [])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((head + "\r\n").encode("latin-1"))
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return 0
            data += chunk
    return int(data.split(b" ", 2)[1])


def _check(port: int, *, url_limit: int | None) -> None:
    assert _status(port) == 200
    assert _status(port, headers=[(f"x-h{i}", "v") for i in range(101)]) == 431
    assert _status(port, headers=[("x-big", "a" * 100_000)]) == 431
    if url_limit is not None:
        assert _status(port, "/" + "a" * url_limit) == 414
        assert _status(port, "/" + "a" * (url_limit - 10)) == 200


SERVERS = {
    "uvicorn": ("[server:main]\nuse = egg:asgipaste#uvicorn\nport = {port}\nmax_url_len = 2000\n", ASGI_APP),
    "uvicorn-workers": (
        "[server:main]\nuse = egg:asgipaste#uvicorn\nport = {port}\nworkers = 2\nmax_url_len = 2000\n", ASGI_APP
    ),
    "granian-asgi-interface": (
        "[server:main]\nuse = egg:asgipaste#granian\nport = {port}\nmax_url_len = 2000\n", MIXED_TREE
    ),
    "granian-wsgi-interface": (
        "[server:main]\nuse = egg:asgipaste#granian\nport = {port}\nmax_url_len = 2000\n", WSGI_TREE
    ),
}


def _http2_status(port: int, headers: dict[str, str]) -> int:
    """An HTTP/2 (h2c, prior knowledge) GET; the status, or 0 if the server hung up on it."""
    with httpx.Client(http1=False, http2=True, timeout=10) as client:
        try:
            response = client.get(f"http://127.0.0.1:{port}/", headers=headers)
        except httpx.RemoteProtocolError:
            return 0
    assert response.http_version == "HTTP/2"
    return response.status_code


@pytest.mark.parametrize("tree", ["wsgi", "mixed"])
def test_granian_http2_requests_get_every_limit(spawn: Callable[..., Proc], tmp_path: Path, tree: str) -> None:
    """granian's HTTP/1 parser counts header lines, its HTTP/2 side does not: Python does, for HTTP/2."""
    pytest.importorskip("granian", reason="granian is a test dependency (the [granian] extra)")
    pytest.importorskip("h2", reason="h2 is a test dependency (httpx[http2])")
    port = free_port()
    section = f"[server:main]\nuse = egg:asgipaste#granian\nport = {port}\n"
    (tmp_path / "site.ini").write_text(section + (WSGI_TREE if tree == "wsgi" else MIXED_TREE))
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert _http2_status(port, {f"x-h{i}": "v" for i in range(50)}) == 200
    assert _http2_status(port, {f"x-h{i}": "v" for i in range(150)}) == 431
    assert _status(port, headers=[(f"x-h{i}", "v") for i in range(150)]) == 431  # HTTP/1.1: granian's own


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_asgipaste_serve(spawn: Callable[..., Proc], tmp_path: Path, server: str) -> None:
    if server.startswith("granian"):
        pytest.importorskip("granian", reason="granian is a test dependency (the [granian] extra)")
    section, app = SERVERS[server]
    port = free_port()
    (tmp_path / "site.ini").write_text(section.format(port=port) + app)
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    _check(port, url_limit=2000)


def test_gunicorn_uvicorn_worker_and_serve_app(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(ASGI_APP)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG=str(tmp_path / "site.ini"), ASGIPASTE_MAX_URL_LEN="2000")
    proc = spawn(
        [bin_path("gunicorn"), "-k", "uvicorn_worker.UvicornWorker", "-b", f"127.0.0.1:{port}", "asgipaste.serve:app"],
        env=env,
    )
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    _check(port, url_limit=2000)


def test_uvicorn_serve_app_defaults(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(ASGI_APP)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG=str(tmp_path / "site.ini"))
    proc = spawn([PYTHON, "-m", "uvicorn", "asgipaste.serve:app", "--port", str(port), "--lifespan", "on"], env=env)
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    _check(port, url_limit=None)


def test_launcher(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "api-paste.ini").write_text(
        f"[DEFAULT]\nenabled_apis = main\nmain_listen = 127.0.0.1\nmain_listen_port = {port}\nmain_workers = 1\n"
        "max_url_len = 2000\n" + ASGI_APP
    )
    proc = spawn([ASGIPASTE, "launch", "api-paste.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    _check(port, url_limit=2000)


def test_granian_wsgi_interface_keeps_limits_tighter_than_granians_own(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    """granian refuses over 100 header lines and over its read buffer itself; other limits stay in Python."""
    pytest.importorskip("granian", reason="granian is a test dependency (the [granian] extra)")
    port = free_port()
    section = f"[server:main]\nuse = egg:asgipaste#granian\nport = {port}\nmax_header_count = 20\n"
    (tmp_path / "site.ini").write_text(section + "max_header_bytes = 20000\n" + WSGI_TREE)
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert _status(port, headers=[(f"x-h{i}", "v") for i in range(10)]) == 200
    assert _status(port, headers=[(f"x-h{i}", "v") for i in range(25)]) == 431  # counted in Python
    assert _status(port, headers=[("x-big", "a" * 19_000)]) == 200
    assert _status(port, headers=[("x-big", "a" * 21_000)]) == 431  # 20000 is not a buffer size granian keeps


def _status_in_pieces(port: int, value_len: int, piece: int) -> int:
    """A request whose head arrives ``piece`` bytes at a time; the status, or 431 if the server hung up on it."""
    head = f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: {'a' * value_len}\r\n\r\n"
    data = head.encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            for start in range(0, len(data), piece):
                sock.sendall(data[start : start + piece])
                time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the head was complete; the status line is still readable
        answer = sock.recv(64)
    return int(answer.split(b" ", 2)[1])


def test_granian_buffer_holds_the_default_header_bytes_however_the_head_arrives(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    """On the WSGI interface granian's own 64 KiB buffer is the 431 (no Python runs): it must hold for any arrival."""
    pytest.importorskip("granian", reason="granian is a test dependency (the [granian] extra)")
    port = free_port()
    (tmp_path / "site.ini").write_text(f"[server:main]\nuse = egg:asgipaste#granian\nport = {port}\n" + WSGI_TREE)
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    for piece in (1_000, 8_000, 30_000, 60_000, 200_000):
        assert _status_in_pieces(port, 65_000, piece) == 200
        for over in (65_537, 70_000, 130_000):
            assert _status_in_pieces(port, over, piece) == 431, (over, piece)
