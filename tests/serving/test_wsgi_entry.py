"""``asgipaste.wsgi:application`` and ``loadapp(..., protocol="wsgi")``: INI files for WSGI servers.

An all-WSGI tree is handed over as the fused WSGI app itself; a mixed tree as a
WSGI view whose ASGI parts run on a loop of the process's own, with the
lifespan started once per process. Served for real under gunicorn's sync
worker and waitress.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from asgipaste import ConfigError, load_stack, loadapp
from asgipaste.interop.loop_host import WSGIView
from tests._proc import Proc, bin_path, child_env, free_port, wait_http

MIXED = """
[composite:main]
use = egg:Paste#urlmap
/ = asgi
/legacy = legacy

[app:asgi]
use = call:tests.serving.apps:lifespan_counter_app

[app:legacy]
use = call:tests.serving.apps:wsgi_text_app
text = legacy
"""

ALL_WSGI = """
[composite:main]
use = egg:Paste#urlmap
/legacy = legacy
/other = other

[app:legacy]
use = call:tests.serving.apps:wsgi_text_app

[app:other]
use = call:tests.serving.apps:wsgi_text_app
text = other
"""


def _environ(path: str, method: str = "GET") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "t",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(), "HTTP_HOST": "t",
    }


def _call(app: Any, path: str) -> tuple[str, bytes]:
    statuses: list[str] = []
    result = app(_environ(path), lambda status, headers, exc_info=None: statuses.append(status))
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return statuses[0], body


def test_an_all_wsgi_tree_is_the_fused_wsgi_app_itself(tmp_path: Path) -> None:
    (tmp_path / "a.ini").write_text(ALL_WSGI)
    uri = f"config:{tmp_path / 'a.ini'}"
    app = loadapp(uri, protocol="wsgi")
    assert app is not None and not isinstance(app, WSGIView)
    assert type(app) is type(load_stack(uri).wsgi)
    assert _call(app, "/other/x") == ("200 OK", b"other script_name=/other path_info=/x")


def test_a_mixed_tree_starts_its_lifespan_once_whichever_branch_comes_first(tmp_path: Path) -> None:
    (tmp_path / "a.ini").write_text(MIXED)
    app = loadapp(f"config:{tmp_path / 'a.ini'}", protocol="wsgi")
    assert not isinstance(app, WSGIView)  # pushed down: the urlmap dispatches in WSGI
    assert _call(app, "/legacy/x") == ("200 OK", b"legacy script_name=/legacy path_info=/x")
    for _ in range(3):
        status, body = _call(app, "/")
        assert status == "200 OK" and body.endswith(b"startups=1")


PUSHED = """
[composite:main]
use = egg:Paste#urlmap
/ = asgi
/legacy = legacy
/nested = nested
/wsgi-only = wsgi_only

[composite:nested]
use = egg:Paste#urlmap
/a = inner_asgi
/w = legacy

[composite:wsgi_only]
use = egg:Paste#urlmap
/one = legacy

[app:asgi]
use = call:tests.serving.apps:asgi_paths_app

[app:inner_asgi]
use = call:tests.serving.apps:asgi_paths_app
text = inner

[app:legacy]
use = call:tests.serving.apps:wsgi_crossing_app
"""


def test_wsgi_branches_of_a_mixed_tree_are_called_without_crossing(tmp_path: Path) -> None:
    """The WSGI server's thread calls the WSGI branch itself: no ASGI scope, no other thread."""
    (tmp_path / "a.ini").write_text(PUSHED)
    app = loadapp(f"config:{tmp_path / 'a.ini'}", protocol="wsgi")
    here = f"crossed=False thread={threading.get_ident()}".encode()
    for path in ("/legacy/x", "/nested/w/x", "/wsgi-only/one/x"):
        assert _call(app, path) == ("200 OK", here), path
    assert _call(app, "/nested/a/deep") == ("200 OK", b"inner root_path=/nested/a path=/deep")
    whole = WSGIView(load_stack(f"config:{tmp_path / 'a.ini'}").asgi)
    assert _call(whole, "/legacy/x")[1].startswith(b"crossed=True")  # the whole view crosses twice


