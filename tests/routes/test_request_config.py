"""``request_config()``, ``url_for``, ``redirect_to``, ``URLGenerator`` and debug mode against Routes 2.5.1.

Each differential scenario is one function run twice with the same inputs:
once with Routes (in a fresh thread, so its thread-local starts empty) and
once with asgipaste.routes (in a fresh context). The outputs must be equal.
The middleware scenarios send the same requests through Routes' WSGI
``RoutesMiddleware`` and through ours (ASGI app below, and WSGI app below
through asgipaste's adapter). The concurrency tests run two requests at once
on asyncio and trio (and in WSGI worker threads) and check each sees its own
configuration.
"""

from __future__ import annotations

import contextvars
import io
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import routes as upstream
import routes.middleware as upstream_middleware
from routes.util import GenerationException as UpstreamGenerationException

import asgipaste.routes as ours_pkg
from asgipaste.interop.bridge import ASGIBridge
from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.routes import (
    GenerationException,
    Mapper,
    Resource,
    Router,
    RoutesMiddleware,
    URLGenerator,
    redirect_to,
    request_config,
    url_for,
)
from asgipaste.routes.config import request_state
from asgipaste.types import Message, Receive, Scope, Send
from tests.routes.corpus import HOSTS, METHODS, build, make_table, paths_for


@dataclass(frozen=True)
class Lib:
    name: str
    Mapper: Any
    request_config: Any
    url_for: Any
    redirect_to: Any
    URLGenerator: Any


UPSTREAM = Lib(
    "routes", upstream.Mapper, upstream.request_config, upstream.url_for, upstream.redirect_to, upstream.URLGenerator
)
OURS = Lib(
    "asgipaste", ours_pkg.Mapper, ours_pkg.request_config, ours_pkg.url_for, ours_pkg.redirect_to, ours_pkg.URLGenerator
)


def _in_fresh_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a new thread: Routes' thread-local request config starts empty there."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def _in_fresh_context(fn: Callable[[], Any]) -> Any:
    return contextvars.Context().run(fn)


def _both(scenario: Callable[[Lib], Any]) -> tuple[Any, Any]:
    return _in_fresh_thread(lambda: scenario(UPSTREAM)), _in_fresh_context(lambda: scenario(OURS))


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return ("ok", fn(*args, **kwargs))
    except (GenerationException, UpstreamGenerationException):
        return ("no-url", None)
    except Exception as exc:
        return ("error", type(exc).__name__)


# -- url_for / URLGenerator with named, static and literal routes ------------------------------------

ENVIRONS: list[dict[str, Any]] = [
    {"HTTP_HOST": "example.com", "wsgi.url_scheme": "http"},
    {"SCRIPT_NAME": "/app", "HTTP_HOST": "example.com:8080", "wsgi.url_scheme": "http"},
    {"SCRIPT_NAME": "/v2", "SERVER_NAME": "api.example.com", "SERVER_PORT": "8443", "wsgi.url_scheme": "https"},
    {"SERVER_NAME": "plain.example.com", "SERVER_PORT": "80", "wsgi.url_scheme": "http"},
    {
        "HTTP_HOST": "internal:8000",
        "HTTP_X_FORWARDED_HOST": "proxy.example.com, inner.example.com",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
    },
    {"HTTPS": "on", "SERVER_NAME": "secure.example.com", "SERVER_PORT": "443", "wsgi.url_scheme": "https"},
]

