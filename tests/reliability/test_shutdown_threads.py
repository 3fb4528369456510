"""No asgipaste thread keeps a server process alive after SIGTERM (issue 12.2).

Each server gets one request through the WSGI branch of a mixed tree, then
SIGTERM, and must exit within a few seconds. Before, the WSGI adapter's
worker threads were non-daemon and only left when their host task was
cancelled or their loop closed: granian (which does neither) never exited.
A request stuck inside app code gets ``ASGIPASTE_WSGI_EXIT_TIMEOUT`` seconds
at interpreter exit, is logged, and is abandoned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tests._proc import REPO, Served, bin_path, env_for, free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

#: How long a server may take to exit after SIGTERM once its requests are done.
EXIT_WITHIN = 6.0

MIXED = """\
[composite:main]
use = egg:asgipaste#urlmap
/wsgi = slow
/asgi = hello

[app:slow]
use = call:tests.reliability.apps:factory
app = wsgi_slow
wsgi_threads = 4

[app:hello]
use = call:tests.reliability.apps:factory
app = asgi_hello
"""


def _write(tmp_path: Path, server: str = "") -> Path:
    path = tmp_path / "mixed.ini"
    path.write_text(MIXED + server)
    return path


def _one_wsgi_request_then_sigterm(served: Served) -> float:
    served.wait_ready("/asgi")
    response = httpx.get(served.url + "/wsgi?0.05", timeout=10)
    assert response.text == "slow wsgi done", served.log()
    started = time.monotonic()
    os.killpg(served.proc.pid, signal.SIGTERM)
    served.wait_exit(EXIT_WITHIN + 10)  # fails with the server's log if it is still running
    return time.monotonic() - started


def _granian_server(port: int) -> str:
    return f"\n[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\n"


def test_granian_exits_after_sigterm_once_a_wsgi_branch_served(tmp_path: Path) -> None:
    pytest.importorskip("granian")
    port = free_port()
    config = _write(tmp_path, _granian_server(port))
    served = Served([bin_path("asgipaste"), "serve", str(config)], env_for(config), port)
    try:
        elapsed = _one_wsgi_request_then_sigterm(served)
        assert elapsed < EXIT_WITHIN, served.log()
        assert "granian's ASGI interface" in served.log()
    finally:
        served.stop()


def test_uvicorn_exits_after_sigterm_once_a_wsgi_branch_served(tmp_path: Path) -> None:
    port = free_port()
    config = _write(tmp_path)
    argv = [sys.executable, "-m", "uvicorn", "asgipaste.serve:app", "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "on"]  # fmt: skip
    served = Served(argv, env_for(config), port)
    try:
        assert _one_wsgi_request_then_sigterm(served) < EXIT_WITHIN, served.log()
    finally:
        served.stop()


def test_gunicorn_uvicorn_worker_exits_after_sigterm_once_a_wsgi_branch_served(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn_worker")
    port = free_port()
    config = _write(tmp_path)
    argv = [bin_path("gunicorn"), "-k", "uvicorn_worker.UvicornWorker", "-w", "1", "-b", f"127.0.0.1:{port}",
            "--graceful-timeout", "20", "asgipaste.serve:app"]  # fmt: skip
    served = Served(argv, env_for(config), port)
    try:
        assert _one_wsgi_request_then_sigterm(served) < EXIT_WITHIN, served.log()
    finally:
        served.stop()


STUCK = """\
import asyncio, threading, time

from asgipaste.interop import WSGIAdapter

def stuck(environ, start_response):
    time.sleep(60)  # stuck in app code
    start_response("200 OK", [])
    return [b"late"]

async def main():
    adapter = WSGIAdapter(stuck, threads=2, name="stuck-app")
    scope = {"type": "http", "method": "GET", "path": "/", "root_path": "", "query_string": b"",
             "headers": [], "http_version": "1.1"}

    async def receive():
        await asyncio.sleep(3600)

    async def send(message):
        pass

    asyncio.get_running_loop().create_task(adapter(scope, receive, send))
    await asyncio.sleep(0.3)
    print("request inside app code", flush=True)

# Like granian: the loop is stopped, never closed, and no task is cancelled.
loop = asyncio.new_event_loop()
loop.run_until_complete(main())
print("main done", flush=True)
"""


def test_a_request_stuck_in_app_code_is_logged_and_abandoned_at_the_exit_deadline(tmp_path: Path) -> None:
    script = tmp_path / "stuck.py"
    script.write_text(textwrap.dedent(STUCK))
    env = env_for(tmp_path / "unused.ini", ASGIPASTE_WSGI_EXIT_TIMEOUT="1")
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=30)  # fmt: skip
    elapsed = time.monotonic() - started
    out = result.stdout + result.stderr
    assert "main done" in out, out
    assert elapsed < 5, (elapsed, out)  # the 60 s sleep did not hold the process
    assert "'stuck-app' still runs a request" in out and "ASGIPASTE_WSGI_EXIT_TIMEOUT" in out, out


def test_control_a_request_that_finishes_in_time_is_not_logged(tmp_path: Path) -> None:
    script = tmp_path / "quick.py"
    script.write_text(textwrap.dedent(STUCK).replace("time.sleep(60)", "time.sleep(0.5)"))
    env = env_for(tmp_path / "unused.ini", ASGIPASTE_WSGI_EXIT_TIMEOUT="5")
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=30)  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "still runs a request" not in out, out
    assert time.monotonic() - started < 5, out
