"""URLMap as a mapping, its factory, root_path normalisation and url_path_for."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from paste.urlmap import URLMap as PasteURLMap
from paste.urlmap import parse_path_expression as paste_parse
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import NoMatchFound, Route

from asgipaste.errors import ConfigValueError
from asgipaste.urlmap import (
    URLMap,
    normalize_key,
    normalize_root_path,
    not_found,
    parse_path_expression,
    urlmap_factory,
)
from tests.urlmap._helpers import Recorder, call, http_scope


class FakeLoader:
    """Records get_app calls in order; returns a Recorder per name (unknown names raise)."""

    def __init__(self, *, missing: tuple[str, ...] = ()) -> None:
        self.calls: list[tuple[str, dict[str, Any] | None]] = []
        self.apps: dict[str, Recorder] = {}
        self.missing = missing

    def get_app(self, name: str, global_conf: dict[str, Any] | None = None) -> Recorder:
        self.calls.append((name, global_conf))
        if name in self.missing:
            raise LookupError(f"No section {name!r}")
        return self.apps.setdefault(name, Recorder(name))


# -- keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("/", (None, "")),
        ("", (None, "")),
        ("/v2/", (None, "/v2")),
        ("//double//slash//", (None, "/double/slash")),
        ("http://example.com", ("example.com", "")),
        ("https://example.com:8443/x/", ("example.com:8443", "/x")),
        (("example.com", "/x//y/"), ("example.com", "/x/y")),
        ((None, "/x"), (None, "/x")),
    ],
)
def test_key_normalisation_matches_paste(key: Any, expected: tuple[str | None, str]) -> None:
    assert normalize_key(key) == expected
    assert PasteURLMap().normalize_url(key) == expected


def test_domain_keys_are_lower_cased_unlike_paste() -> None:
    assert normalize_key("http://Example.COM/x") == ("example.com", "/x")
    assert PasteURLMap().normalize_url("http://Example.COM/x") == ("Example.COM", "/x")


def test_bad_fragment_names_the_key() -> None:
    message = r"URL fragments must start with / or http:// \(you gave 'v2'\)"
    with pytest.raises(ConfigValueError, match=message):
        URLMap()["v2"] = Recorder("x")


def test_mapping_protocol() -> None:
    urlmap = URLMap()
    a, b, c = Recorder("a"), Recorder("b"), Recorder("c")
    urlmap["/v2/"] = a
    urlmap[("example.com", "/v2")] = b
    urlmap["/v2"] = c  # same key as /v2/: replaces
    assert len(urlmap) == 2
    assert urlmap["/v2"] is c
    assert urlmap["http://example.com/v2/"] is b
    assert list(urlmap) == [("example.com", "/v2"), (None, "/v2")]
    urlmap["/v2"] = None  # assigning None deletes
    assert "/v2" not in urlmap
    urlmap["/missing"] = None  # deleting a missing key through None is quiet, as in Paste
    with pytest.raises(KeyError, match="/missing"):
        del urlmap["/missing"]
    with pytest.raises(KeyError, match="No application with the url '/nope'"):
        urlmap["/nope"]


def test_repr_lists_entries() -> None:
    urlmap = URLMap()
    urlmap.mount("/v2", Recorder("a"), name="api")
    urlmap["http://example.com/"] = Recorder("b")
    assert repr(urlmap) == "URLMap({'http://example.com': Recorder('b'), '/v2': 'api'})"
    assert "name='api'" in repr(urlmap.routes[1])


# -- factory ------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    ["/x", "domain example.com /x", "domain example.com port 8080 /x", "port 9 domain a.b /", "domain a.b"],
)
def test_path_expression_grammar_matches_paste(expression: str) -> None:
    assert parse_path_expression(expression) == paste_parse(expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("domain a.b domain c.d /", "'domain' given twice"),
        ("domain a.b port 1 port 2 /", "'port' given twice"),
        ("/a /b", r"more than one path given \(have '/a', got '/b'\)"),
        ("port 8080 /x", "If you give a port, you must also give a domain"),
        ("/x domain", "'domain' must be followed with a domain name"),
        ("domain a port", "'port' must be followed with a port number"),
    ],
)
def test_path_expression_errors(expression: str, message: str) -> None:
    with pytest.raises(ConfigValueError, match=message) as info:
        urlmap_factory(FakeLoader(), {}, **{expression: "app"})
    assert info.value.key == expression
    with pytest.raises(ValueError, match=message):
        paste_parse(expression)


def test_factory_builds_named_entries_in_paste_order() -> None:
    loader = FakeLoader()
    conf = {"here": "/etc"}
    urlmap = urlmap_factory(
        loader, conf, **{"/": "home", "/v2/": "api", "domain example.com port 8080 /x": "ex", "/v2": "api2"}
    )
    assert list(urlmap) == [("example.com:8080", "/x"), (None, "/v2"), (None, "")]
    assert urlmap["/v2"] is loader.apps["api2"]  # later duplicate wins
    assert [name for name, _ in loader.calls] == ["home", "api", "ex", "api2"]
    assert all(gc is conf for _, gc in loader.calls)
    assert urlmap.url_path_for("api2", path="/x") == "/v2/x"
    assert getattr(urlmap_factory, "__asgipaste_protocol__", None) == "asgi"


def test_factory_loads_the_app_before_checking_the_key() -> None:
    loader = FakeLoader(missing=("nope",))
    with pytest.raises(LookupError, match="nope"):
        urlmap_factory(loader, {}, v2="nope")
    with pytest.raises(ConfigValueError, match="you gave 'v2'") as info:
        urlmap_factory(FakeLoader(), {}, v2="fine")
    assert info.value.key == "v2"
    assert "hint" in str(info.value)


@pytest.mark.asyncio
async def test_not_found_app_from_local_conf_wins_over_global() -> None:
    loader = FakeLoader()
    urlmap = urlmap_factory(loader, {"not_found_app": "global404"}, not_found_app="local404", **{"/a": "a"})
    assert urlmap.not_found_app is loader.apps["local404"]
    assert loader.calls[0][0] == "local404"
    assert "global404" not in loader.apps
    await call(urlmap, http_scope("/b"))
    seen = loader.apps["local404"].scopes[-1]
    assert seen["asgipaste.urlmap"] is urlmap


def test_not_found_app_from_global_conf() -> None:
    loader = FakeLoader()
    urlmap = urlmap_factory(loader, {"not_found_app": "global404"})
    assert urlmap.not_found_app is loader.apps["global404"]
    assert len(urlmap) == 0


@pytest.mark.asyncio
async def test_default_404_reveals_nothing() -> None:
    urlmap = URLMap()
    urlmap["/secret-admin"] = Recorder("a")
    sent = await call(urlmap, http_scope("/other", host="internal.host"))
    assert sent[0]["status"] == 404
    assert sent[1]["body"] == b"Not Found"
    assert urlmap.not_found_app is not_found


# -- the ASGI mapping -------------------------------------------------------


@pytest.mark.asyncio
async def test_child_scope_is_a_copy_with_root_path_extended() -> None:
    urlmap, app = URLMap(), Recorder("v2")
    urlmap["/v2"] = app
    scope = http_scope("/mount/v2/x", root_path="/mount")
    await call(urlmap, scope)
    child = app.scopes[-1]
    assert child is not scope
    assert scope["root_path"] == "/mount"
    assert (child["root_path"], child["path"]) == ("/mount/v2", "/mount/v2/x")
    assert child["raw_path"] == b"/mount/v2/x"


@pytest.mark.asyncio
async def test_collapsed_slashes_keep_raw_path_encoding() -> None:
    urlmap, app = URLMap(), Recorder("v2")
    urlmap["/v2/admin"] = app
    scope = http_scope("/v2//admin/caf\u00e9")
    scope["raw_path"] = b"/v2//admin/caf%C3%A9"
    await call(urlmap, scope)
    child = app.scopes[-1]
    assert child["path"] == "/v2/admin/caf\u00e9"
    assert child["raw_path"] == b"/v2/admin/caf%C3%A9"
    assert child["root_path"] == "/v2/admin"


@pytest.mark.parametrize(
    ("root", "path", "expected"),
    [
        ("", "/x", ("", "/x")),
        ("/api", "/api/x", ("/api", "/api/x")),  # uvicorn >= 0.26: already prepended
        ("/api/", "/api//x", ("/api", "/api//x")),  # uvicorn --root-path with a trailing slash
        ("/api", "/x", ("/api", "/api/x")),  # hypercorn / httpx: root_path not in path
        ("/api", "/apix", ("/api", "/api/apix")),  # not at a boundary: not included
        ("/", "/x", ("", "/x")),
    ],
)
def test_normalize_root_path(root: str, path: str, expected: tuple[str, str]) -> None:
    scope = http_scope(path, root_path=root)
    once = normalize_root_path(scope)
    assert (once["root_path"], once["path"]) == expected
    assert once["raw_path"].decode() == once["path"]
    assert normalize_root_path(once) is once  # idempotent, no copy the second time
    assert scope["root_path"] == root  # the caller's scope is not mutated


@pytest.mark.asyncio
async def test_server_root_path_not_in_path_is_normalised_before_matching() -> None:
    urlmap, app = URLMap(), Recorder("legacy")
    urlmap["/legacy"] = app
    transport = httpx.ASGITransport(app=urlmap, root_path="/pre")
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/legacy/x")
    assert response.text == "legacy"
    child = app.scopes[-1]
    assert (child["root_path"], child["path"]) == ("/pre/legacy", "/pre/legacy/x")


@pytest.mark.asyncio
async def test_trailing_slash_root_path_from_uvicorn() -> None:
    urlmap, app = URLMap(), Recorder("v2")
    urlmap["/v2"] = app
    await call(urlmap, http_scope("/svc//v2/x", root_path="/svc/"))
    child = app.scopes[-1]
    assert (child["root_path"], child["path"]) == ("/svc/v2", "/svc/v2/x")


@pytest.mark.asyncio
async def test_nested_urlmaps_compose() -> None:
    inner, app = URLMap(), Recorder("leaf")
    inner["/b"] = app
    outer = URLMap()
    outer.mount("/a", inner, name="inner")
    sent = await call(outer, http_scope("/a/b/c"))
    assert sent[1]["body"] == b"leaf"
    assert (app.scopes[-1]["root_path"], app.scopes[-1]["path"]) == ("/a/b", "/a/b/c")


# -- url_path_for -------------------------------------------------------------


def test_url_path_for_names_prefixes_and_children() -> None:
    child = Starlette(routes=[Route("/items/{id}", PlainTextResponse, name="item")])
    urlmap = URLMap()
    urlmap.mount("/v2", child, name="api")
    urlmap.mount("/", Recorder("home"), name="home")
    urlmap.mount("http://example.com:8080/x", Recorder("ex"), name="ex")
    assert urlmap.url_path_for("api", path="/x") == "/v2/x"
    assert urlmap.url_path_for("api", path="") == "/v2"
    assert urlmap.url_path_for("home", path="/x") == "/x"
    assert urlmap.url_path_for("api:item", id=3) == "/v2/items/3"
    url = urlmap.url_path_for("ex", path="/y")
    assert (url, url.host) == ("/x/y", "example.com:8080")
    urlmap.mount("http://example.com/", child, name="api")  # same app again, on a domain
    assert urlmap.url_path_for("api", path="/x") == "/v2/x"  # the domain-less entry is preferred
    with pytest.raises(NoMatchFound):
        urlmap.url_path_for("nope", path="/")
    with pytest.raises(NoMatchFound):
        urlmap.url_path_for("api", other="/")


def test_url_path_for_through_a_starlette_mount() -> None:
    from starlette.routing import Mount, Router

    urlmap = URLMap()
    urlmap.mount("/v2", Recorder("a"), name="api")
    router = Router(routes=[Mount("/outer", app=urlmap, name="outer")])
    assert router.url_path_for("outer:api", path="/x") == "/outer/v2/x"


def test_converted_copies_the_map_converting_each_app_and_a_custom_not_found_app() -> None:
    from asgipaste.urlmap.asgi import not_found

    table = URLMap(not_found_app="custom")
    table.mount("/v2", "compute", name="v2")
    table.mount("http://h.example/x", "other")
    copy = table.converted(str.upper)
    assert list(copy) == list(table) and copy["/v2"] == "COMPUTE" and copy["http://h.example/x"] == "OTHER"
    assert copy.not_found_app == "CUSTOM" and table["/v2"] == "compute"  # the original is left as it was
    assert URLMap().converted(str.upper).not_found_app is not_found  # the default is not converted