@pytest.mark.parametrize(
    "path",
    ["/", "/x/y", "/legacy", "/legacy/", "/legacy/a//b", "/nested//a/b", "/nested", "/nested/a", "/nested/a/b",
     "/nested/w/z", "/nested/zz", "/wsgi-only/one", "/wsgi-only/two", "/legacyx", "/%6Cegacy/x"],
)
def test_the_pushed_down_form_answers_as_the_asgi_form(tmp_path: Path, path: str) -> None:
    """Differential: the same INI, served through ASGI (httpx) and through its WSGI form (a direct call)."""
    (tmp_path / "a.ini").write_text(PUSHED)
    uri = f"config:{tmp_path / 'a.ini'}"
    wsgi_status, wsgi_body = _call(loadapp(uri, protocol="wsgi"), urllib.parse.unquote(path))
    transport = httpx.ASGITransport(app=loadapp(uri))

    async def asgi_get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(path)

    response = asyncio.run(asgi_get())
    assert int(wsgi_status[:3]) == response.status_code
    if response.status_code == 200 and not wsgi_body.startswith(b"crossed="):
        assert wsgi_body == response.content
    elif response.status_code == 200:  # the WSGI branch: reached in both, crossing only under ASGI
        assert response.content.startswith(b"crossed=True") and wsgi_body.startswith(b"crossed=False")


def test_a_mixed_tree_not_under_a_urlmap_is_one_whole_view(tmp_path: Path) -> None:
    (tmp_path / "a.ini").write_text(
        "[pipeline:main]\npipeline = gzip legacy\n"
        "[filter:gzip]\nuse = call:starlette.middleware.gzip:GZipMiddleware\n"
        "[app:legacy]\nuse = call:tests.serving.apps:wsgi_text_app\n"
    )
    app = loadapp(f"config:{tmp_path / 'a.ini'}", protocol="wsgi")
    assert isinstance(app, WSGIView)
    assert _call(app, "/api/x")[0] == "200 OK"


STATEFUL = """
[composite:main]
use = egg:Paste#urlmap
/legacy = legacy
/modern = modern

[app:modern]
use = call:tests.serving.apps:starlette_state_app

[app:legacy]
use = call:tests.serving.apps:wsgi_text_app
"""


@pytest.mark.parametrize("root", ["urlmap", "alone"])
def test_lifespan_state_reaches_asgi_parts_under_a_wsgi_server(tmp_path: Path, root: str) -> None:
    """Starlette's ``request.state`` from its lifespan, in a pushed-down branch and in a whole view."""
    (tmp_path / "a.ini").write_text(STATEFUL)
    app = loadapp(f"config:{tmp_path / 'a.ini'}", name="main" if root == "urlmap" else "modern", protocol="wsgi")
    path = "/modern/" if root == "urlmap" else "/"
    assert _call(app, path) == ("200 OK", f"connected in {os.getpid()}".encode())


def _filters_over_mixed(filters: str, legacy_app: str) -> str:
    """A pipeline of WSGI filters (sections included in ``filters``) over a mixed urlmap."""
    names = " ".join(re.findall(r"\[filter:(\w+)\]", filters))
    return f"""
[pipeline:main]
pipeline = {names} mixed
{filters}
[composite:mixed]
use = egg:Paste#urlmap
/modern = modern
/legacy = legacy

[app:modern]
use = call:tests.serving.apps:starlette_state_app

[app:legacy]
use = call:tests.serving.apps:{legacy_app}
"""


REQUEST_ID = "[filter:request_id]\nuse = egg:oslo.middleware#request_id\n"
FILTERED_MIXED = _filters_over_mixed(REQUEST_ID, "wsgi_text_app")


