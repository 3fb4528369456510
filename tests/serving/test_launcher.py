"""`asgipaste launch`: nova's enabled_apis shape, supervised, as a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import Proc, bin_path, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

ASGIPASTE = bin_path("asgipaste")

LAUNCH_INI = """\
[DEFAULT]
enabled_apis = osapi_compute, metadata
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = {compute}
osapi_compute_workers = 2
metadata_listen = 127.0.0.1
metadata_listen_port = {metadata}
metadata_workers = 2
max_url_len = 200
graceful_shutdown_timeout = 10

[composite:osapi_compute]
use = egg:asgipaste#urlmap
/v2 = compute

[app:compute]
use = call:tests.serving.apps:text_app
text = {compute_text}
name = compute

[app:metadata]
use = call:tests.serving.apps:text_app
text = meta
name = metadata
"""


def _write(path: Path, compute: int, metadata: int, compute_text: str = "compute v1") -> None:
    path.write_text(LAUNCH_INI.format(compute=compute, metadata=metadata, compute_text=compute_text))


def _worker_pids(proc: Proc, api: str) -> list[int]:
    return [int(m.group(1)) for m in proc.wait_for(rf"launcher: {api} worker pid (\d+) ready")]


LOGGING = """
[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = tagged

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = tagged

[formatter_tagged]
format = LOGGED %(levelname)s [%(name)s] %(message)s
"""


def _assert_sigterm_drains(proc: Proc, compute: int, metadata: int) -> None:
    """Slow requests in flight on both ports when SIGTERM arrives all complete with 200."""
    results: dict[str, httpx.Response | BaseException] = {}

    def slow(key: str, url: str) -> None:
        try:
            results[key] = httpx.get(url, timeout=15)
        except BaseException as exc:  # reported by the assertion below
            results[key] = exc

    threads = [
        threading.Thread(target=slow, args=("compute", f"http://127.0.0.1:{compute}/v2/slow?seconds=1.5")),
        threading.Thread(target=slow, args=("metadata", f"http://127.0.0.1:{metadata}/slow?seconds=1.5")),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both requests are in flight
    proc.signal(signal.SIGTERM)
    for thread in threads:
        thread.join(15)
    assert proc.wait_exit(20) == 0
    for key, text in (("compute", "slow compute v1"), ("metadata", "slow meta")):
        response = results[key]
        assert isinstance(response, httpx.Response), response
        assert response.status_code == 200 and response.text == text
    # the lifespan shutdown ran in every worker
    assert len(proc.wait_for(r"lifespan shutdown \w+ pid \d+", count=4)) == 4


def _start(spawn: Callable[..., Proc], tmp_path: Path, *extra: str, logging: bool = False) -> tuple[Proc, int, int]:
    compute, metadata = free_port(), free_port()
    _write(tmp_path / "api-paste.ini", compute, metadata)
    if logging:
        with (tmp_path / "api-paste.ini").open("a") as file:
            file.write(LOGGING)
    proc = spawn([ASGIPASTE, "launch", "api-paste.ini", *extra])
    proc.wait_for(r"launcher: serving \[metadata\]", timeout=40)
    return proc, compute, metadata


def test_two_apps_two_workers_each_replaced_when_killed_drained_on_sigterm(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    proc, compute, metadata = _start(spawn, tmp_path, logging=True)
    # the INI's logging sections format the supervisor and every worker
    proc.wait_for(r"LOGGED INFO \[asgipaste\.launcher\] launcher: serving \[osapi_compute\]")
    proc.wait_for(r"LOGGED INFO \[uvicorn\.error\] Application startup complete", count=4)
    assert wait_http(f"http://127.0.0.1:{compute}/v2", proc=proc).text == "compute v1"
    assert wait_http(f"http://127.0.0.1:{metadata}/", proc=proc).text == "meta"
    compute_pids = _worker_pids(proc, "osapi_compute")
    assert len(set(compute_pids)) == 2 and len(set(_worker_pids(proc, "metadata"))) == 2
    # each app's lifespan ran once in each of its workers
    for app, api in (("compute", "osapi_compute"), ("metadata", "metadata")):
        started = [int(m.group(1)) for m in proc.wait_for(rf"lifespan startup {app} pid (\d+)", count=2)]
        assert sorted(started) == sorted(_worker_pids(proc, api))
    # max_url_len from [DEFAULT]
    assert httpx.get(f"http://127.0.0.1:{compute}/v2/{'x' * 300}", timeout=5).status_code == 414

    os.kill(compute_pids[0], signal.SIGKILL)
    proc.wait_for(rf"osapi_compute worker pid {compute_pids[0]} exited with code -9; starting a replacement")
    proc.wait_for(r"launcher: osapi_compute worker pid (\d+) ready", count=3)
    for _ in range(6):
        assert httpx.get(f"http://127.0.0.1:{compute}/v2", timeout=5).text == "compute v1"

    _assert_sigterm_drains(proc, compute, metadata)


def test_sighup_with_a_broken_ini_keeps_serving_then_picks_up_the_fix(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    # one metadata worker (a command-line override) keeps the worker-by-worker roll short
    proc, compute, metadata = _start(spawn, tmp_path, "metadata_workers=1")
    first_generation = set(_worker_pids(proc, "osapi_compute"))
    ini = tmp_path / "api-paste.ini"
    good = ini.read_text()
    ini.write_text(good.replace("tests.serving.apps:text_app\ntext = compute", "tests.serving.apps:gone\ntext = x"))
    proc.signal(signal.SIGHUP)
    proc.wait_for(r"reload failed, the running workers keep serving")
    assert "tests.serving.apps:gone" in proc.log() and "[app:compute]" in proc.log()
    for _ in range(4):
        assert httpx.get(f"http://127.0.0.1:{compute}/v2", timeout=5).text == "compute v1"
        assert httpx.get(f"http://127.0.0.1:{metadata}/", timeout=5).text == "meta"

    ini.write_text(good.replace("compute v1", "compute v2"))
    proc.signal(signal.SIGHUP)
    proc.wait_for(r"launcher: reload complete", timeout=40)
    for pid in first_generation:  # the old generation finished its requests and left
        proc.wait_for(rf"osapi_compute worker pid {pid} drained and stopped")
    for _ in range(6):
        assert httpx.get(f"http://127.0.0.1:{compute}/v2", timeout=5).text == "compute v2"
        assert int(httpx.get(f"http://127.0.0.1:{compute}/v2/pid", timeout=5).text) not in first_generation


def test_a_bad_worker_count_is_an_error_naming_the_option(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    _write(tmp_path / "api-paste.ini", free_port(), free_port())
    proc = spawn([ASGIPASTE, "launch", "api-paste.ini", "metadata_workers=0"])
    assert proc.wait_exit() == 1
    assert "metadata_workers" in proc.log() and "at least 1" in proc.log()
    assert "Traceback" not in proc.log()