NAMED_CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("message",), {"id": 1}),
    (("message",), {"id": "a b"}),
    (("message",), {"id": "\u2603"}),
    (("formatted_message",), {"id": 1, "format": "json"}),
    (("messages",), {"q": "x y", "tags": ["a", "b"]}),
    (("message",), {"id": 1, "qualified": True}),
    (("message",), {"id": 1, "protocol": "https"}),
    (("message",), {"id": 1, "protocol": ""}),
    (("message",), {"id": 1, "host": "other.org"}),
    (("message",), {"id": 1, "host": "other.org:81", "protocol": "https"}),
    (("message",), {"id": 1, "anchor": "sec 2"}),
    (("message",), {"id": 1, "_anchor": "top", "anchor": "x"}),
    (("message",), {"id": 1, "_host": "h.example.org", "_protocol": "ftp"}),
    (("message",), {"id": 1, "anchor_": "v", "host_": "w"}),
    (("message",), {"id": 1, "protocol_": "x"}),
    (("message",), {}),
    (("home",), {}),
    (("home",), {"qualified": True, "anchor": "a"}),
    (("filtered",), {"id": 21}),
    (("google",), {"q": "routes"}),
    (("google",), {"q": "routes", "qualified": True}),
    (("css",), {"name": "site"}),
    (("css",), {"name": "site", "qualified": True}),
    (("/static/x.css",), {"v": 1}),
    (("/static/x.css",), {}),
    (("/static/x.css",), {"qualified": True}),
    (("http://x.org/a",), {"v": [1, 2]}),
    (("relative/path",), {"a": "b c"}),
    (("/caf\u00e9",), {}),
    ((), {"controller": "messages", "action": "show", "id": 3}),
    ((), {"controller": "messages", "action": "index", "page": 2}),
    ((), {"controller": "messages", "action": "show", "id": 3, "qualified": True, "anchor": "z"}),
    ((), {"controller": "nope"}),
]


def _named_mapper(lib: Lib) -> Any:
    m = lib.Mapper()
    m.resource("message", "messages")
    m.connect("home", "/", controller="main", action="index")
    m.connect("filtered", "/f/{id}", controller="f", _filter=lambda kw: {**kw, "id": kw["id"] * 2})
    m.connect("google", "http://www.google.com/search", _static=True)
    m.connect("css", "/css/{name}.css", _static=True)
    return m


def _config_view(config: Any) -> dict[str, Any]:
    route = getattr(config, "route", None)
    return {
        "mapper_dict": getattr(config, "mapper_dict", "<unset>"),
        "route": route.routepath if route is not None else None,
        "host": getattr(config, "host", "<unset>"),
        "protocol": getattr(config, "protocol", "<unset>"),
    }


def _named_scenario(lib: Lib) -> list[Any]:
    m = _named_mapper(lib)
    out: list[Any] = []
    for env in ENVIRONS:
        for path, method in [("/messages/1", "GET"), ("/messages/1", "DELETE"), ("/nowhere", "GET")]:
            config = lib.request_config()
            config.mapper = m
            config.environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "SCRIPT_NAME": "", **env}
            out.append(_config_view(config))
            for args, kwargs in NAMED_CALLS:
                out.append((args, kwargs, "url_for", _call(lib.url_for, *args, **dict(kwargs))))
            url = lib.URLGenerator(m, dict(config.environ))
            for args, kwargs in NAMED_CALLS:
                out.append((args, kwargs, "URLGenerator", _call(url, *args, **dict(kwargs))))
    return out


def test_url_for_and_urlgenerator_same_as_routes() -> None:
    theirs, ours = _both(_named_scenario)
    assert len(ours) == len(theirs) > 1000
    for expected, got in zip(theirs, ours, strict=True):
        assert got == expected