def test_a_wsgi_filter_over_a_mixed_urlmap_is_not_wsgi_all_the_way_down(tmp_path: Path) -> None:
    """oslo's request_id (WSGI) over a mixed urlmap: the bridge inside needs a loop, so a WSGI server gets a view."""
    pytest.importorskip("oslo_middleware")
    (tmp_path / "a.ini").write_text(FILTERED_MIXED)
    uri = f"config:{tmp_path / 'a.ini'}"
    stack = load_stack(uri)
    assert stack.wsgi is None and "WSGI at the root, ASGI inside" in stack.describe()
    app = loadapp(uri, protocol="wsgi")
    assert _call(app, "/legacy/x") == ("200 OK", b"legacy script_name=/legacy path_info=/x")
    assert _call(app, "/modern/") == ("200 OK", f"connected in {os.getpid()}".encode())


@pytest.mark.parametrize("root", ["urlmap", "alone"])
def test_a_failed_lifespan_startup_answers_500_once_started_never_retried(
    tmp_path: Path, root: str, caplog: pytest.LogCaptureFixture
) -> None:
    """As an ASGI server refuses to serve: every request a 500 naming the failure, one log line, no thread leak."""
    (tmp_path / "a.ini").write_text(STATEFUL.replace("starlette_state_app\n", "starlette_state_app\nfail = startup\n"))
    app = loadapp(f"config:{tmp_path / 'a.ini'}", name="main" if root == "urlmap" else "modern", protocol="wsgi")
    before = set(threading.enumerate())
    with caplog.at_level(logging.ERROR, logger="asgipaste.interop"):
        for path in ("/modern/", "/legacy/x", "/modern/", "/"):
            status, body = _call(app, path)
            assert status == "500 Internal Server Error"
            assert body.startswith(b"asgipaste: lifespan startup of [")
            assert body.rstrip().endswith(b"ConnectionRefusedError: the database is down")
            assert b"Traceback" not in body and b".py" not in body  # the traceback is for the log only
    # the loop of the failed startup was closed, no new ones (a set, not a count: an earlier
    # test's idle worker thread may leave meanwhile)
    assert not set(threading.enumerate()) - before
    failures = [r for r in caplog.records if "lifespan startup" in r.getMessage()]
    assert len(failures) == 1 and "ConnectionRefusedError: the database is down" in failures[0].getMessage()
    assert "Traceback" in failures[0].getMessage()


IDENTITY_OVER_MIXED = _filters_over_mixed(
    REQUEST_ID + "[filter:identity]\nuse = call:tests.serving.apps:identity_filter\n", "environ_keys_app"
)


@pytest.mark.parametrize("form", ["asgi", "wsgi"])
def test_keys_a_wsgi_filter_sets_reach_wsgi_apps_below_a_mixed_urlmap(tmp_path: Path, form: str) -> None:
    """As under PasteDeploy's one shared environ: REMOTE_USER, keystone.token_info, openstack.request_id."""
    pytest.importorskip("oslo_middleware")
    (tmp_path / "a.ini").write_text(IDENTITY_OVER_MIXED)
    uri = f"config:{tmp_path / 'a.ini'}"
    if form == "wsgi":
        status, body = _call(loadapp(uri, protocol="wsgi"), "/legacy/x")
        assert status == "200 OK"
        seen = json.loads(body)
    else:
        transport = httpx.ASGITransport(app=loadapp(uri))

        async def get() -> httpx.Response:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.get("/legacy/x")

        response = asyncio.run(get())
        assert response.status_code == 200
        seen = response.json()
    assert seen["REMOTE_USER"] == "alice"
    assert seen["keystone.token_info"] == {"token": {"user": {"name": "alice"}}}
    assert str(seen["openstack.request_id"]).startswith("req-")
    assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/legacy", "/x")  # this layer's own, not inherited


def _post(app: Any, path: str, body: bytes, query: str = "") -> tuple[str, bytes]:
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "t",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(), "HTTP_HOST": "t", "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    result = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        answer = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return statuses[0], answer


