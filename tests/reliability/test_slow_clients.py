"""Slow clients: 1,000 connections trickling their request heads never stop other clients.

Measured over real HTTP on uvicorn (``asgipaste serve``) and granian: while
1,000 sockets hold half-sent heads open, 50 ordinary requests are all answered;
their latencies are printed (``-s``) and recorded in docs/guarantees.md. granian's
``header_read_timeout`` closes the slow ones; uvicorn has no such timeout (the
docs say so), so the guarantee there is only that others are still served.
"""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests._proc import Proc, bin_path, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

SLOW = 1000
APP = "\n[app:main]\nuse = call:tests.serving.apps:text_app\ntext = fast\n"


@contextmanager
def _slow_heads(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that sent a request line and one header, and nothing more."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
            sockets.append(sock)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _latencies(url: str, n: int = 50) -> list[float]:
    out = []
    for _ in range(n):
        started = time.monotonic()
        response = httpx.get(url, timeout=10)
        out.append(time.monotonic() - started)
        assert response.status_code == 200 and response.text == "fast"
    return out


def _report(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    print(f"\n{name}: {SLOW} slow heads held; {len(ordered)} requests answered; p50 {p50:.1f} ms, p99 {p99:.1f} ms")


def test_uvicorn_serves_others_while_1000_heads_trickle(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "site.ini").write_text(
        f"[server:main]\nuse = egg:asgipaste#uvicorn\nhost = 127.0.0.1\nport = {port}\naccess_log = false\n" + APP
    )
    proc = spawn([bin_path("asgipaste"), "serve", "site.ini"])
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc=proc)
    with _slow_heads(port, SLOW):
        _report("uvicorn", _latencies(url))


def test_granian_closes_slow_heads_and_serves_others(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    pytest.importorskip("granian")
    port = free_port()
    (tmp_path / "site.ini").write_text(
        f"[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\nheader_read_timeout = 2\n" + APP
    )
    proc = spawn([bin_path("asgipaste"), "serve", "site.ini"])
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc=proc)
    with _slow_heads(port, SLOW) as sockets:
        _report("granian", _latencies(url))
        probe = sockets[0]
        probe.settimeout(15)
        try:
            closed = probe.recv(1024) is not None  # b"" (closed) or an error response: either way, not held
        except ConnectionResetError:
            closed = True
        assert closed