def _implicit_scenario(lib: Lib) -> list[Any]:
    """Routes' url_for docstring: route memory of an implicit (non-explicit) mapper."""
    m = lib.Mapper(explicit=False)
    m.minimization = True
    m.connect(":controller/:action/:id")
    m.connect("archive", "archives/:year", controller="blog", action="archive", year=None)
    m.create_regs(["blog", "admin"])
    out: list[Any] = []
    for env in ENVIRONS[:3]:
        config = lib.request_config()
        config.mapper = m
        config.environ = {"PATH_INFO": "/blog/view/2", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", **env}
        out.append(_config_view(config))
        for kwargs in [
            {"id": 4},
            {"controller": "/admin"},
            {"controller": "admin"},
            {"action": "edit"},
            {"action": "list", "id": None},
            {"id": "a b", "anchor": "x y"},
            {"id": 5, "qualified": True},
            {"id": 5, "protocol": "https"},
            {"id": 5, "host": "other.org"},
            {"controller": "blog", "action": "archive", "year": 2004},
        ]:
            out.append((kwargs, _call(lib.url_for, **dict(kwargs))))
        url = lib.URLGenerator(m, dict(config.environ, **{"wsgiorg.routing_args": ((), config.mapper_dict)}))
        for kwargs in [{"id": 9}, {"action": "edit", "id": None}, {"controller": "/admin"}]:
            out.append((kwargs, "current", _call(url.current, **dict(kwargs))))
    return out


def test_url_for_route_memory_same_as_routes() -> None:
    theirs, ours = _both(_implicit_scenario)
    assert ours == theirs
    assert ("ok", "/blog/edit/2") in [entry[1] for entry in ours if isinstance(entry, tuple)]


def _subdomain_scenario(lib: Lib) -> list[Any]:
    m = lib.Mapper()
    m.sub_domains = True
    m.sub_domains_ignore = ["www"]
    m.connect("home", "/", controller="main", action="index")
    m.connect("sub", "/sub/{id}", controller="s", action="show", conditions={"sub_domain": True})
    m.resource("message", "messages")
    out: list[Any] = []
    for host in ["example.com", "www.example.com", "api.example.com:8080", "a.b.example.com"]:
        config = lib.request_config()
        config.mapper = m
        config.environ = {"PATH_INFO": "/sub/1", "REQUEST_METHOD": "GET", "HTTP_HOST": host, "SCRIPT_NAME": ""}
        out.append(_config_view(config))
        for args, kwargs in [
            (("home",), {}),
            (("home",), {"sub_domain": "api"}),
            (("home",), {"sub_domain": "www"}),
            (("home",), {"sub_domain": None}),
            (("sub",), {"id": 1, "sub_domain": "api"}),
            (("message",), {"id": 1, "sub_domain": "api", "qualified": True}),
            ((), {"controller": "main", "action": "index", "sub_domain": "x"}),
            ((), {"controller": "messages", "action": "show", "id": 2}),
        ]:
            out.append((args, kwargs, _call(lib.url_for, *args, **dict(kwargs))))
            url = lib.URLGenerator(m, dict(config.environ))
            out.append((args, kwargs, "gen", _call(url, *args, **dict(kwargs))))
    return out


def test_sub_domains_same_as_routes() -> None:
    theirs, ours = _both(_subdomain_scenario)
    assert ours == theirs
    assert any(entry[-1] == ("ok", "http://api.example.com/") for entry in ours if isinstance(entry, tuple))


def test_anchor_on_a_failed_generation_raises_generation_exception() -> None:
    """Documented difference: Routes raises TypeError (``None + "#..."``), we GenerationException."""

    def scenario(lib: Lib) -> Any:
        m = lib.Mapper()
        m.connect("item", "/items/{id}", controller="items")
        config = lib.request_config()
        config.environ = {"PATH_INFO": "/", "REQUEST_METHOD": "GET", "HTTP_HOST": "h"}
        return _call(lib.url_for, "item", anchor="x"), _call(lib.URLGenerator(m, {}), "item", anchor="x")

    theirs, ours = _both(scenario)
    assert theirs == (("error", "TypeError"), ("error", "TypeError"))
    assert ours == (("no-url", None), ("no-url", None))


# -- redirect_to and request_config() itself ---------------------------------------------------------


def _redirect_scenario(lib: Lib) -> list[Any]:
    m = _named_mapper(lib)
    config = lib.request_config()
    config.mapper = m
    config.environ = {"PATH_INFO": "/", "REQUEST_METHOD": "GET", "HTTP_HOST": "example.com", "SCRIPT_NAME": "/app"}
    config.redirect = lambda url: ("302 Found", url)
    return [
        _call(lib.redirect_to, "message", id=3),
        _call(lib.redirect_to, "/x", a=1),
        _call(lib.redirect_to, controller="messages", action="index", qualified=True),
        _call(lib.redirect_to, "http://elsewhere.org/"),
        _call(lib.redirect_to, "message"),  # cannot generate: the redirect function is not called
    ]


def test_redirect_to_same_as_routes() -> None:
    theirs, ours = _both(_redirect_scenario)
    assert ours == theirs
    assert ours[0] == ("ok", ("302 Found", "/app/messages/3"))


def _config_scenario(lib: Lib) -> list[Any]:
    out: list[Any] = []
    config = lib.request_config()
    out.append(("fresh", hasattr(config, "mapper"), config.using_request_local, config.request_local))
    # environ without a mapper: only host and protocol are loaded.
    config.environ = {
        "PATH_INFO": "/x",
        "SERVER_NAME": "s.example.com",
        "SERVER_PORT": "8080",
        "wsgi.url_scheme": "http",
    }
    out.append(("no mapper", _config_view(config)))
    m = lib.Mapper(register=False)
    out.append(("register=False", hasattr(config, "mapper")))
    m = lib.Mapper()
    out.append(("registered", config.mapper is m))
    m.connect("x", "/x/{id}", controller="x")
    config.environ = {"PATH_INFO": "/x/1", "HTTP_HOST": "h", "HTTP_X_FORWARDED_PROTO": "https"}
    out.append(("matched", _config_view(config)))
    del config.host
    out.append(("deleted", hasattr(config, "host"), _call(delattr, config, "host")))
    holder = type("Holder", (), {})()

    def local() -> Any:
        return holder

    config.request_local = local
    out.append(("request_local", lib.request_config() is holder, lib.request_config(original=True) is holder))
    lib.request_config(original=True).request_local = False
    out.append(("back", lib.request_config() is holder, lib.request_config().mapper is m))
    return out


def test_request_config_object_same_as_routes() -> None:
    theirs, ours = _both(_config_scenario)
    assert ours == theirs


# -- debug mode --------------------------------------------------------------------------------------


def _debug_view(mapper: Any, result: Any) -> Any:
    assert isinstance(result, tuple) and len(result) == 3
    match, route, log = result
    pos = {id(r): i for i, r in enumerate(mapper.matchlist)}
    return (
        match,
        pos[id(route)] if route is not None else None,
        [(pos[id(e["route"])], sorted(e)) + ((e["regexp"],) if "regexp" in e else ()) for e in log],
    )


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_debug_match_and_routematch_same_as_routes(seed: int) -> None:
    table = make_table(seed)
    theirs, ours = build(table, upstream.Mapper), build(table, Mapper)
    theirs.debug = ours.debug = True
    rng = random.Random(seed * 31)
    for path in [*paths_for(table, rng, 30), "/", "/zz/none", "/a", ""]:
        environ = {"REQUEST_METHOD": rng.choice(METHODS), "HTTP_HOST": rng.choice(HOSTS)}
        for method in ("match", "routematch"):
            expected = _debug_view(theirs, getattr(theirs, method)(path, dict(environ)))
            got = _debug_view(ours, getattr(ours, method)(path, dict(environ)))
            assert got == expected, (seed, path, environ, table.calls)


def test_debug_log_repeats_a_bucket_like_routes() -> None:
    """A URL shorter than several prefixes tries (and logs) its own bucket once per prefix length."""
    results = []
    for cls in (upstream.Mapper, Mapper):
        m = cls()
        m.connect("/a", controller="x", conditions={"method": ["POST"]})
        m.connect("/abc/{x}", controller="y")
        m.connect("/ab/{x}", controller="z")
        m.connect("/", controller="root")
        m.debug = True
        results.append([_debug_view(m, m.match(u, environ={"REQUEST_METHOD": "GET"})) for u in ["/a", "/zz", "/"]])
    assert results[0] == results[1]
    assert [len(view[2]) for view in results[1]] == [4, 0, 1]


def test_debug_sees_routes_connected_after_a_debug_match() -> None:
    m = Mapper()
    m.connect("/a", controller="a")
    m.debug = True
    assert m.match("/b") == (None, None, [])
    m.connect("/b", controller="b")
    match, route, log = m.match("/b")
    assert match == {"controller": "b"} and [e["route"] for e in log] == [route]


# -- RoutesMiddleware: Routes' WSGI middleware against ours ------------------------------------------

REQUESTS: list[dict[str, Any]] = [
    {"method": "GET", "path": "/items/7"},
    {"method": "GET", "path": "/items/7", "script_name": "/app", "host": "example.com:8080"},
    {"method": "POST", "path": "/items/7", "query": "_method=put"},
    {"method": "GET", "path": "/blog/2024/post", "script_name": "/mnt"},
    {"method": "GET", "path": "/nowhere"},
    {"method": "GET", "path": "/items/8", "scheme": "https", "host": "internal", "forwarded": "proxy.example.com"},
    {"method": "GET", "path": "/old/5"},
]


def _mw_mapper(lib: Lib, debug: bool = False) -> Any:
    m = lib.Mapper()
    m.connect("item", "/items/{id}", controller="items", action="show", conditions={"method": ["GET"]})
    m.connect("/items/{id}", controller="items", action="update", conditions={"method": ["PUT"]})
    m.connect("/blog/*path_info", controller="blog")
    m.redirect("/old/{id}", "/items/{id}", _redirect_code="301 Moved Permanently")
    m.debug = debug
    return m


def _observe(lib: Lib) -> dict[str, Any]:
    """What code below the middleware sees through Routes' request-scoped API."""
    config = lib.request_config()
    config.redirect = lambda url: ("redirect", url)
    env = config.environ
    return {
        **_config_view(config),
        "script_name": env["SCRIPT_NAME"],
        "path_info": env["PATH_INFO"],
        "method": env["REQUEST_METHOD"],
        "url_for": _call(lib.url_for, "item", id=9),
        "qualified": _call(lib.url_for, "item", id=9, qualified=True, anchor="a"),
        "https": _call(lib.url_for, "item", id=9, protocol="https"),
        "static": _call(lib.url_for, "/s.css", v=2),
        "routes.url": _call(env["routes.url"], "item", id=8),
        "current": _call(env["routes.url"].current),
        "redirect_to": _call(lib.redirect_to, "item", id=1),
    }


def _wsgi_environ(req: dict[str, Any]) -> dict[str, Any]:
    scheme = req.get("scheme", "http")
    environ = {
        "REQUEST_METHOD": req["method"],
        "SCRIPT_NAME": req.get("script_name", ""),
        "PATH_INFO": req["path"],
        "QUERY_STRING": req.get("query", ""),
        "SERVER_NAME": "server.example.com",
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "HTTP_HOST": req.get("host", "example.com"),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
    }
    if "forwarded" in req:
        environ["HTTP_X_FORWARDED_HOST"] = req["forwarded"]
    return environ


def _scope(req: dict[str, Any]) -> Scope:
    scheme = req.get("scheme", "http")
    root = req.get("script_name", "")
    headers = [(b"host", req.get("host", "example.com").encode())]
    if "forwarded" in req:
        headers.append((b"x-forwarded-host", req["forwarded"].encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": req["method"],
        "scheme": scheme,
        "path": root + req["path"],
        "raw_path": (root + req["path"]).encode(),
        "root_path": root,
        "query_string": req.get("query", "").encode(),
        "headers": headers,
        "server": ("server.example.com", 443 if scheme == "https" else 80),
        "client": ("127.0.0.1", 5000),
    }


def _upstream_requests(debug: bool) -> list[Any]:
    m = _mw_mapper(UPSTREAM, debug)
    seen: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(_observe(UPSTREAM))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    mw = upstream_middleware.RoutesMiddleware(app, m)
    out = []
    for req in REQUESTS:
        seen.clear()
        status: list[Any] = []

        def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None, status: list[Any] = status) -> None:
            status.append((int(s.split()[0]), dict(h).get("Location")))

        mw(_wsgi_environ(req), start_response)
        out.append((status[0], seen[0] if seen else None))
    return out


async def _asgi_call(app: Any, scope: Scope) -> tuple[int, str | None]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    location = dict(start["headers"]).get(b"location")
    return start["status"], location.decode() if location else None


def _our_requests(debug: bool, below: str) -> list[Any]:
    m = _mw_mapper(OURS, debug)
    seen: list[Any] = []

    async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(_observe(OURS))
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b""})

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(_observe(OURS))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    app: Any = asgi_app if below == "asgi" else WSGIAdapter(wsgi_app, threads=0 if below == "wsgi0" else 2)
    mw = RoutesMiddleware(app, m)

    async def main() -> list[Any]:
        out = []
        for req in REQUESTS:
            seen.clear()
            status = await _asgi_call(mw, _scope(req))
            out.append((status, seen[0] if seen else None))
        return out

    result: list[Any] = anyio.run(main)
    return result


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("below", ["asgi", "wsgi", "wsgi0"])
def test_middleware_fills_request_config_like_routes(below: str, debug: bool) -> None:
    theirs = _in_fresh_thread(lambda: _upstream_requests(debug))
    ours = _in_fresh_context(lambda: _our_requests(debug, below))
    for req, expected, got in zip(REQUESTS, theirs, ours, strict=True):
        assert got == expected, req
    assert ours[3][1]["script_name"] == "/mnt/blog" and ours[3][1]["url_for"] == ("ok", "/mnt/blog/items/9")
    assert ours[-1][0] == (301, "/items/5")


