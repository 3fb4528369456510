"""PrefixMiddleware: path rewrite and proxy headers, side by side with PasteDeploy's where they agree."""

from __future__ import annotations

from typing import Any

import pytest
from paste.deploy.config import PrefixMiddleware as PastePrefix

from asgipaste.errors import ConfigValueError
from asgipaste.middleware.prefix import (
    PrefixMiddleware,
    make_prefix_middleware,
    parse_forwarded,
    prefix_filter_factory,
)
from tests.urlmap._helpers import Recorder, call, http_scope


async def through(middleware_kw: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    app = Recorder("app")
    await call(make_prefix_middleware(app, {}, **middleware_kw), scope)
    return app.scopes[-1]


def header(scope: dict[str, Any], name: bytes) -> str | None:
    values = [v.decode("latin-1") for n, v in scope["headers"] if n == name]
    return values[0] if values else None


def paste_environ(kw: dict[str, Any], path_info: str, script_name: str, headers: dict[str, str]) -> Any:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return []

    environ = {
        "PATH_INFO": path_info,
        "SCRIPT_NAME": script_name,
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "internal",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "10.0.0.9",
    }
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    PastePrefix(app, **kw)(environ, None)
    return seen


AGREE = [  # (prefix, incoming root_path, PATH_INFO) where PasteDeploy's regex quirks do not bite
    ("/james", "", "/james/x"),
    ("/james", "", "/x"),  # the proxy already stripped the prefix
    ("/james", "", "/james"),  # empty PATH_INFO becomes "/"
    ("/james/", "", "/james/a/b"),
    ("/james", "/old", "/james/x"),  # SCRIPT_NAME is replaced, not extended
    ("/", "", "/x"),
    ("/a/b", "", "/a/b/c"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("prefix", "root", "path_info"), AGREE)
async def test_path_rewrite_matches_pastedeploy(prefix: str, root: str, path_info: str) -> None:
    environ = paste_environ({"prefix": prefix}, path_info, root, {})
    child = await through({"prefix": prefix}, http_scope(root + path_info, root_path=root))
    assert child["path"].startswith(child["root_path"])
    assert (child["root_path"], child["path"][len(child["root_path"]) :]) == (
        environ["SCRIPT_NAME"],
        environ["PATH_INFO"],
    )
    assert child["raw_path"].decode() == child["path"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("prefix", "path", "paste_path_info", "ours"),
    [
        ("/james", "/jamesx", "x", "/jamesx"),  # upstream strips without a boundary
        ("/a.b", "/axb/c", "/c", "/axb/c"),  # upstream treats '.' as a regex wildcard
    ],
)
async def test_prefix_is_literal_and_boundary_aware(
    prefix: str, path: str, paste_path_info: str, ours: str
) -> None:
    assert paste_environ({"prefix": prefix}, path, "", {})["PATH_INFO"] == paste_path_info
    child = await through({"prefix": prefix}, http_scope(path))
    assert (child["root_path"], child["path"]) == (prefix, prefix + ours)


@pytest.mark.asyncio
async def test_raw_path_keeps_the_request_encoding() -> None:
    scope = http_scope("/james/caf\u00e9 x")
    scope["raw_path"] = b"/james/caf%C3%A9%20x"
    child = await through({"prefix": "/james"}, scope)
    assert child["raw_path"] == b"/james/caf%C3%A9%20x"
    scope = http_scope("/caf\u00e9")
    scope["raw_path"] = b"/caf%C3%A9"
    child = await through({"prefix": "/james"}, scope)
    assert (child["path"], child["raw_path"]) == ("/james/caf\u00e9", b"/james/caf%C3%A9")


X_CASES: list[tuple[dict[str, str], dict[str, Any]]] = [
    ({"X-Forwarded-Server": "pub.example, inner"}, {"server": "pub.example", "host": "pub.example"}),
    ({"X-Forwarded-Host": "a.example:8443, b"}, {"host": "a.example:8443"}),
    (
        {"X-Forwarded-Server": "s.example", "X-Forwarded-Host": "h.example"},
        {"server": "s.example", "host": "h.example"},
    ),
    ({"X-Forwarded-For": "203.0.113.5, 10.0.0.1"}, {"client": "203.0.113.5"}),
    ({"X-Forwarded-Proto": "https"}, {"scheme": "https"}),
    ({"X-Forwarded-Scheme": "https", "X-Forwarded-Proto": "http"}, {"scheme": "https"}),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("headers", "expected"), X_CASES)
async def test_x_forwarded_translation_matches_pastedeploy(
    headers: dict[str, str], expected: dict[str, Any]
) -> None:
    environ = paste_environ({}, "/x", "", headers)
    scope = http_scope("/x", host="internal:8000", server=("internal", 8000))
    scope["headers"] += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    child = await through({}, scope)
    if "server" in expected:
        assert child["server"] == (environ["SERVER_NAME"], 8000) == (expected["server"], 8000)
    if "host" in expected:
        assert header(child, b"host") == environ["HTTP_HOST"] == expected["host"]
    if "client" in expected:
        assert child["client"][0] == environ["REMOTE_ADDR"] == expected["client"]
    if "scheme" in expected:
        assert child["scheme"] == environ["wsgi.url_scheme"] == expected["scheme"]
    # The translated headers are removed, as PasteDeploy pops them.
    assert not [n for n, _ in child["headers"] if n.startswith(b"x-forwarded")]
    assert [n for n, _ in child["headers"]].count(b"host") == 1


@pytest.mark.asyncio
async def test_translation_can_be_turned_off() -> None:
    scope = http_scope("/x", host="internal")
    scope["headers"].append((b"x-forwarded-host", b"pub"))
    child = await through({"translate_forwarded_server": "false"}, scope)
    assert header(child, b"host") == "internal"
    assert header(child, b"x-forwarded-host") == "pub"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "for=192.0.2.60;proto=http;by=203.0.113.43",
            {"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"},
        ),
        ('For="[2001:db8:cafe::17]:4711"', {"for": "[2001:db8:cafe::17]:4711"}),
        ("for=192.0.2.43, for=198.51.100.17", {"for": "192.0.2.43"}),
        ('host="a.example;x,y";proto=https', {"host": "a.example;x,y", "proto": "https"}),
        ('host="q\\"uote"', {"host": 'q"uote'}),
        ("junk;=x;for", {}),
    ],
)
def test_parse_forwarded(value: str, expected: dict[str, str]) -> None:
    assert parse_forwarded(value) == expected


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("value", "client", "server", "host", "scheme"),
    [
        (
            'for="[2001:db8::1]:4711";proto=https;host=pub.example',
            ("2001:db8::1", 4711),
            ("internal", 8000),
            "pub.example",
            "https",
        ),
        (
            "for=192.0.2.60;by=203.0.113.43:81",
            ("192.0.2.60", 0),
            ("203.0.113.43", 81),
            "internal:8000",
            "http",
        ),
        ("for=unknown", None, ("internal", 8000), "internal:8000", "http"),
        ("for=_hidden;by=_proxy", None, ("internal", 8000), "internal:8000", "http"),
    ],
)
async def test_rfc7239_forwarded(value: str, client: Any, server: Any, host: str, scheme: str) -> None:
    scope = http_scope("/x", host="internal:8000", server=("internal", 8000))
    scope["headers"].append((b"forwarded", value.encode()))
    child = await through({}, scope)
    assert child["client"] == client
    assert child["server"] == server
    assert header(child, b"host") == host
    assert child["scheme"] == scheme
    assert header(child, b"forwarded") is None


