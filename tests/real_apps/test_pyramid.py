"""A Pyramid project's development.ini (cookiecutter shape) with pyramid_debugtoolbar.

``[app:main] use = egg:realapps_pyramid`` names a tiny distribution written to
a temporary directory on ``sys.path``; the file is loaded by asgipaste (uvicorn
httptools and h11) and by PasteDeploy (waitress), and the toolbar must answer
under both: it disables itself when ``wsgi.multiprocess`` is true, so a single
asgipaste process has to say False, like waitress.
"""

from __future__ import annotations

import http.client
import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.real_apps._harness import (
    Raw,
    Served,
    load_both,
    normalised_body,
    raw_request,
    uvicorn_thread,
    waitress_thread,
    write_dist,
)

HERE = Path(__file__).parent
ENTRY_POINTS = "[paste.app_factory]\nmain = tests.real_apps.pyramid_site:main\n"


@pytest.fixture(scope="module")
def pyramid_dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    where = write_dist(tmp_path_factory.mktemp("dists"), "realapps_pyramid", ENTRY_POINTS)
    sys.path.insert(0, str(where))
    importlib.invalidate_caches()
    try:
        yield where
    finally:
        sys.path.remove(str(where))
        importlib.invalidate_caches()


@dataclass
class Sites:
    asgi: list[Served]
    waitress: Served


@pytest.fixture(scope="module")
def sites(pyramid_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    ini = tmp_path_factory.mktemp("pyramid") / "development.ini"
    shutil.copy(HERE / "development.ini", ini)
    asgi_app, wsgi_app = load_both(str(ini), global_conf={"http_port": "6543"})
    with (
        uvicorn_thread(asgi_app, http="httptools") as httptools,
        uvicorn_thread(asgi_app, http="h11") as h11,
        waitress_thread(wsgi_app) as waitress,
    ):
        yield Sites([httptools, h11], waitress)


def every(sites: Sites, method: str, target: str, **kw: object) -> list[tuple[Served, Raw]]:
    return [(s, raw_request(s, method, target, **kw)) for s in [sites.waitress, *sites.asgi]]  # type: ignore[arg-type]


def test_toolbar_answers_like_under_waitress(sites: Sites) -> None:
    for served, got in every(sites, "GET", "/_debug_toolbar/"):
        assert got.status == 200, (served.name, got.status, got.body[:200])
        assert got.header("Content-Type") == "text/html; charset=UTF-8"
        assert b"<title>Pyramid Debug Toolbar</title>" in got.body, served.name


def test_toolbar_is_injected_into_html_pages(sites: Sites) -> None:
    for served, got in every(sites, "GET", "/"):
        assert got.status == 200
        assert b"Pyramid says hi" in got.body
        assert b'id="pDebug"' in got.body, served.name  # the toolbar's button, added by its tween
        assert b"/_debug_toolbar/" in got.body


def test_toolbar_lists_the_request_it_saw(sites: Sites) -> None:
    for served, _ in every(sites, "GET", "/info?marker=realapps"):
        page = raw_request(served, "GET", "/_debug_toolbar/")
        assert page.status == 200
        assert b"/info" in page.body, served.name


def test_json_view_and_environ_agree(sites: Sites) -> None:
    answers = {}
    for served, got in every(sites, "GET", "/info"):
        assert got.status == 200 and got.header("Content-Type") == "application/json"
        data = json.loads(got.body)
        assert data["url"] == f"{served.url}/info"
        data["url"] = "<url>"
        answers[served.name] = data
    expected = {
        "project": "realapps_pyramid",
        "url": "<url>",
        "script_name": "",
        "multiprocess": False,  # one process: the toolbar stays on
        "multithread": True,
        "remote_addr": "127.0.0.1",
    }
    assert answers == dict.fromkeys(answers, expected)


def test_not_found_and_method_not_allowed_match(sites: Sites) -> None:
    for target, method in (("/nope", "GET"), ("/echo", "GET")):
        answers = every(sites, method, target)
        reference_served, reference = answers[0]
        for served, got in answers[1:]:
            assert got.status == reference.status == 404
            assert got.app_headers() == reference.app_headers()
            assert normalised_body(got, served) == normalised_body(reference, reference_served)


def test_request_body_reaches_pyramid(sites: Sites) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB
    for served, got in every(sites, "POST", "/echo", body=body, headers={"Content-Type": "application/octet-stream"}):
        assert got.status == 200, served.name
        assert got.body == body, served.name


def test_toolbar_refuses_other_hosts_when_forwarded_header_is_not_trusted(sites: Sites) -> None:
    # a spoofed X-Forwarded-For from loopback changes nothing: no proxy is trusted
    for served, got in every(sites, "GET", "/", headers={"X-Forwarded-For": "203.0.113.9"}):
        assert got.status == 200
        assert b'id="pDebug"' in got.body, served.name


def test_chunked_request_body_with_expect_continue_reaches_pyramid(sites: Sites) -> None:
    chunks = [b"a" * 70_000, b"b" * 5, b"c" * 100_000]
    for served in [sites.waitress, *sites.asgi]:
        conn = http.client.HTTPConnection(served.host, served.port, timeout=10)
        try:
            headers = {"Content-Type": "application/octet-stream", "Expect": "100-continue"}
            conn.request("POST", "/echo", body=iter(chunks), headers=headers, encode_chunked=True)
            response = conn.getresponse()
            assert response.status == 200, served.name
            assert response.read() == b"".join(chunks), served.name
        finally:
            conn.close()
