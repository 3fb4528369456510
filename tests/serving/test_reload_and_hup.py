"""Validate, then swap: a broken edit never takes the service down, under --reload or SIGHUP.

Real files edited in a temporary working directory, real signals, a real
server in a subprocess: the last good app keeps answering while the error is
logged with its location, and the fixed file is picked up.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import Proc, bin_path, free_port, wait_http, wait_text

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

ASGIPASTE = bin_path("asgipaste")

SITE = """
[server:main]
use = egg:asgipaste#uvicorn
host = 127.0.0.1
port = {port}
timeout_graceful_shutdown = 2

[app:main]
use = call:tests.serving.apps:text_app
text = {text}
"""
BROKEN = "\n[app:main]\nuse = call:tests.serving.no_such_module:factory\n"


@pytest.mark.parametrize("how", ["reload", "sighup", "sighup-workers"])
def test_a_broken_edit_keeps_the_last_good_app_then_the_fix_is_picked_up(
    spawn: Callable[..., Proc], tmp_path: Path, how: str
) -> None:
    port = free_port()
    ini = tmp_path / "site.ini"
    ini.write_text(SITE.format(port=port, text="first"))
    args = [ASGIPASTE, "serve", "site.ini"]
    if how == "reload":
        args.append("--reload")
    if how == "sighup-workers":
        args += ["--workers", "2"]
    proc = spawn(args)
    url = f"http://127.0.0.1:{port}/"
    assert wait_http(url, proc=proc).text == "first"
    # every worker has loaded the good file before it is edited
    proc.wait_for(r"serving \[app:main\] .* worker pid \d+", count=2 if how == "sighup-workers" else 1)

    ini.write_text(SITE.format(port=port, text="first").split("[app:main]")[0] + BROKEN)
    if how != "reload":
        proc.signal(signal.SIGHUP)
    proc.wait_for(r"the edited configuration does not load; still serving the last good one: \[main\] "
                  r"Cannot import .tests\.serving\.no_such_module:factory.*line 10, section \[app:main\]", timeout=30)
    for _ in range(5):
        assert httpx.get(url, timeout=5).text == "first"

    ini.write_text(SITE.format(port=port, text="second"))
    if how != "reload":
        proc.signal(signal.SIGHUP)
    wait_text(url, "second", proc=proc, timeout=30)


def test_reload_does_not_log_every_file_written(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "site.ini").write_text(SITE.format(port=port, text="quiet"))
    proc = spawn([ASGIPASTE, "serve", "site.ini", "--reload", "--log-level", "info"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    for i in range(10):
        (tmp_path / "app.log").write_text(f"line {i}\n")
        time.sleep(0.1)
    time.sleep(1.0)  # watchfiles' debounce: any line it would log is out by now
    assert "change detected" not in proc.log() and "changes detected" not in proc.log()


def test_sighup_under_reload_restarts_the_worker_and_keeps_the_supervisor(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    """uvicorn's reloader leaves SIGHUP at its default: it killed the supervisor and orphaned the worker."""
    port = free_port()
    (tmp_path / "site.ini").write_text(SITE.format(port=port, text="hup"))
    proc = spawn([ASGIPASTE, "serve", "site.ini", "--reload"])
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc=proc)
    proc.wait_for(r"serving \[app:main\] .* worker pid \d+")
    first = httpx.get(url + "pid", timeout=5).text
    proc.signal(signal.SIGHUP)
    proc.wait_for(r"SIGHUP: reloading the configuration", timeout=30)
    proc.wait_for(r"serving \[app:main\] .* worker pid \d+", count=2, timeout=30)
    second = wait_http(url + "pid", proc=proc).text
    assert proc.popen.poll() is None, "the supervisor is still there"
    assert second != first, "a new worker serves"
