"""What a client sees while a server drains (SIGTERM, or the launcher rolling workers on SIGHUP).

A response in flight when the drain starts carries ``Connection: close``, so a
client does not send its next request on a connection that is about to go;
the control (no drain) keeps the connection open. What cannot be promised is
stated in docs/guarantees.md ("Reload and drain"): an idle keep-alive
connection closed by the old worker at the very moment a client sends on it
gives that client a read error, for a request that never reached a worker.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests._proc import Proc, bin_path, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ASGIPASTE = bin_path("asgipaste")
APP = "\n[app:main]\nuse = call:tests.serving.apps:text_app\ntext = drained\n"


def _slow_request(port: int, seconds: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(f"GET /slow?seconds={seconds} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n\r\n", 1)[0].lower()


def _head_during(proc: Proc, port: int, send_signal: Callable[[], None] | None) -> bytes:
    result: list[bytes] = []
    thread = threading.Thread(target=lambda: result.append(_slow_request(port, 1.5)))
    thread.start()
    proc.wait_for(r"slow request started", timeout=10)  # the request is in the app: drain now
    if send_signal is not None:
        send_signal()
    thread.join(20)
    assert result, proc.log()
    return result[0]


@pytest.mark.parametrize("drain", [True, False], ids=["sigterm", "control"])
def test_a_response_in_flight_during_a_drain_says_connection_close(
    spawn: Callable[..., Proc], tmp_path: Path, drain: bool
) -> None:
    port = free_port()
    (tmp_path / "site.ini").write_text(
        f"[server:main]\nuse = egg:asgipaste#uvicorn\nhost = 127.0.0.1\nport = {port}\n"
        "timeout_graceful_shutdown = 10\n" + APP
    )
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    head = _head_during(proc, port, (lambda: proc.signal(signal.SIGTERM)) if drain else None)
    assert head.startswith(b"http/1.1 200")
    assert (b"connection: close" in head) is drain


def test_launcher_sighup_roll_closes_connections_of_the_old_worker(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "api-paste.ini").write_text(
        f"[DEFAULT]\nenabled_apis = main\nmain_listen = 127.0.0.1\nmain_listen_port = {port}\nmain_workers = 1\n" + APP
    )
    proc = spawn([ASGIPASTE, "launch", "api-paste.ini"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    head = _head_during(proc, port, lambda: proc.signal(signal.SIGHUP))
    assert head.startswith(b"http/1.1 200") and b"connection: close" in head
