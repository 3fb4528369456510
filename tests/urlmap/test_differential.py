"""Differential matrix: asgipaste's URLMap against Paste's own ``paste.urlmap.URLMap``.

Both maps are built from the same keys with recording apps. Each request is
sent to Paste as a WSGI environ and to asgipaste as an ASGI scope; the ASGI
child scope is read back as WSGI would see it (SCRIPT_NAME = root_path,
PATH_INFO = path minus root_path) and must match what Paste gave its app.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st
from paste.urlmap import URLMap as PasteURLMap

from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.urlmap import URLMap
from tests.urlmap._helpers import Recorder, WSGIRecorder, call, http_scope

# Keys as a Python user (or the INI factory) would write them. Upper-case domain
# keys are left out on purpose: they never match in Paste and do here (see docs).
MAPS: dict[str, list[str]] = {
    "full": [
        "/",
        "/v2",
        "/v2/admin",
        "/double//slash//",
        "http://example.com/",
        "http://example.com/v2",
        "http://example.com:8080/x",  # shadowed by the port-less example.com entries
        "http://other.org:8443/",
        "https://secure.net:443/s",
        "/v2/",  # duplicate of /v2: later one wins
    ],
    "no_root": ["/v2", "/v2/admin", "http://example.com:8080/"],
    "empty": [],
}

PATHS = [
    "/",
    "",
    "/v2",
    "/v2/",
    "/v2/x",
    "/v2evil",
    "//v2",
    "/v2//admin/y",
    "/v2/admin",
    "/V2",
    "/double/slash/z",
    "/x",
    "/s/t",
]
HOSTS: list[tuple[str | None, str]] = [
    (None, "http"),  # no Host header: server name, default port by scheme
    ("example.com", "http"),
    ("EXAMPLE.COM:9", "http"),
    ("example.com:8080", "http"),
    ("other.org:8443", "https"),
    ("other.org", "https"),
    ("secure.net", "https"),
    ("secure.net", "http"),
]
ROOTS = ["", "/mount"]


def paste_404(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    # Paste's default 404 page crashes on a request without Host (html.escape(None)).
    start_response("404 Not Found", [])
    return [b""]


def build(keys: list[str]) -> tuple[URLMap, PasteURLMap]:
    ours, theirs = URLMap(), PasteURLMap(not_found_app=paste_404)
    for index, key in enumerate(keys):
        name = f"app{index}:{key}"
        ours[key] = Recorder(name)
        theirs[key] = WSGIRecorder(name)
    return ours, theirs


def paste_result(urlmap: PasteURLMap, path: str, host: str | None, scheme: str, root: str) -> Any:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": root,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": scheme,
    }
    if host is not None:
        environ["HTTP_HOST"] = host
    status: list[str] = []
    body = b"".join(urlmap(environ, lambda s, h, exc_info=None: status.append(s)))
    if status[0].startswith("404"):
        return "404"
    app = next(a for _, a in urlmap.applications if a.name == body.decode())
    return app.name, app.seen[-1]


async def asgi_result(urlmap: URLMap, path: str, host: str | None, scheme: str, root: str) -> Any:
    sent = await call(urlmap, http_scope(root + path, root_path=root, host=host, scheme=scheme))
    if sent[0]["status"] == 404:
        return "404"
    name = sent[1]["body"].decode()
    app = next(a for a in urlmap.values() if isinstance(a, Recorder) and a.name == name)
    scope = app.scopes[-1]
    # The convention: path starts with root_path; WSGI sees the rest as PATH_INFO.
    assert scope["path"].startswith(scope["root_path"])
    assert scope["raw_path"].decode() == scope["path"]
    return app.name, (scope["root_path"], scope["path"][len(scope["root_path"]) :])


CASES = list(itertools.product(MAPS, PATHS, HOSTS, ROOTS))


def test_matrix_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.asyncio
@pytest.mark.parametrize(("map_name", "path", "host", "root"), CASES)
async def test_same_choice_and_environ_as_paste(
    map_name: str, path: str, host: tuple[str | None, str], root: str
) -> None:
    ours, theirs = build(MAPS[map_name])
    header, scheme = host
    expected = paste_result(theirs, path, header, scheme, root)
    assert await asgi_result(ours, path, header, scheme, root) == expected


def test_same_key_order_as_paste() -> None:
    ours, theirs = build(MAPS["full"])
    assert list(ours) == theirs.keys()
    assert len(ours) == len(theirs)


@pytest.mark.asyncio
@pytest.mark.parametrize(("path", "host"), list(itertools.product(PATHS, HOSTS)))
async def test_websocket_routes_like_http(path: str, host: tuple[str | None, str]) -> None:
    ours, theirs = build(MAPS["full"])
    header, scheme = host
    expected = paste_result(theirs, path, header, scheme, "")
    ws_scheme = {"http": "ws", "https": "wss"}[scheme]
    scope = http_scope(path, host=header, scheme=ws_scheme, type="websocket")
    sent = await call(ours, scope)
    if expected == "404":
        assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]
        return
    assert sent[0] == {"type": "websocket.accept"}
    name, (script_name, path_info) = expected
    app = ours[next(k for k in ours if ours[k].name == name)]  # type: ignore[attr-defined]
    child = app.scopes[-1]
    assert (child["root_path"], child["path"][len(child["root_path"]) :]) == (script_name, path_info)


def test_matrix_covers_every_kind_of_outcome() -> None:
    outcomes = set()
    for map_name, path, (header, scheme), root in CASES:
        _, theirs = build(MAPS[map_name])
        result = paste_result(theirs, path, header, scheme, root)
        outcomes.add(result if result == "404" else result[0])
    assert "404" in outcomes
    assert len(outcomes) >= 9  # every app of "full" and "no_root" is chosen somewhere


segment = st.sampled_from(["a", "b", "v2", "", "a.b"])
paths = st.lists(segment, max_size=4).map(lambda parts: "/" + "/".join(parts))
keys = st.one_of(
    paths,
    st.tuples(st.sampled_from(["h.com", "h.com:81", "x.org"]), paths).map(lambda t: f"http://{t[0]}{t[1]}"),
)


@settings(max_examples=150, deadline=None)
@given(
    keys=st.lists(keys, max_size=6),
    path=st.one_of(paths, st.just("")),
    host=st.sampled_from([None, "h.com", "H.com:81", "h.com:80", "x.org:1"]),
    root=st.sampled_from(["", "/r"]),
)
def test_random_maps_agree_with_paste(keys: list[str], path: str, host: str | None, root: str) -> None:
    ours, theirs = build(keys)
    expected = paste_result(theirs, path, host, "http", root)
    assert asyncio.run(asgi_result(ours, path, host, "http", root)) == expected


ADAPTERS = {
    "a2wsgi": lambda app: WSGIMiddleware(app),
    "asgipaste": lambda app: WSGIAdapter(app, threads=0),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(("path", "root"), list(itertools.product(PATHS, ROOTS)))
async def test_wsgi_apps_below_see_what_paste_gave_them(adapter: str, path: str, root: str) -> None:
    """The real thing: WSGI apps mounted through an adapter see Paste's SCRIPT_NAME/PATH_INFO."""
    keys = MAPS["full"]
    theirs = PasteURLMap(not_found_app=paste_404)
    ours = URLMap()
    recorders = []
    for index, key in enumerate(keys):
        theirs[key] = WSGIRecorder(f"app{index}")
        recorder = WSGIRecorder(f"app{index}")
        recorders.append(recorder)
        ours[key] = ADAPTERS[adapter](recorder)
    expected = paste_result(theirs, path, "example.com", "http", root)
    sent = await call(ours, http_scope(root + path, root_path=root, host="example.com"))
    if expected == "404":
        assert sent[0]["status"] == 404
        return
    name = sent[1]["body"].decode()
    seen = next(r for r in recorders if r.name == name).seen[-1]
    assert (name, seen) == expected
