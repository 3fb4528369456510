"""Serving processes ``gc.freeze()`` what they loaded, so full collections do not pause requests.

Measured in docs/benchmarks.md: unfrozen, a mixed tree's WSGI branch on uvicorn
had a p99 of about 14 ms (every full collection walked the whole loaded stack
while requests waited); frozen, about 4 ms, as the all-WSGI tree. These tests
check the behaviour: which processes freeze, and the opt-out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from asgipaste.servers import granian as granian_server
from asgipaste.servers import uvicorn as uvicorn_server
from asgipaste.servers.policy import ENV_GC_FREEZE, ServePolicy
from tests._proc import PYTHON, Proc, bin_path, child_env, free_port, wait_http

MIXED = """
[composite:main]
use = egg:Paste#urlmap
/ = asgi
/legacy = legacy

[app:asgi]
use = call:tests.serving.apps:text_app

[app:legacy]
use = call:tests.serving.apps:gc_state_app
"""

ALL_WSGI = """
[composite:main]
use = egg:Paste#urlmap
/legacy = legacy

[app:legacy]
use = call:tests.serving.apps:gc_state_app
"""


def test_a_policy_read_from_the_environment_freezes_unless_told_not_to() -> None:
    assert ServePolicy.from_env({}).freeze_gc is True
    assert ServePolicy.from_env({ENV_GC_FREEZE: "0"}).freeze_gc is False
    assert ServePolicy().freeze_gc is False  # built by hand (a library caller): nothing process-wide
    assert uvicorn_server.server_factory({}).policy.freeze_gc is True
    assert granian_server.server_factory({}).policy.freeze_gc is True
    policy = uvicorn_server.server_factory({}).policy
    assert ServePolicy.from_env(policy.to_env()) == policy


def _frozen(port: int) -> int:
    text = httpx.get(f"http://127.0.0.1:{port}/legacy/", timeout=10).text
    return int(text.removeprefix("frozen="))


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize("opt_out", [False, True])
def test_uvicorn_serve_app_freezes_the_loaded_stack(
    spawn: Callable[..., Proc], tmp_path: Path, opt_out: bool
) -> None:
    (tmp_path / "site.ini").write_text(MIXED)
    port = free_port()
    extra = {ENV_GC_FREEZE: "0"} if opt_out else {}
    env = child_env(ASGIPASTE_CONFIG=str(tmp_path / "site.ini"), **extra)
    proc = spawn([PYTHON, "-m", "uvicorn", "asgipaste.serve:app", "--port", str(port)], env=env)
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    frozen = _frozen(port)
    assert frozen == 0 if opt_out else frozen > 1000  # the app, its modules, uvicorn


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("server", "tree"), [("uvicorn", MIXED), ("granian", MIXED), ("granian", ALL_WSGI)])
def test_asgipaste_serve_freezes_in_each_worker(
    spawn: Callable[..., Proc], tmp_path: Path, server: str, tree: str
) -> None:
    """uvicorn's workers, granian's ASGI interface (mixed tree) and its WSGI interface (all-WSGI tree)."""
    if server == "granian":
        pytest.importorskip("granian", reason="granian is a test dependency (the [granian] extra)")
    port = free_port()
    section = f"[server:main]\nuse = egg:asgipaste#{server}\nport = {port}\nworkers = 2\n"
    (tmp_path / "site.ini").write_text(section + tree)
    proc = spawn([bin_path("asgipaste"), "serve", "site.ini"])
    wait_http(f"http://127.0.0.1:{port}/legacy/", proc=proc)
    assert all(_frozen(port) > 1000 for _ in range(6))


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_launcher_workers_freeze(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "api-paste.ini").write_text(
        f"[DEFAULT]\nenabled_apis = main\nmain_listen = 127.0.0.1\nmain_listen_port = {port}\nmain_workers = 1\n"
        + ALL_WSGI
    )
    proc = spawn([bin_path("asgipaste"), "launch", "api-paste.ini"])
    wait_http(f"http://127.0.0.1:{port}/legacy/", proc=proc)
    assert _frozen(port) > 1000
