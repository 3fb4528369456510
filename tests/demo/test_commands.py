"""The real commands: `uvicorn asgipaste.serve:app` (no configuration), `asgipaste serve`, `asgipaste launch`."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from asgipaste.demo import DEFAULT_CONFIG
from tests._proc import PYTHON, Proc, bin_path, free_port, wait_http
from tests.demo.conftest import ADMIN_TOKEN, auth

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

SERVER = {"server": {"name": "from-a-command", "flavorRef": "1"}}


def create_and_list(base: str, token: str = ADMIN_TOKEN) -> str:
    created = httpx.post(f"{base}/v2/demo/servers", json=SERVER, headers=auth(token), timeout=10)
    assert created.status_code == 202, created.text
    server_id: str = created.json()["server"]["id"]
    listed = httpx.get(f"{base}/v2/demo/servers", headers=auth(token), timeout=10).json()["servers"]
    assert server_id in [s["id"] for s in listed]
    return server_id


def test_uvicorn_serves_the_demo_with_no_configuration(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    cmd = [PYTHON, "-m", "uvicorn", "asgipaste.serve:app", "--host", "127.0.0.1", "--port", str(port)]
    proc = spawn([*cmd, "--lifespan", "on"])  # env: no ASGIPASTE_* variable, TMPDIR=tmp_path
    base = f"http://127.0.0.1:{port}"
    versions = wait_http(base + "/", proc=proc)
    assert versions.status_code == 200
    assert [v["links"][0]["href"] for v in versions.json()["versions"]] == [base + "/v2/", base + "/v3/"]
    create_and_list(base)
    assert httpx.get(base + "/tutorial/firstapp", timeout=10).text == "I am first app"
    # the INI gives no sqlite_db: the per-user file in the temp directory
    uid = os.getuid()
    assert (tmp_path / f"asgipaste-demo-{uid}.sqlite").is_file()


def test_asgipaste_serve_switches_to_keystone_and_keeps_data(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "keystone.sqlite"
    cmd = [bin_path("asgipaste"), "serve", str(DEFAULT_CONFIG), "auth_strategy=keystone", f"sqlite_db={db}"]
    cmd += ["--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    proc = spawn(cmd)
    wait_http(base + "/", proc=proc)
    # keystone: only tokens in the database pass; noauth would have trusted this one
    assert httpx.get(f"{base}/v2/mallory/servers", headers=auth("mallory:mallory"), timeout=10).status_code == 401
    server_id = create_and_list(base)
    proc.signal(signal.SIGINT)
    assert proc.wait_exit() == 0
    assert "Application shutdown complete" in proc.log()

    again = spawn(cmd)
    wait_http(base + "/", proc=again)
    shown = httpx.get(f"{base}/v2/demo/servers/{server_id}", headers=auth(), timeout=10)
    assert shown.status_code == 200
    assert shown.json()["server"]["name"] == "from-a-command"


def test_asgipaste_launch_serves_compute_and_metadata_ports(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    # keystone here (noauth is the default the uvicorn test above runs)
    strategy = "keystone"
    compute_port, metadata_port = free_port(), free_port()
    cmd = [
        bin_path("asgipaste"),
        "launch",
        str(DEFAULT_CONFIG),
        f"auth_strategy={strategy}",
        f"osapi_compute_listen_port={compute_port}",
        f"metadata_listen_port={metadata_port}",
        f"sqlite_db={tmp_path / 'launch.sqlite'}",
    ]
    proc = spawn(cmd)
    compute, metadata = f"http://127.0.0.1:{compute_port}", f"http://127.0.0.1:{metadata_port}"
    wait_http(compute + "/", proc=proc)
    wait_http(metadata + "/", proc=proc)
    server_id = create_and_list(compute)
    doc = httpx.get(metadata + "/openstack/latest/meta_data.json", headers={"X-Instance-ID": server_id}, timeout=10)
    assert doc.status_code == 200
    assert (doc.json()["uuid"], doc.json()["name"]) == (server_id, "from-a-command")
    # the compute port serves osapi_compute only: the tutorial lives on `main`
    assert httpx.get(compute + "/v2/demo/servers", timeout=10).status_code == 401
    proc.signal(signal.SIGTERM)
    assert proc.wait_exit() == 0
