"""`uvicorn asgipaste.serve:app` (and `--factory create_app`, gunicorn + uvicorn-worker) as subprocesses."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import PYTHON, Proc, bin_path, child_env, free_port, wait_http, wait_text

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

GOOD_INI = """\
[app:main]
use = call:tests.serving.apps:text_app
text = main says %(greeting)s

[app:other]
use = call:tests.serving.apps:text_app
text = other app
greeting = unused

[DEFAULT]
greeting = hello
"""

BROKEN_INI = """\
[app:main]
use = call:tests.serving.apps:no_such_factory
"""


def uvicorn_cmd(port: int, *extra: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "uvicorn",
        "asgipaste.serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]


def test_default_config_serves_the_bundled_demo(spawn: Callable[..., Proc]) -> None:
    port = free_port()
    proc = spawn(uvicorn_cmd(port, "--lifespan", "on"))
    response = wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert response.status_code < 500
    proc.wait_for(r"serving \[composite:main\] from \S*asgipaste/demo/api-paste\.ini: ASGI at the root, "
                  r"1 crossing \(1 WSGI-to-ASGI, 0 ASGI-to-WSGI\); worker pid \d+")
    proc.wait_for(r"asgipaste demo: database \S+\.sqlite \(shared by every demo process of this user")


def test_env_vars_choose_file_and_app(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(GOOD_INI)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG="app.ini", ASGIPASTE_APP="other")
    proc = spawn(uvicorn_cmd(port, "--lifespan", "on"), env=env)
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "other app"


def test_config_uri_with_fragment(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(GOOD_INI)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG=f"config:{tmp_path / 'app.ini'}#main")
    proc = spawn(uvicorn_cmd(port), env=env)
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "main says hello"


def test_env_file_and_two_workers(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(GOOD_INI)
    (tmp_path / "serve.env").write_text("ASGIPASTE_CONFIG=app.ini\nASGIPASTE_APP=main\n")
    port = free_port()
    proc = spawn(uvicorn_cmd(port, "--env-file", "serve.env", "--workers", "2"))
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "main says hello"
    # each worker loads the INI and runs the app's lifespan once
    proc.wait_for(r"lifespan startup app pid \d+", count=2)


@pytest.mark.parametrize("lifespan", ["on", "auto"])
def test_broken_config_stops_uvicorn_with_the_clear_message(
    spawn: Callable[..., Proc], tmp_path: Path, lifespan: str
) -> None:
    (tmp_path / "broken.ini").write_text(BROKEN_INI)
    port = free_port()
    proc = spawn(uvicorn_cmd(port, "--lifespan", lifespan), env=child_env(ASGIPASTE_CONFIG="broken.ini"))
    code = proc.wait_exit()
    log = proc.log()
    assert code != 0
    assert "no_such_factory" in log
    assert "broken.ini" in log and "line 2" in log and "[app:main]" in log
    assert "Traceback" not in log


def test_broken_config_under_lifespan_off_answers_500(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "broken.ini").write_text(BROKEN_INI)
    port = free_port()
    proc = spawn(uvicorn_cmd(port, "--lifespan", "off"), env=child_env(ASGIPASTE_CONFIG="broken.ini"))
    response = wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert response.status_code == 500
    assert "configuration error" in response.text and "no_such_factory" in response.text
    proc.wait_for("configuration error")


def test_factory_loads_eagerly_and_exits_cleanly_on_error(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(GOOD_INI)
    (tmp_path / "broken.ini").write_text(BROKEN_INI)
    port = free_port()
    args = [PYTHON, "-m", "uvicorn", "--factory", "asgipaste.serve:create_app", "--port", str(port)]
    good = spawn(args, env=child_env(ASGIPASTE_CONFIG="app.ini"))
    assert wait_http(f"http://127.0.0.1:{port}/", proc=good).text == "main says hello"
    bad = spawn([*args[:-1], str(free_port())], env=child_env(ASGIPASTE_CONFIG="broken.ini"))
    assert bad.wait_exit() == 3
    assert "no_such_factory" in bad.log() and "Traceback" not in bad.log()


def test_gunicorn_with_uvicorn_worker(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(GOOD_INI)
    port = free_port()
    args = [
        bin_path("gunicorn"),
        "-k",
        "uvicorn_worker.UvicornWorker",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "asgipaste.serve:app",
    ]
    proc = spawn(args, env=child_env(ASGIPASTE_CONFIG="app.ini"))
    response = wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert response.text == "main says hello"
    proc.wait_for(r"lifespan startup app pid \d+", count=2)
    with httpx.Client(timeout=5.0) as client:
        assert all(client.get(f"http://127.0.0.1:{port}/").status_code == 200 for _ in range(5))


def test_reload_include_ini_picks_up_ini_changes(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text(GOOD_INI)
    port = free_port()
    args = uvicorn_cmd(port, "--lifespan", "on", "--reload", "--reload-include", "*.ini")
    proc = spawn(args, env=child_env(ASGIPASTE_CONFIG="app.ini"))
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "main says hello"
    # plain uvicorn starts watching only after its server has started: an edit made as the
    # server first answers can be missed, so the edit is repeated until it is seen
    edited = GOOD_INI.replace("greeting = hello", "greeting = reloaded")
    deadline = time.monotonic() + 30
    while True:
        ini.write_text(edited)
        try:
            wait_text(f"http://127.0.0.1:{port}/", "main says reloaded", proc=proc, timeout=3)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
