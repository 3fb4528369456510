"""Habits from pserve, uvicorn and gunicorn that carry over: modules beside the INI, pserve's flags.

Every command runs as a subprocess in a temporary working directory with no
``PYTHONPATH``, as a user would run it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests._proc import Proc, bin_path, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ASGIPASTE = bin_path("asgipaste")

LEGACY_APP = '''
def factory(global_conf, **local_conf):
    text = local_conf.get("text", "legacy").encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [text]

    return app
'''

INI = """
[app:main]
use = call:legacyapp:factory
text = main app

[app:other]
use = call:legacyapp:factory
text = other app

[server:main]
use = egg:asgipaste#uvicorn
host = 127.0.0.1
port = {port}

[server:alt]
use = egg:asgipaste#uvicorn
host = 127.0.0.1
port = {alt_port}
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ASGIPASTE_") and k != "PYTHONPATH"}


def _write(tmp_path: Path, port: int = 8000, alt_port: int = 8001) -> None:
    (tmp_path / "legacyapp.py").write_text(LEGACY_APP)
    (tmp_path / "api-paste.ini").write_text(INI.format(port=port, alt_port=alt_port))


@pytest.mark.parametrize("command", [["check"], ["graph"]])
def test_modules_beside_the_ini_are_found(tmp_path: Path, command: list[str]) -> None:
    _write(tmp_path)
    done = subprocess.run([ASGIPASTE, *command, "api-paste.ini"], cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "ModuleNotFoundError" not in done.stdout + done.stderr


def test_serve_finds_them_too_and_takes_pserve_flags(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port, alt_port = free_port(), free_port()
    _write(tmp_path, port, alt_port)
    proc = spawn([ASGIPASTE, "serve", "api-paste.ini", "-n", "other", "-s", "alt"], env=_env())
    assert wait_http(f"http://127.0.0.1:{alt_port}/", proc=proc).text == "other app"


def test_the_import_hint_names_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "api-paste.ini").write_text("[app:main]\nuse = call:not_beside_me:factory\n")
    done = subprocess.run([ASGIPASTE, "check", "api-paste.ini"], cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert f"the working directory ({tmp_path}) is searched for modules" in output
    assert "PYTHONPATH" in output