@pytest.mark.asyncio
async def test_forwarded_wins_over_x_forwarded() -> None:
    scope = http_scope("/x", host="internal")
    scope["headers"] += [
        (b"x-forwarded-for", b"1.1.1.1"),
        (b"forwarded", b"for=2.2.2.2;proto=https"),
        (b"x-forwarded-proto", b"http"),
    ]
    child = await through({}, scope)
    assert (child["client"], child["scheme"]) == (("2.2.2.2", 0), "https")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("kw", "scheme", "host", "port"),
    [
        ({"force_port": "8080"}, "http", "pub.example:8080", 8080),
        ({"force_port": ""}, "http", "pub.example", 80),
        (
            {"force_port": "", "scheme": "https"},
            "https",
            "pub.example",
            80,
        ),  # port from the scheme before forcing
        ({"scheme": "https"}, "https", "pub.example:9000", 9000),
    ],
)
async def test_force_port_and_scheme_match_pastedeploy(
    kw: dict[str, str], scheme: str, host: str, port: int
) -> None:
    environ = paste_environ(kw, "/x", "", {"Host": "pub.example:9000"})
    environ_port = environ["SERVER_PORT"] if "force_port" in kw else "9000"
    child = await through(kw, http_scope("/x", host="pub.example:9000", server=("internal", 9000)))
    assert (child["scheme"], header(child, b"host"), child["server"][1]) == (scheme, host, port)
    assert (environ["wsgi.url_scheme"], environ["HTTP_HOST"], int(environ_port)) == (scheme, host, port)


@pytest.mark.asyncio
async def test_websocket_scheme_is_mapped() -> None:
    scope = http_scope("/x", type="websocket", scheme="ws")
    scope["headers"].append((b"x-forwarded-proto", b"https"))
    child = await through({"prefix": "/p"}, scope)
    assert (child["scheme"], child["root_path"], child["path"]) == ("wss", "/p", "/p/x")


@pytest.mark.asyncio
async def test_other_scopes_pass_through() -> None:
    app = Recorder("app")
    middleware = PrefixMiddleware(app, "/p")
    scope = {"type": "lifespan", "state": {}}

    async def receive() -> dict[str, Any]:
        return {}

    async def send(message: Any) -> None:
        pass

    await middleware(scope, receive, send)
    assert app.scopes[-1] is scope
    assert repr(middleware) == "PrefixMiddleware(Recorder('app'), prefix='/p')"


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"prefix": "james"}, "prefix"),
        ({"force_port": "eighty"}, "force_port"),
        ({"scheme": "gopher"}, "scheme"),
        ({"translate_forwarded_server": "maybe"}, "translate_forwarded_server"),
    ],
)
def test_bad_options_name_the_key(kw: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigValueError) as info:
        make_prefix_middleware(Recorder("app"), {}, **kw)
    assert info.value.key == key
    with pytest.raises(ConfigValueError):
        prefix_filter_factory({}, **kw)


