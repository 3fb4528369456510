"""``asgipaste.wsgi:application`` and ``loadapp(..., protocol="wsgi")``: INI files for WSGI servers.

An all-WSGI tree is handed over as the fused WSGI app itself; a mixed tree as a
WSGI view whose ASGI parts run on a loop of the process's own, with the
lifespan started once per process. Served for real under gunicorn's sync
worker and waitress.
"""

from __future__ import annotations

import io
import re
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


def _call(app: Any, path: str) -> tuple[str, bytes]:
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "t",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(), "HTTP_HOST": "t",
    }
    result = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
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


def test_a_mixed_tree_is_a_wsgi_view_with_lifespan_once(tmp_path: Path) -> None:
    (tmp_path / "a.ini").write_text(MIXED)
    app = loadapp(f"config:{tmp_path / 'a.ini'}", protocol="wsgi")
    assert isinstance(app, WSGIView)
    assert _call(app, "/legacy/x") == ("200 OK", b"legacy script_name=/legacy path_info=/x")
    for _ in range(3):
        status, body = _call(app, "/")
        assert status == "200 OK" and body.endswith(b"startups=1")


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