def test_middleware_with_a_request_local_object_like_routes() -> None:
    """A framework's ``request_local`` object is what the middleware configures, as in Routes."""

    def scenario(lib: Lib) -> Any:
        m = _mw_mapper(lib)
        base = type(lib.request_config(original=True))
        local = type("FrameworkConfig", (base,), {})
        lib.request_config().request_local = local
        seen: list[Any] = []

        def observe() -> None:
            config = lib.request_config()
            seen.append((type(config).__name__, config.mapper_dict, config.host, lib.url_for("item", id=2)))

        if lib is UPSTREAM:

            def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
                observe()
                start_response("200 OK", [])
                return []

            upstream_middleware.RoutesMiddleware(app, m)(_wsgi_environ(REQUESTS[1]), lambda *a: None)
        else:

            async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
                observe()
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b""})

            anyio.run(_asgi_call, RoutesMiddleware(asgi_app, m), _scope(REQUESTS[1]))
        return seen

    theirs, ours = _both(scenario)
    assert ours == theirs
    assert ours[0][0] == "FrameworkConfig" and ours[0][3] == "/app/items/2"


def test_singleton_false_leaves_request_config_alone_like_routes() -> None:
    def scenario(lib: Lib) -> Any:
        m = _mw_mapper(lib)
        seen: list[Any] = []
        if lib is UPSTREAM:

            def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
                seen.append((hasattr(lib.request_config(), "mapper_dict"), environ["routes.url"]("item", id=1)))
                start_response("200 OK", [])
                return []

            upstream_middleware.RoutesMiddleware(app, m, singleton=False)(
                _wsgi_environ(REQUESTS[0]), lambda *a: None
            )
        else:

            async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
                seen.append((hasattr(lib.request_config(), "mapper_dict"), scope["routes.url"]("item", id=1)))
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b""})

            anyio.run(_asgi_call, RoutesMiddleware(asgi_app, m, singleton=False), _scope(REQUESTS[0]))
        return seen

    theirs, ours = _both(scenario)
    assert ours == theirs == [(False, "/items/1")]