@pytest.mark.parametrize("form", ["asgi", "wsgi"])
@pytest.mark.parametrize(("read", "size"), [("params", 7), ("body", 3_000_002)])
def test_a_body_a_webob_filter_above_read_reaches_the_app_below_a_mixed_urlmap(
    tmp_path: Path, form: str, read: str, size: int
) -> None:
    """WebOb leaves a body it read seekable and says so; readers start again from 0, as under PasteDeploy.

    3 MB is past the adapter's pre-read limit: the app below reads a stream that cannot seek.
    """
    filters = f"[filter:reader]\nuse = call:tests.serving.apps:form_reading_filter\nread = {read}\n"
    (tmp_path / "a.ini").write_text(_filters_over_mixed(filters, "webob_body_app"))
    uri = f"config:{tmp_path / 'a.ini'}"
    body = b"a=1&b=2" if size == 7 else b"a=" + b"x" * (size - 2)
    if form == "wsgi":
        status, answer = _post(loadapp(uri, protocol="wsgi"), "/legacy/x", body, "q=3")
        assert status == "200 OK", answer
        seen = json.loads(answer)
    else:
        transport = httpx.ASGITransport(app=loadapp(uri))

        async def post() -> httpx.Response:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                headers = {"content-type": "application/x-www-form-urlencoded"}
                return await client.post("/legacy/x?q=3", content=body, headers=headers)

        response = asyncio.run(post())
        assert response.status_code == 200, response.text
        seen = response.json()
    assert seen["length"] == size and seen["query"] == {"q": "3"}
    if size == 7:
        assert seen["form"] == {"a": "1", "b": "2"}


def test_protocol_must_be_asgi_or_wsgi(tmp_path: Path) -> None:
    (tmp_path / "a.ini").write_text(ALL_WSGI)
    with pytest.raises(ConfigError, match="protocol must be 'asgi' or 'wsgi'"):
        loadapp(f"config:{tmp_path / 'a.ini'}", protocol="rsgi")  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize("server", ["gunicorn-sync", "waitress"])
