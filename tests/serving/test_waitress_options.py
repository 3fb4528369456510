"""A migrated waitress section keeps the options that shape requests, beside PasteDeploy + waitress.

``url_prefix``, ``max_request_header_size``, ``max_request_body_size`` and
``ident`` used to be dropped with the options uvicorn has no use for: routing
changed and operator-set limits vanished. The same INI is served by
``asgipaste serve`` (uvicorn) and by PasteDeploy's ``loadserver`` (waitress
itself), and asked the same questions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from asgipaste.servers.legacy import waitress_server_factory
from tests._proc import Proc, bin_path, free_port, wait_http

ASGIPASTE = bin_path("asgipaste")

SITE = """
[app:main]
use = call:tests.serving.apps:environ_echo_app

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:%(http_port)s
url_prefix = api/
max_request_body_size = 1000
max_request_header_size = 2000
ident = myserver
threads = 2
"""

PASTE_WAITRESS = (
    "import sys; from paste.deploy import loadapp, loadserver; "
    "ini, port = sys.argv[1], sys.argv[2]; "
    "loadserver('config:' + ini, global_conf={'http_port': port})("
    "loadapp('config:' + ini, global_conf={'http_port': port}))"
)


def test_the_section_keeps_them_and_names_only_what_it_ignores() -> None:
    server = waitress_server_factory(
        {"__file__": "/x/site.ini"}, listen="127.0.0.1:1", url_prefix="api/", max_request_body_size="1000",
        max_request_header_size="2000", ident="myserver", threads="2",
    )
    policy = server.policy
    assert (policy.url_prefix, policy.max_body_bytes, policy.max_header_bytes) == ("/api", 1000, 2000)
    assert server.config["server_header"] is False and server.config["headers"] == [("server", "myserver")]
    assert server.notice is not None and server.notice.endswith("ignored options: threads")
    assert server.warnings == [("egg:waitress#main is served by uvicorn, which ignores: threads", "threads")]


@pytest.mark.parametrize(
    ("key", "value"), [("max_request_body_size", "lots"), ("max_request_header_size", "0")]
)
def test_bad_sizes_are_refused_with_the_key(key: str, value: str) -> None:
    from asgipaste.errors import ConfigValueError

    with pytest.raises(ConfigValueError, match=f"Bad value for {key}") as info:
        waitress_server_factory({"__file__": "/x/site.ini"}, **{key: value})
    assert info.value.key == key


def _ask(url: str) -> list[object]:
    answers: list[object] = []
    for path in ("/api/x/y", "/api", "/other"):
        seen = httpx.get(url + path, timeout=5)
        answers.append((path, seen.status_code, seen.json()["script_name"], seen.json()["path_info"]))
    answers.append(("server", httpx.get(url + "/api/", timeout=5).headers.get("server")))
    answers.append(("body 999", httpx.post(url + "/api/", content=b"x" * 999, timeout=5).json()["body_length"]))
    # waitress refuses a body that reaches max_request_body_size
    answers.append(("body 1000", httpx.post(url + "/api/", content=b"x" * 1000, timeout=5).status_code))
    chunked = httpx.post(url + "/api/", content=iter([b"x" * 600, b"x" * 600]), timeout=5)
    answers.append(("chunked 1200", chunked.status_code))
    answers.append(("header 3000", httpx.get(url + "/api/", headers={"X-Big": "h" * 3000}, timeout=5).status_code))
    return answers


@pytest.mark.slow
def test_asgipaste_answers_as_pastedeploy_and_waitress_do(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ini = tmp_path / "site.ini"
    ini.write_text(SITE)
    ours, theirs = free_port(), free_port()
    asgipaste = spawn([ASGIPASTE, "serve", str(ini), f"http_port={ours}"])
    waitress = spawn([sys.executable, "-c", PASTE_WAITRESS, str(ini), str(theirs)])
    wait_http(f"http://127.0.0.1:{ours}/api", proc=asgipaste)
    wait_http(f"http://127.0.0.1:{theirs}/api", proc=waitress)
    expected = _ask(f"http://127.0.0.1:{theirs}")
    assert expected[:3] == [("/api/x/y", 200, "/api", "/x/y"), ("/api", 200, "/api", ""),
                            ("/other", 200, "/api", "/other")]  # waitress's own rule, pinned
    assert _ask(f"http://127.0.0.1:{ours}") == expected


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("root", "path", "raw", "expected"),
    [
        ("", "/api/x", b"/api/x", ("/api", "/api/x", b"/api/x", "/x")),
        ("", "/api", b"/api", ("/api", "/api", b"/api", "")),
        ("", "/apix", b"/apix", ("/api", "/api/apix", b"/api/apix", "/apix")),
        ("", "/other/%2F", b"/other/%2F", ("/api", "/api/other/%2F", b"/api/other/%2F", "/other/%2F")),
        ("/r", "/r/other", b"/r/other", ("/r/api", "/r/api/other", b"/r/api/other", "/other")),
    ],
)
async def test_url_prefix_gives_waitress_script_name_and_path_info(
    root: str, path: str, raw: bytes, expected: tuple[str, str, bytes, str]
) -> None:
    from asgipaste.interop.environ import build_environ
    from asgipaste.middleware.prefix import URLPrefix

    seen: list[tuple[str, str, bytes, str]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        environ = build_environ(scope, None)
        seen.append((scope["root_path"], scope["path"], scope["raw_path"], environ["PATH_INFO"]))

    scope = {"type": "http", "root_path": root, "path": path, "raw_path": raw, "headers": [], "method": "GET",
             "query_string": b"", "http_version": "1.1", "scheme": "http", "server": ("t", 80)}
    await URLPrefix(app, "/api/")(scope, None, None)
    assert seen == [expected]


@pytest.mark.asyncio
async def test_request_body_limit_in_process() -> None:
    """413 before the app for a stated length; for a chunked body, past the limit the app reads a disconnect."""
    from asgipaste.middleware.limits import RequestBodyLimit

    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(message["type"])
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def run(headers: list[tuple[bytes, bytes]], bodies: list[bytes]) -> list[Any]:
        incoming = [{"type": "http.request", "body": b, "more_body": i < len(bodies) - 1} for i, b in enumerate(bodies)]
        sent: list[Any] = []

        async def receive() -> Any:
            return incoming.pop(0)

        async def send(message: Any) -> None:
            sent.append(message)

        seen.clear()
        scope = {"type": "http", "http_version": "1.1", "headers": headers}
        await RequestBodyLimit(app, 10)(scope, receive, send)
        return [(m.get("status"), dict(m.get("headers", [])).get(b"connection")) for m in sent if "status" in m]

    assert await run([(b"content-length", b"10")], [b"x" * 10]) == [(413, b"close")]
    assert seen == []  # the app never ran
    assert await run([(b"content-length", b"9")], [b"x" * 9]) == [(200, None)]
    assert await run([(b"transfer-encoding", b"chunked")], [b"x" * 6, b"x" * 6]) == [(413, b"close")]
    assert seen == ["http.request", "http.disconnect"]  # its own 200 was dropped
    assert await run([(b"transfer-encoding", b"chunked")], [b"x" * 4, b"x" * 5]) == [(200, None)]
    assert await run([], [b""]) == [(200, None)]  # HTTP/1.1 without a length: no body, straight through