# -- per request, not per thread ---------------------------------------------------------------------


def _item_mapper() -> Mapper:
    m = Mapper()
    m.connect("item", "/items/{id}", controller="items", action="show")
    return m


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_concurrent_async_requests_each_see_their_own_config(backend: str) -> None:
    m = _item_mapper()
    results: dict[str, Any] = {}

    async def main() -> None:
        both_in = anyio.Event()
        arrived = 0

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            nonlocal arrived
            config = request_config()
            mine = config.mapper_dict["id"]
            config.redirect = lambda url: f"{mine}->{url}"  # a write of this request only
            arrived += 1
            if arrived == 2:
                both_in.set()
            await both_in.wait()  # both requests are now in flight
            await anyio.sleep(0.01)
            results[mine] = (
                request_config().mapper_dict,
                url_for("item", id=mine, qualified=True),
                url_for("item", id="x"),
                request_config().environ["PATH_INFO"],
                redirect_to("item", id=mine),
            )
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        mw = RoutesMiddleware(app, m)
        async with anyio.create_task_group() as tg:
            for item, host in (("1", "one.example"), ("2", "two.example")):
                scope = _scope({"method": "GET", "path": f"/items/{item}", "host": host, "script_name": f"/s{item}"})
                tg.start_soon(_asgi_call, mw, scope)

    anyio.run(main, backend=backend)
    assert results == {
        "1": (
            {"controller": "items", "action": "show", "id": "1"},
            "http://one.example/s1/items/1",
            "/s1/items/x",
            "/items/1",
            "1->/s1/items/1",
        ),
        "2": (
            {"controller": "items", "action": "show", "id": "2"},
            "http://two.example/s2/items/2",
            "/s2/items/x",
            "/items/2",
            "2->/s2/items/2",
        ),
    }


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_concurrent_wsgi_requests_in_worker_threads_see_their_own_config(backend: str) -> None:
    m = _item_mapper()
    results: dict[str, Any] = {}
    barrier = threading.Barrier(2, timeout=10)

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        config = request_config()
        mine = config.mapper_dict["id"]
        config.redirect = lambda url: f"{mine}->{url}"
        barrier.wait()  # both requests are in worker threads at once
        results[mine] = (
            threading.current_thread() is not threading.main_thread(),
            request_config().mapper_dict["id"],
            url_for("item", id=mine, qualified=True),
            environ["routes.url"]("item", id=mine),
            redirect_to("item", id="r"),
        )
        start_response("204 No Content", [])
        return []

    mw = RoutesMiddleware(WSGIAdapter(wsgi_app, threads=4), m)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for item in ("1", "2"):
                scope = _scope({"method": "GET", "path": f"/items/{item}", "host": f"h{item}", "script_name": "/w"})
                tg.start_soon(_asgi_call, mw, scope)

    anyio.run(main, backend=backend)
    assert results == {
        "1": (True, "1", "http://h1/w/items/1", "/w/items/1", "1->/w/items/r"),
        "2": (True, "2", "http://h2/w/items/2", "/w/items/2", "2->/w/items/r"),
    }


