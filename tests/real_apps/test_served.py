"""The same files served the way they are deployed: ``asgipaste serve`` beside ``pserve``.

Subprocesses on loopback ports, each killed at teardown. ``[server:main] use =
egg:waitress#main`` sections are served by uvicorn under asgipaste and by
waitress under pserve; what the apps answer must not change, and neither must
waitress's forwarded-header rules (no proxy trusted unless ``trusted_proxy``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests._proc import Proc, bin_path, child_env, free_port, wait_http
from tests.real_apps._harness import Served, load_both, normalised_body, raw_request, waitress_thread, write_dist
from tests.real_apps.test_paste_eggs import BIG, INDEX, make_site
from tests.real_apps.test_pyramid import ENTRY_POINTS

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:HTTPS is not enabled:UserWarning")]

HERE = Path(__file__).parent
ASGIPASTE = bin_path("asgipaste")
PSERVE = bin_path("pserve")
TRUST_LOCAL_PROXY = "trusted_proxy = 127.0.0.1\ntrusted_proxy_headers = x-forwarded-proto\n"


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    started: list[Proc] = []

    def start(args: list[str], *, env: dict[str, str] | None = None) -> Proc:
        proc = Proc(args, cwd=tmp_path, log=tmp_path / f"proc{len(started)}.log", env=env or child_env())
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()


def _kinto_ini(where: Path, server_extra: str = "") -> Path:
    text = (HERE / "kinto.ini").read_text()
    if server_extra:
        text = text.replace("port = %(http_port)s\n", "port = %(http_port)s\n" + server_extra, 1)
    ini = where / "kinto.ini"
    ini.write_text(text)
    return ini


def _root_url(port: int, headers: dict[str, str]) -> str:
    response = httpx.get(f"http://127.0.0.1:{port}/v1/", headers=headers, timeout=10)
    assert response.status_code == 200
    url: str = json.loads(response.content)["url"]
    return url


def _serve_both(spawn: Callable[..., Proc], ini: Path, env: dict[str, str] | None = None) -> tuple[int, int]:
    """``asgipaste serve`` and ``pserve`` on the same file, each on its own port; both answering."""
    ours, theirs = free_port(), free_port()
    asgi = spawn([ASGIPASTE, "serve", str(ini), f"http_port={ours}"], env=env)
    pserve = spawn([PSERVE, str(ini), f"http_port={theirs}"], env=env)
    wait_http(f"http://127.0.0.1:{ours}/", proc=asgi, timeout=30)
    wait_http(f"http://127.0.0.1:{theirs}/", proc=pserve, timeout=30)
    return ours, theirs


SPOOFED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"}


def test_kinto_waitress_section_trusts_no_forwarded_header(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ours, theirs = _serve_both(spawn, _kinto_ini(tmp_path))
    assert _root_url(theirs, SPOOFED) == f"http://127.0.0.1:{theirs}/v1/"  # waitress: nothing trusted
    assert _root_url(ours, SPOOFED) == f"http://127.0.0.1:{ours}/v1/"
    assert _root_url(ours, {}) == f"http://127.0.0.1:{ours}/v1/"


def test_kinto_trusted_proxy_is_honoured_like_waitress(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ours, theirs = _serve_both(spawn, _kinto_ini(tmp_path, TRUST_LOCAL_PROXY))
    # trusted_proxy_headers names x-forwarded-proto alone: the scheme changes, the host does not
    assert _root_url(theirs, SPOOFED) == f"https://127.0.0.1:{theirs}/v1/"
    assert _root_url(ours, SPOOFED) == f"https://127.0.0.1:{ours}/v1/"
    assert _root_url(ours, {}) == f"http://127.0.0.1:{ours}/v1/"


def test_pyramid_development_ini_under_asgipaste_serve_and_pserve(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    dists = write_dist(tmp_path / "dists", "realapps_pyramid", ENTRY_POINTS)
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(dists)])
    ini = Path(shutil.copy(HERE / "development.ini", tmp_path / "development.ini"))
    ours, theirs = _serve_both(spawn, ini, env=env)
    for port in (ours, theirs):
        toolbar = httpx.get(f"http://127.0.0.1:{port}/_debug_toolbar/", timeout=10)
        assert toolbar.status_code == 200, (port, toolbar.text[:300])
        assert "<title>Pyramid Debug Toolbar</title>" in toolbar.text
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert 'id="pDebug"' in home.text
        info = httpx.get(f"http://127.0.0.1:{port}/info", timeout=10).json()
        assert info["multiprocess"] is False and info["url"] == f"http://127.0.0.1:{port}/info"
    # the INI's [formatter_generic] formats both servers' lines
    generic = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO  \[[\w.]+:\d+\]\[\w+\] "
    logs = [tmp_path / "proc0.log", tmp_path / "proc1.log"]  # asgipaste serve, then pserve
    assert re.search(generic + r"Application startup complete", logs[0].read_text()), logs[0].read_text()
    assert re.search(generic + r"Serving on http://127\.0\.0\.1:\d+", logs[1].read_text()), logs[1].read_text()


def test_paste_eggs_on_granian(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ini = make_site(tmp_path)
    port = free_port()
    text = ini.read_text() + f"\n[server:granian]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\n"
    ini.write_text(text)
    proc = spawn([ASGIPASTE, "serve", str(ini), "--server", "granian"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc, timeout=30)
    granian = Served("asgipaste+granian", "127.0.0.1", port)
    _, wsgi_app = load_both(str(ini))
    requests = [
        ("/", {}),
        ("/sub", {}),
        ("/big.bin", {"Range": "bytes=100-199"}),
        ("/%2e%2e/secret.txt", {}),
        ("/exc/forbidden", {}),
        ("/errdoc/nope", {}),
        ("/cascade/zzz", {}),
        ("/x", {"Host": "api.example.test"}),
    ]
    with waitress_thread(wsgi_app) as waitress:
        for target, headers in requests:
            reference = raw_request(waitress, "GET", target, headers=headers)
            got = raw_request(granian, "GET", target, headers=headers)
            assert got.status == reference.status, target
            assert got.app_headers(port=port) == reference.app_headers(port=waitress.port), target
            assert normalised_body(got, granian) == normalised_body(reference, waitress), target
    assert raw_request(granian, "GET", "/").body == INDEX
    assert raw_request(granian, "GET", "/big.bin").body == BIG
    assert raw_request(granian, "GET", "/").header("Server") == "granian"


def test_kinto_scenario_on_granian(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    from tests.real_apps import kinto_scenario

    ini = _kinto_ini(tmp_path)
    port = free_port()
    ini.write_text(
        ini.read_text() + "\n[server:granian]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = %(http_port)s\n"
    )
    # var=value before the options, as pserve requires too
    proc = spawn([ASGIPASTE, "serve", str(ini), f"http_port={port}", "--server", "granian"])
    wait_http(f"http://127.0.0.1:{port}/v1/", proc=proc, timeout=30)
    kinto_scenario.check(kinto_scenario.run(f"http://127.0.0.1:{port}/v1"))
    assert httpx.get(f"http://127.0.0.1:{port}/v1/", timeout=10).headers["server"] == "granian"
    # Kinto is WSGI all the way down: granian serves it on its WSGI interface, no ASGI crossing
    # (asgipaste's notice saying so is below kinto.ini's WARNING root level; granian's own line shows it)
    assert "Websockets are not supported on WSGI" in proc.log()


def test_pyramid_toolbar_turns_itself_off_with_workers(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    dists = write_dist(tmp_path / "dists", "realapps_pyramid", ENTRY_POINTS)
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(dists)])
    ini = Path(shutil.copy(HERE / "development.ini", tmp_path / "development.ini"))
    port = free_port()
    proc = spawn([ASGIPASTE, "serve", str(ini), f"http_port={port}", "--workers", "2"], env=env)
    wait_http(f"http://127.0.0.1:{port}/", proc=proc, timeout=30)
    # two processes: wsgi.multiprocess is true, and pyramid_debugtoolbar disables itself (as under gunicorn -w 2)
    assert httpx.get(f"http://127.0.0.1:{port}/info", timeout=10).json()["multiprocess"] is True
    assert httpx.get(f"http://127.0.0.1:{port}/_debug_toolbar/", timeout=10).status_code == 404
    assert 'id="pDebug"' not in httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text


def test_pyramid_mounted_under_urlmap_and_prefix(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    dists = write_dist(tmp_path / "dists", "realapps_pyramid", ENTRY_POINTS)
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(dists)])
    make_site(tmp_path)
    ini = Path(shutil.copy(HERE / "mounted.ini", tmp_path / "mounted.ini"))
    ours, theirs = _serve_both(spawn, ini, env=env)
    seen = {}
    for port in (ours, theirs):
        base = f"http://127.0.0.1:{port}"
        shop = httpx.get(f"{base}/shop/info", timeout=10).json()
        assert (shop["script_name"], shop["url"]) == ("/shop", f"{base}/shop/info")
        assert httpx.get(f"{base}/shopping", timeout=10).status_code == 404  # a prefix, not a string prefix
        assert httpx.get(f"{base}/", timeout=10).content == INDEX
        # PasteDeploy's prefix filter believes X-Forwarded-Host/-Proto itself; a waitress section
        # removes them first (no trusted_proxy), under pserve and under asgipaste serve alike
        proxied = httpx.get(f"{base}/proxied/info", headers=SPOOFED, timeout=10).json()
        assert (proxied["script_name"], proxied["url"]) == ("/app", f"{base}/app/info")
        seen[port] = proxied["remote_addr"]
    assert set(seen.values()) == {"127.0.0.1"}


def test_pyramid_toolbar_on_granian(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    dists = write_dist(tmp_path / "dists", "realapps_pyramid", ENTRY_POINTS)
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(dists)])
    ini = tmp_path / "development.ini"
    granian = "\n[server:granian]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = %(http_port)s\n"
    ini.write_text((HERE / "development.ini").read_text() + granian)
    port = free_port()
    proc = spawn([ASGIPASTE, "serve", str(ini), f"http_port={port}", "--server", "granian"], env=env)
    wait_http(f"http://127.0.0.1:{port}/", proc=proc, timeout=30)
    base = f"http://127.0.0.1:{port}"
    # granian builds the environ itself (WSGI all the way down): one worker says multiprocess False too
    assert httpx.get(f"{base}/info", timeout=10).json()["multiprocess"] is False
    assert httpx.get(f"{base}/_debug_toolbar/", timeout=10).status_code == 200
    home = httpx.get(f"{base}/", timeout=10)
    assert 'id="pDebug"' in home.text and home.headers["server"] == "granian"
    proc.wait_for(r"WSGI all the way down, no crossing")
