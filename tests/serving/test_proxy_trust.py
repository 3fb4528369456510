"""Forwarded headers and the process model, served for real: what a WSGI app is told.

A migrated waitress section trusts forwarded headers exactly as waitress does
(nobody unless ``trusted_proxy``); asgipaste's own uvicorn section trusts
nobody unless ``forwarded_allow_ips`` names the proxy (uvicorn alone trusts
127.0.0.1). ``wsgi.multiprocess`` says whether several workers serve.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import Proc, bin_path, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ASGIPASTE = bin_path("asgipaste")
SPOOF = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}

APP = """
[app:main]
use = call:tests.serving.apps:environ_echo_app
"""


def _serve(spawn: Callable[..., Proc], tmp_path: Path, server: str) -> str:
    port = free_port()
    (tmp_path / "site.ini").write_text(server.format(port=port) + APP)
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc=proc)
    return url


@pytest.mark.parametrize(
    ("server", "scheme", "forwarded_header_kept"),
    [
        pytest.param("[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n", "http", False,
                     id="waitress-no-trusted-proxy"),
        pytest.param("[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n"
                     "trusted_proxy = 127.0.0.1\n", "https", True, id="waitress-trusted-proxy"),
        pytest.param("[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n"
                     "clear_untrusted_proxy_headers = false\n", "http", True, id="waitress-keep-untrusted"),
        pytest.param("[server:main]\nuse = egg:asgipaste#uvicorn\nport = {port}\n", "http", True,
                     id="uvicorn-section-default"),
        pytest.param("[server:main]\nuse = egg:asgipaste#uvicorn\nport = {port}\n"
                     "forwarded_allow_ips = 127.0.0.1\n", "https", True, id="uvicorn-section-trusting"),
    ],
)
def test_spoofed_forwarded_proto(
    spawn: Callable[..., Proc], tmp_path: Path, server: str, scheme: str, forwarded_header_kept: bool
) -> None:
    url = _serve(spawn, tmp_path, server)
    seen = httpx.get(url, headers=SPOOF, timeout=5).json()
    assert seen["url_scheme"] == scheme
    assert seen["application_url"].startswith(f"{scheme}://")
    assert (seen["x_forwarded_proto"] is not None) is forwarded_header_kept
    control = httpx.get(url, timeout=5).json()
    assert control["url_scheme"] == "http" and control["remote_addr"] == "127.0.0.1"


def test_trusted_proxy_headers_give_the_client_address(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    url = _serve(spawn, tmp_path, "[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n"
                 "trusted_proxy = 127.0.0.1\ntrusted_proxy_headers = x-forwarded-for x-forwarded-proto\n")
    seen = httpx.get(url, headers=SPOOF, timeout=5).json()
    assert seen["remote_addr"] == "203.0.113.9" and seen["url_scheme"] == "https"


@pytest.mark.parametrize(("workers", "multiprocess"), [(1, False), (2, True)])
def test_wsgi_multiprocess_follows_the_worker_count(
    spawn: Callable[..., Proc], tmp_path: Path, workers: int, multiprocess: bool
) -> None:
    url = _serve(spawn, tmp_path, f"[server:main]\nuse = egg:asgipaste#uvicorn\nport = {{port}}\nworkers = {workers}\n")
    seen = httpx.get(url, timeout=5).json()
    assert seen["multiprocess"] is multiprocess
    assert seen["multithread"] is True and seen["run_once"] is False


def test_plain_uvicorn_workers_are_read_from_web_concurrency(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    """`uvicorn asgipaste.serve:app --workers 2` sets no asgipaste variable: WEB_CONCURRENCY tells the environ."""
    from tests._proc import PYTHON, child_env

    (tmp_path / "site.ini").write_text(APP)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG=str(tmp_path / "site.ini"), WEB_CONCURRENCY="2")
    proc = spawn([PYTHON, "-m", "uvicorn", "asgipaste.serve:app", "--port", str(port)], env=env)
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).json()["multiprocess"] is True