@pytest.mark.asyncio
async def test_filter_factory_and_protocol_declaration() -> None:
    wrap = prefix_filter_factory({}, prefix="/p")
    app = Recorder("app")
    await call(wrap(app), http_scope("/p/x"))
    assert (app.scopes[-1]["root_path"], app.scopes[-1]["path"]) == ("/p", "/p/x")
    assert getattr(make_prefix_middleware, "__asgipaste_protocol__", None) == "asgi"


WSGI_FORM_CASES = [  # (prefix kwargs, path, incoming root_path, headers, server port)
    ({"prefix": "/james"}, "/james/x", "", {}, 8000),
    ({"prefix": "/james"}, "/x", "", {}, 8000),
    ({"prefix": "/james"}, "/james", "", {}, 8000),
    ({"prefix": "/james"}, "/jamesx", "", {}, 8000),
    ({"prefix": "/james"}, "/old/james/x", "/old", {}, 8000),
    ({"prefix": "/p"}, "/p/x", "", {"X-Forwarded-Host": "pub.example, other", "X-Forwarded-For": "203.0.113.9",
                                     "X-Forwarded-Proto": "https", "X-Forwarded-Server": "edge"}, 8000),
    ({"prefix": "/p"}, "/p/x", "", {"Forwarded": 'for="[2001:db8::1]:443";proto=https;host=a.example'}, 8000),
    ({"prefix": "/p", "translate_forwarded_server": "false"}, "/p/x", "", {"X-Forwarded-Host": "pub"}, 8000),
    ({"prefix": "/p", "force_port": "8443"}, "/p/x", "", {"Host": "pub.example:99"}, 8000),
    ({"prefix": "/p", "force_port": ""}, "/p/x", "", {"Host": "pub.example:99"}, 8000),
    ({"prefix": "/p", "scheme": "https"}, "/p/x", "", {}, 8000),
    ({"prefix": "/p"}, "/p/x", "", {"Content-Type": "text/plain", "Content-Length": "3", "X-Other": "kept"}, 80),
]
_SEEN = ("SCRIPT_NAME", "PATH_INFO", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "REMOTE_ADDR", "wsgi.url_scheme",
         "CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_X_OTHER")


@pytest.mark.asyncio
@pytest.mark.parametrize(("kw", "path", "root", "headers", "port"), WSGI_FORM_CASES)
async def test_the_wsgi_form_gives_a_wsgi_app_what_the_asgi_form_gives_it(
    kw: dict[str, Any], path: str, root: str, headers: dict[str, str], port: int
) -> None:
    """Over a WSGI app the loader uses the prefix filter's WSGI form (no crossing): the same environ."""
    from asgipaste.interop.environ import build_environ
    from asgipaste.middleware.prefix import make_wsgi_prefix_middleware

    scope = http_scope(path, root_path=root)
    scope["headers"] = [(k.lower().encode(), v.encode()) for k, v in headers.items()] or [(b"host", b"internal")]
    scope["server"], scope["client"] = ("internal", port), ("10.0.0.9", 5555)
    child = await through(kw, scope)
    via_asgi = build_environ(child, None)
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return []

    make_wsgi_prefix_middleware(app, {}, **kw)(build_environ(scope, None), None)
    assert {k: seen.get(k) for k in _SEEN} == {k: via_asgi.get(k) for k in _SEEN}
    forwarded = sorted(k for k in via_asgi if k.startswith("HTTP_X_FORWARDED") or k == "HTTP_FORWARDED")
    assert sorted(k for k in seen if k.startswith("HTTP_X_FORWARDED") or k == "HTTP_FORWARDED") == forwarded


def test_a_pyramid_production_pipeline_stays_wsgi_all_the_way_down(tmp_path: Any) -> None:
    """pipeline = proxy-prefix myapp over a WSGI app: fused, served WSGI-direct by granian (no adapter)."""
    from asgipaste import load_stack

    ini = tmp_path / "production.ini"
    ini.write_text(
        "[app:myapp]\nuse = call:tests.serving.apps:wsgi_text_app\n"
        "[filter:proxy-prefix]\nuse = egg:PasteDeploy#prefix\nprefix = /james\n"
        "[pipeline:main]\npipeline = proxy-prefix myapp\n"
    )
    stack = load_stack(f"config:{ini}")
    assert stack.wsgi is not None
    assert [node.protocol for node in stack.graph.walk()] == ["wsgi", "wsgi", "wsgi"]
    statuses: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/james/x", "QUERY_STRING": "",
               "SERVER_NAME": "t", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    body = b"".join(stack.wsgi(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert body == b"legacy script_name=/james path_info=/x"
