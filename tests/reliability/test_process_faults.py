"""Faults that need a server process: lifespan startup failure, a bad config, SIGTERM under load.

Each runs ``uvicorn asgipaste.serve:app --lifespan on`` with ``ASGIPASTE_CONFIG``,
as a deployment would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests._proc import serve

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

A = "call:tests.reliability.apps:factory"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.ini"
    path.write_text(text)
    return path


def test_lifespan_startup_failure_exits_nonzero_with_the_message(tmp_path: Path) -> None:
    config = _write(tmp_path, f"""\
[composite:main]
use = egg:asgipaste#urlmap
/ok = ok
/db = db

[app:ok]
use = {A}
app = asgi_hello

[app:db]
use = {A}
app = asgi_failing_lifespan
""")
    with serve(config, ready=None) as server:
        code = server.wait_exit()
        log = server.log()
    assert code != 0, log
    assert "database unreachable: db.example:5432" in log, log
    assert "db" in log  # the failing member is named
    assert "Application startup failed" in log


def test_config_error_exits_nonzero_naming_file_section_and_key(tmp_path: Path) -> None:
    config = _write(tmp_path, "[app:main]\nuse = call:no_such_module_xyz:app\n")
    with serve(config, ready=None) as server:
        code = server.wait_exit()
        log = server.log()
    assert code != 0, log
    assert str(config) in log and "[app:main]" in log and "'use'" in log, log


async def _get(client: httpx.AsyncClient, path: str) -> tuple[int, str]:
    response = await client.get(path)
    return response.status_code, response.text


@pytest.mark.asyncio
async def test_sigterm_lets_every_started_request_finish(tmp_path: Path) -> None:
    config = _write(tmp_path, f"""\
[composite:main]
use = egg:asgipaste#urlmap
/asgi = slow_asgi
/wsgi = slow_wsgi

[app:slow_asgi]
use = {A}
app = asgi_slow

[app:slow_wsgi]
use = {A}
app = wsgi_slow
wsgi_threads = 8
""")
    with serve(config, ready="/asgi?0") as server:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(base_url=server.url, timeout=15, limits=limits) as client:
            started = time.monotonic()
            requests = [asyncio.create_task(_get(client, "/asgi?1.0")) for _ in range(12)]
            requests += [asyncio.create_task(_get(client, "/wsgi?1.0")) for _ in range(6)]
            await asyncio.sleep(0.4)  # every request is now inside the app
            os.killpg(server.proc.pid, signal.SIGTERM)
            results = await asyncio.gather(*requests)
            elapsed = time.monotonic() - started
        code = await asyncio.to_thread(server.wait_exit)
        log = server.log()
    assert results == [(200, "slow asgi done")] * 12 + [(200, "slow wsgi done")] * 6, log
    assert elapsed >= 1.0
    # uvicorn (>= 0.29) re-raises the captured SIGTERM after its graceful shutdown, so the
    # process ends "killed by SIGTERM" once everything has finished cleanly.
    assert code in (0, -signal.SIGTERM), log
    assert "Application shutdown complete" in log and "Finished server process" in log, log