def test_asgi_app_behind_a_wsgi_filter_and_the_bridge_sees_the_request() -> None:
    """RoutesMiddleware → WSGIAdapter → a WSGI filter → ASGIBridge → ASGI app using url_for."""
    m = _item_mapper()
    seen: list[Any] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((request_config().mapper_dict["id"], url_for("item", id="z", qualified=True)))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    bridge = ASGIBridge(inner)

    def wsgi_filter(environ: dict[str, Any], start_response: Any) -> Any:
        return bridge(environ, start_response)

    mw = RoutesMiddleware(WSGIAdapter(wsgi_filter, threads=2), m)
    status = anyio.run(_asgi_call, mw, _scope({"method": "GET", "path": "/items/4", "host": "b.example"}))
    assert status == (204, None)
    assert seen == [("4", "http://b.example/items/z")]


def test_request_config_does_not_outlive_the_request_and_inherits_startup_settings() -> None:
    def scenario() -> Any:
        m = _item_mapper()  # registered: request_config().mapper is m here
        config = request_config()
        config.redirect = lambda url: ("startup redirect", url)
        seen: list[Any] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append((request_config().mapper_dict["id"], redirect_to("item", id=2)))
            request_config().redirect = None  # undone when the request ends
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        async def main() -> None:
            # Sequential requests in one task: nothing of the first is left for the second.
            for _ in range(2):
                await _asgi_call(RoutesMiddleware(app, m), _scope({"method": "GET", "path": "/items/1"}))

        anyio.run(main)
        return seen, hasattr(config, "mapper_dict"), config.redirect("x"), config.mapper is m

    seen, leaked, redirect, registered = _in_fresh_context(scenario)
    assert seen == [("1", ("startup redirect", "/items/2"))] * 2
    assert not leaked and redirect == ("startup redirect", "x") and registered


