"""Kinto (memory backends, accounts + basicauth) driven end to end by kinto_http.

One ``kinto.ini`` (the ``kinto init`` template's shape) is loaded three times:
by asgipaste served on uvicorn httptools and on uvicorn h11, and by
PasteDeploy served on waitress. The same kinto_http session
(:mod:`tests.real_apps.kinto_scenario`) runs against each, concurrently (most
of its time is Kinto's bcrypt); every step must give Kinto's documented answer
and the same answer as under waitress.
"""

from __future__ import annotations

import concurrent.futures
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paste.deploy import loadapp as paste_loadapp

from asgipaste import loadapp
from tests.real_apps import kinto_scenario
from tests.real_apps._harness import Served, raw_request, uvicorn_thread, waitress_thread

HERE = Path(__file__).parent
GLOBAL = {"http_port": "8888"}

pytestmark = [
    # Kinto warns at startup that HTTPS is off (a loopback test server).
    pytest.mark.filterwarnings("ignore:HTTPS is not enabled:UserWarning"),
]


@pytest.fixture(scope="module")
def kinto_ini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ini = tmp_path_factory.mktemp("kinto") / "kinto.ini"
    shutil.copy(HERE / "kinto.ini", ini)
    return ini


@pytest.fixture(scope="module")
def servers(kinto_ini: Path) -> Iterator[dict[str, Served]]:
    """The file loaded three times: asgipaste on httptools and on h11, PasteDeploy on waitress."""
    uri = f"config:{kinto_ini}"
    with (
        uvicorn_thread(loadapp(uri, global_conf=dict(GLOBAL)), http="httptools") as httptools,
        uvicorn_thread(loadapp(uri, global_conf=dict(GLOBAL)), http="h11") as h11,
        waitress_thread(paste_loadapp(uri, global_conf=dict(GLOBAL))) as waitress,
    ):
        yield {"httptools": httptools, "h11": h11, "waitress": waitress}


@pytest.fixture(scope="module")
def runs(servers: dict[str, Served]) -> dict[str, Any]:
    """Each server's scenario result (or the exception it raised), run side by side."""
    with concurrent.futures.ThreadPoolExecutor(len(servers)) as pool:
        futures = {name: pool.submit(kinto_scenario.run, s.url + "/v1") for name, s in servers.items()}
        results: dict[str, Any] = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=60)
            except Exception as exc:  # reported by the test of that server
                results[name] = exc
    return results


def _steps(runs: dict[str, Any], name: str) -> list[kinto_scenario.Step]:
    result = runs[name]
    if isinstance(result, Exception):
        pytest.fail(f"the kinto_http scenario failed under {name}: {type(result).__name__}: {result}")
    return result  # type: ignore[no-any-return]


def test_scenario_under_waitress_is_kintos_documented_behaviour(runs: dict[str, Any]) -> None:
    kinto_scenario.check(_steps(runs, "waitress"))


def test_scenario_under_asgipaste_httptools(runs: dict[str, Any]) -> None:
    steps = _steps(runs, "httptools")
    kinto_scenario.check(steps)
    assert steps == _steps(runs, "waitress")


def test_scenario_under_asgipaste_h11(runs: dict[str, Any]) -> None:
    # Kinto's Content-Security-Policy value ends in "; " (a trailing space): h11 refuses to
    # send such a header and uvicorn drops the connection unless the WSGI adapter strips it.
    steps = _steps(runs, "h11")
    kinto_scenario.check(steps)
    assert steps == _steps(runs, "waitress")


@pytest.mark.parametrize("http", ["httptools", "h11"])
@pytest.mark.parametrize("target", ["/v1/", "/v1/__heartbeat__", "/v1/buckets/nope", "/v1/nothing-here"])
def test_anonymous_answers_match_waitress(servers: dict[str, Served], http: str, target: str) -> None:
    asgi, waitress = servers[http], servers["waitress"]
    reference = raw_request(waitress, "GET", target)
    got = raw_request(asgi, "GET", target)
    assert got.status == reference.status
    want = reference.app_headers(port=waitress.port)
    have = got.app_headers(port=asgi.port)
    # WSGI lets a value end in whitespace; HTTP/1.1 (RFC 9110 5.5) does not, and h11 refuses it
    assert want["content-security-policy"].endswith("; ")
    assert have["content-security-policy"].strip() == want["content-security-policy"].strip()
    del want["content-security-policy"], have["content-security-policy"]
    assert have == want
    assert got.body.replace(str(asgi.port).encode(), b"PORT") == reference.body.replace(
        str(waitress.port).encode(), b"PORT"
    )


AUTH = {"Authorization": kinto_scenario._basic("alice", kinto_scenario.PASSWORD)}
JSON = {**AUTH, "Content-Type": "application/json"}
SONGS = "/v1/buckets/music/collections/songs/records"


@pytest.mark.parametrize("http", ["httptools", "h11"])
@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "status"),
    [
        ("HEAD", SONGS, AUTH, None, 200),  # Total-Records, an empty body
        ("GET", f"{SONGS}?_since=abc", AUTH, None, 400),
        ("GET", f"{SONGS}?_limit=2&_sort=n&_fields=n", AUTH, None, 200),
        ("POST", SONGS, JSON, b"{bad json", 400),
        ("PUT", "/v1/buckets/music", {**AUTH, "Content-Type": "text/plain"}, b"x", 415),
        ("GET", "/v1/buckets/music/collections/nope/records", AUTH, None, 404),
        ("GET", f"{SONGS}/big", {**AUTH, "Accept-Encoding": "gzip"}, None, 200),
    ],
)
def test_after_the_session_answers_match_waitress(
    servers: dict[str, Served],
    runs: dict[str, Any],
    http: str,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes | None,
    status: int,
) -> None:
    _steps(runs, http)  # the scenario created alice and the music bucket on this server too
    asgi, waitress = servers[http], servers["waitress"]
    reference = raw_request(waitress, method, target, headers=headers, body=body)
    got = raw_request(asgi, method, target, headers=headers, body=body)
    assert reference.status == got.status == status
    # timestamps and ETags are each server's own clock
    drop = {"etag", "last-modified", "content-security-policy"}
    want = {k: v for k, v in reference.app_headers(port=waitress.port).items() if k not in drop}
    have = {k: v for k, v in got.app_headers(port=asgi.port).items() if k not in drop}
    for headers_seen in (want, have):  # the pagination token carries a nonce and a timestamp
        if "next-page" in headers_seen:
            headers_seen["next-page"] = headers_seen["next-page"].split("_token=")[0]
    assert have == want
    if method == "HEAD":
        assert got.body == b"" and got.header("Total-Records") == reference.header("Total-Records") == "11"
    elif target.endswith("/big"):
        assert len(got.body) == len(reference.body) > 2 * 1024 * 1024
    else:  # records carry each server's own last_modified
        assert kinto_scenario._strip(json.loads(got.body)) == kinto_scenario._strip(json.loads(reference.body))