def test_served_by_wsgi_servers(spawn: Callable[..., Proc], tmp_path: Path, server: str) -> None:
    (tmp_path / "api-paste.ini").write_text(MIXED)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG=str(tmp_path / "api-paste.ini"))
    if server == "gunicorn-sync":
        args = [bin_path("gunicorn"), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "asgipaste.wsgi:application"]
    else:
        args = [bin_path("waitress-serve"), f"--listen=127.0.0.1:{port}", "asgipaste.wsgi:application"]
    proc = spawn(args, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/legacy/", proc=proc)
    assert httpx.get(base + "/legacy/a", timeout=5).text == "legacy script_name=/legacy path_info=/a"
    seen: dict[str, str] = {}
    for _ in range(20):
        text = httpx.get(base + "/", timeout=5).text
        match = re.fullmatch(r"asgi pid=(\d+) startups=(\d+)", text)
        assert match is not None, text
        seen[match.group(1)] = match.group(2)
    assert set(seen.values()) == {"1"}, "each process started the lifespan exactly once"


def test_a_lifespan_that_returns_without_a_word_is_unsupported_not_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ASGI app that just returns on a lifespan scope (no lifespan support) is served at once."""
    from asgipaste.interop import loop_host

    monkeypatch.setattr(loop_host, "LIFESPAN_TIMEOUT", 5.0)  # the old code waited this long, then failed

    async def quiet(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    view = WSGIView(quiet, name="quiet")
    assert _call(view, "/") == ("200 OK", b"ok")


def test_a_configuration_error_answers_500_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """asgipaste.wsgi:application under a WSGI server: the server stays up, each request says what is wrong."""
    from asgipaste.wsgi import _LazyApplication

    (tmp_path / "bad.ini").write_text("[app:main]\nuse = call:tests.serving.no_such_module:factory\n")
    monkeypatch.setenv("ASGIPASTE_CONFIG", str(tmp_path / "bad.ini"))
    app = _LazyApplication()
    for _ in range(2):
        status, body = _call(app, "/")
        assert status == "500 Internal Server Error"
        assert body.startswith(b"asgipaste: configuration error: ")
        assert b"[app:main]" in body and b"'use'" in body and b"bad.ini" in body


def test_head_responses_of_an_asgi_app_carry_no_body_on_the_wsgi_side() -> None:
    """Starlette answers HEAD with its GET body; an ASGI server drops it, and so must the bridge.

    A WSGI server that gets a body for HEAD sends it (waitress) or drops it with a
    warning (gunicorn), so the bridge leaves it out, headers untouched.
    """
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse, StreamingResponse
    from starlette.routing import Route

    async def streamed() -> Any:
        for piece in (b"a" * 70_000, b"b" * 70_000):
            yield piece

    inner = Starlette(
        routes=[
            Route("/plain", lambda request: PlainTextResponse("hello")),
            Route("/streamed", lambda request: StreamingResponse(streamed())),
        ]
    )
    view = WSGIView(inner, name="starlette")
    for path, body in (("/plain", b"hello"), ("/streamed", b"a" * 70_000 + b"b" * 70_000)):
        answers = []
        for method in ("GET", "HEAD"):
            headers: list[Any] = []
            result = view(
                _environ(path, method), lambda status, sent, exc_info=None, seen=headers: seen.extend([status, *sent])
            )
            try:
                answers.append((headers, b"".join(result)))
            finally:
                getattr(result, "close", lambda: None)()
        assert answers == [(answers[0][0], body), (answers[0][0], b"")]


def _starlette_behind_a_view() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    def boom(request: Any) -> Any:
        raise RuntimeError("the handler failed")

    async def endless() -> Any:
        while True:
            yield b"tick\n" * 1000
            await asyncio.sleep(0.01)

    return WSGIView(
        Starlette(routes=[Route("/boom", boom), Route("/stream", lambda request: StreamingResponse(endless()))]),
        name="starlette",
    )


def test_an_asgi_apps_exception_after_its_500_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Starlette sends its 500 and then re-raises: under a WSGI server that traceback must reach the log."""
    view = _starlette_behind_a_view()
    with caplog.at_level(logging.ERROR, logger="asgipaste.interop"):
        assert _call(view, "/boom") == ("500 Internal Server Error", b"Internal Server Error")
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
    [record] = caplog.records
    assert "exception in ASGI application" in record.getMessage()
    assert record.exc_info is not None and "the handler failed" in str(record.exc_info[1])


def test_a_client_leaving_a_starlette_stream_is_not_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """The WSGI side closes the iterable: Starlette's ClientDisconnect is the client leaving, not a failure."""
    view = _starlette_behind_a_view()
    with caplog.at_level(logging.DEBUG, logger="asgipaste.interop"):
        result = view(_environ("/stream"), lambda status, headers, exc_info=None: None)
        assert next(iter(result)).startswith(b"tick")
        result.close()
        time.sleep(0.3)  # the app's task ends on the loop meanwhile
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


# MIXED with an ASGI app that logs its lifespan startup and shutdown
LIFESPAN_LOGGED = MIXED.replace("lifespan_counter_app\n", "text_app\nname = starlette-like\n")


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_sigterm_to_waitress_runs_the_lifespan_shutdown(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    """waitress leaves SIGTERM at its default: the process died before the ASGI part's shutdown ran."""
    import signal

    (tmp_path / "api-paste.ini").write_text(LIFESPAN_LOGGED)
    port = free_port()
    env = child_env(ASGIPASTE_CONFIG=str(tmp_path / "api-paste.ini"))
    proc = spawn([bin_path("waitress-serve"), f"--listen=127.0.0.1:{port}", "asgipaste.wsgi:application"], env=env)
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    proc.wait_for(r"lifespan startup starlette-like pid \d+")
    proc.signal(signal.SIGTERM)
    assert proc.wait_exit(20) >= 0, "the process ended itself, not killed by the signal"
    proc.wait_for(r"lifespan shutdown starlette-like pid \d+")