def test_request_state_isolates_and_restores() -> None:
    def scenario() -> Any:
        config = request_config()
        config.host = "outer"
        with request_state():
            config.host = "inner"
            inner = request_config().host
        return inner, config.host

    assert _in_fresh_context(scenario) == ("inner", "outer")


@pytest.mark.asyncio
async def test_router_controllers_sync_and_async_use_url_for() -> None:
    class Items:
        async def show(self, req: Any, id: str) -> dict[str, Any]:
            return {"self": url_for("item", id=id, qualified=True), "current": URLGenerator(m).current()}

        def index(self, req: Any) -> dict[str, Any]:  # runs in a worker thread
            return {"first": url_for("item", id=1), "thread": threading.current_thread() is not threading.main_thread()}

    m = Mapper()
    resource = Resource(Items())
    m.connect("item", "/items/{id}", controller=resource, action="show")
    m.connect("items", "/items", controller=resource, action="index")
    router = Router(m)
    transport = httpx.ASGITransport(app=router, root_path="/api")
    async with httpx.AsyncClient(transport=transport, base_url="http://nova.test") as c:
        r = await c.get("/api/items/5")
        assert r.json() == {"self": "http://nova.test/api/items/5", "current": "/api/items/5"}
        r = await c.get("/api/items")
        assert r.json() == {"first": "/api/items/1", "thread": True}


def test_outside_a_request() -> None:
    def scenario() -> Any:
        m = Mapper(register=False)
        m.connect("item", "/items/{id}", controller="items")
        errors = [_call(url_for, "item", id=1), _call(URLGenerator, m)]
        request_config().mapper = m
        return errors, url_for("item", id=1)

    assert _in_fresh_context(scenario) == ([("error", "AttributeError"), ("no-url", None)], "/items/1")


# -- the example in docs/routes.md -------------------------------------------------------------------

DOC = Path(__file__).parents[2] / "docs" / "routes.md"


def test_docs_example_output_is_what_the_code_prints(capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text()
    pattern = r"<!-- request-config-example -->\n```python\n(.*?)```\n\nIt prints:\n\n```text\n(.*?)```"
    block = re.search(pattern, text, re.S)
    assert block is not None, "docs/routes.md lost its request_config example"
    code, expected = block.groups()
    _in_fresh_context(lambda: exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"}))
    assert capsys.readouterr().out == expected


def test_routes_util_names_are_importable_from_our_util() -> None:
    from asgipaste.routes import config, urlgen, util

    assert util.url_for is config.url_for and util.redirect_to is config.redirect_to
    assert util.request_config is config.request_config and util.URLGenerator is urlgen.URLGenerator
    with pytest.raises(AttributeError):
        _ = util.no_such_name
