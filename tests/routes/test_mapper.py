"""Unit tests of asgipaste.routes.Mapper features (matching, generation, helpers)."""

from __future__ import annotations

from typing import Any

import pytest
import routes as upstream

from asgipaste.errors import ConfigValueError
from asgipaste.routes import GenerationException, Mapper, Route, RoutesException, URLGenerator
from asgipaste.routes.index import MatchIndex, can_match_slash

GET = {"REQUEST_METHOD": "GET"}
POST = {"REQUEST_METHOD": "POST"}
PUT = {"REQUEST_METHOD": "PUT"}
DELETE = {"REQUEST_METHOD": "DELETE"}


def env(method: str = "GET", **extra: Any) -> dict[str, Any]:
    return {"REQUEST_METHOD": method, **extra}


# -- connect: templates, requirements, defaults -------------------------------------------------


def test_connect_with_and_without_name() -> None:
    m = Mapper()
    m.connect("home", "/", controller="main", action="index")
    m.connect("/about", controller="main", action="about")
    assert m.match("/") == {"controller": "main", "action": "index"}
    assert m.match("/about") == {"controller": "main", "action": "about"}
    assert m.matchlist[0].name == "home" and m.matchlist[1].name is None
    assert m._routenames["home"] is m.matchlist[0]


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/posts/{id}", "/posts/7", {"id": "7"}),
        ("/posts/{id:\\d+}", "/posts/7", {"id": "7"}),
        ("/posts/{id:\\d+}", "/posts/x", None),
        ("/posts/:id", "/posts/7", {"id": "7"}),
        ("/posts/:(id)", "/posts/7", {"id": "7"}),
        ("/files/*path", "/files/a/b/c.txt", {"path": "a/b/c.txt"}),
        ("/d/{year}-{month}", "/d/2024-05", {"year": "2024", "month": "05"}),
        ("/p/{name}.html", "/p/home.html", {"name": "home"}),
        ("/f/{id}{.format}", "/f/1.json", {"id": "1", "format": "json"}),
        ("/f/{id}{.format}", "/f/1", {"id": "1", "format": None}),
        ("/posts/{id}", "/posts/7/", None),
        ("/posts/{id}", "/posts/", None),
    ],
)
def test_templates(template: str, path: str, expected: dict[str, Any] | None) -> None:
    m = Mapper()
    m.connect(template, controller="c", action="a")
    got = m.match(path)
    if expected is None:
        assert got is None
    else:
        assert got == {**expected, "controller": "c", "action": "a"}


def test_requirements_dict_restricts_variables() -> None:
    m = Mapper()
    m.connect("/archive/{year}/{slug}", controller="blog", requirements={"year": r"\d{4}"})
    m.connect("/archive/{name}/{slug}", controller="other")
    assert m.match("/archive/2004/x")["controller"] == "blog"
    assert m.match("/archive/old/x")["controller"] == "other"


def test_defaults_fill_extras_and_empty_values() -> None:
    m = Mapper()
    m.connect("/search", controller="s", action="find", page="1")
    assert m.match("/search") == {"controller": "s", "action": "find", "page": "1"}


def test_explicit_false_adds_implicit_defaults() -> None:
    m = Mapper(explicit=False)
    m.connect("/x/{id}")
    assert m.match("/x/3") == {"id": "3", "controller": "content", "action": "index"}


def test_conditions_method_list() -> None:
    m = Mapper()
    m.connect("/items", controller="items", action="create", conditions={"method": ["POST"]})
    m.connect("/items", controller="items", action="index", conditions={"method": ["GET", "HEAD"]})
    assert m.match("/items", environ=POST)["action"] == "create"
    assert m.match("/items", environ=env("HEAD"))["action"] == "index"
    assert m.match("/items", environ=PUT) is None
    # Without an environ, method conditions are not checked (as in Routes): first route wins.
    assert m.match("/items")["action"] == "create"


def test_conditions_function_sees_environ_and_match() -> None:
    seen: list[tuple[Any, dict[str, Any]]] = []

    def only_even(environ: Any, match: dict[str, Any]) -> bool:
        seen.append((environ, dict(match)))
        return int(match["id"]) % 2 == 0

    m = Mapper()
    m.connect("/n/{id}", controller="even", conditions={"function": only_even})
    m.connect("/n/{id}", controller="odd")
    assert m.match("/n/2", environ=GET)["controller"] == "even"
    assert m.match("/n/3", environ=GET)["controller"] == "odd"
    assert seen[0][1]["id"] == "2" and seen[0][0]["REQUEST_METHOD"] == "GET"


def test_conditions_sub_domain() -> None:
    m = Mapper()
    m.sub_domains = True
    m.connect("/", controller="sub", conditions={"sub_domain": True})
    m.connect("/", controller="www", conditions={"sub_domain": ["www"]})
    m.connect("/", controller="bare", conditions={"sub_domain": False})
    assert m.match("/", environ=env(HTTP_HOST="blog.example.com")) == {
        "controller": "sub",
        "sub_domain": "blog",
    }
    assert m.match("/", environ=env(HTTP_HOST="example.com:8080")) == {
        "controller": "bare",
        "sub_domain": None,
    }


def test_connect_validates_arguments() -> None:
    m = Mapper()
    with pytest.raises(TypeError, match="path must be a str"):
        m.connect("name", 3)
    with pytest.raises(TypeError, match="positional"):
        m.connect("a", "/b", "c")


# -- submapper / collection ------------------------------------------------------------------------


def test_submapper_path_and_name_prefix() -> None:
    m = Mapper()
    with m.submapper(path_prefix="/admin", name_prefix="admin_", controller="admin") as s:
        s.connect("home", "/home", action="home")
        s.connect("/plain", action="plain")
    assert m.match("/admin/home") == {"controller": "admin", "action": "home"}
    assert m.matchlist[0].name == "admin_home"
    assert URLGenerator(m, {})("admin_home") == "/admin/home"


def test_submapper_merges_dict_options() -> None:
    m = Mapper()
    s = m.submapper(controller="c", requirements={"id": r"\d+"})
    s.connect("one", "/one/{id}/{slug}", requirements={"slug": "[a-z]+"})
    assert m.matchlist[0].reqs == {"id": r"\d+", "slug": "[a-z]+"}
    assert m.match("/one/1/ab") is not None and m.match("/one/x/ab") is None


def test_collection_helpers() -> None:
    m = Mapper()
    c = m.collection("entries", "entry")
    c.member.link("ping", method="POST")
    c.link("recent", name="recent_entries")
    url = URLGenerator(m, {})
    assert url("entries") == "/entries"
    assert url("new_entry", format="xml") == "/entries/new.xml"
    assert url("edit_entry", id=1) == "/entries/1/edit"
    assert url("ping_entry", id=1) == "/entries/1/ping"
    assert url("recent_entries") == "/entries/recent"
    assert m.match("/entries/1/ping", environ=POST)["action"] == "ping"
    assert m.match("/entries/1", environ=PUT)["action"] == "update"
    assert m.match("/entries", environ=POST)["action"] == "create"


# -- resource ------------------------------------------------------------------------------------


def _table(m: Any) -> list[tuple[str | None, str, list[str], str]]:
    return [(r.name, r.routepath, r.conditions["method"], r.defaults["action"]) for r in m.matchlist]


def test_resource_route_table_is_routes_order() -> None:
    m = Mapper()
    m.resource("message", "messages")
    assert _table(m) == [
        (None, "/messages.:(format)", ["POST"], "create"),
        (None, "/messages", ["POST"], "create"),
        ("formatted_messages", "/messages.:(format)", ["GET"], "index"),
        ("messages", "/messages", ["GET"], "index"),
        ("formatted_new_message", "/messages/new.:(format)", ["GET"], "new"),
        ("new_message", "/messages/new", ["GET"], "new"),
        ("formatted_edit_message", "/messages/:(id)/edit.:(format)", ["GET"], "edit"),
        ("edit_message", "/messages/:(id)/edit", ["GET"], "edit"),
        (None, "/messages/:(id).:(format)", ["PUT"], "update"),
        (None, "/messages/:(id)", ["PUT"], "update"),
        (None, "/messages/:(id).:(format)", ["DELETE"], "delete"),
        (None, "/messages/:(id)", ["DELETE"], "delete"),
        ("formatted_message", "/messages/:(id).:(format)", ["GET"], "show"),
        ("message", "/messages/:(id)", ["GET"], "show"),
    ]
    theirs = upstream.Mapper()
    theirs.resource("message", "messages")
    assert _table(m) == _table(theirs)
    assert str(m) == str(theirs)


def test_resource_options_match_routes() -> None:
    opts: dict[str, Any] = {
        "collection": {"detail": "GET", "search": "POST"},
        "member": {"action": "POST", "mark": "put"},
        "new": {"preview": "POST"},
        "controller": "srv",
        "path_prefix": "/{project_id}",
        "name_prefix": "project_",
    }
    ours, theirs = Mapper(), upstream.Mapper()
    ours.resource("server", "servers", **opts)
    theirs.resource("server", "servers", **opts)
    assert _table(ours) == _table(theirs)
    names = {r.name for r in ours.matchlist}
    assert {"project_detail_servers", "project_action_server", "project_preview_new_server"} <= names
    assert ours.match("/p1/servers/detail", environ=GET) == {
        "project_id": "p1",
        "controller": "srv",
        "action": "detail",
    }
    assert ours.match("/p1/servers/9/action", environ=POST)["action"] == "action"
    assert ours.match("/p1/servers/9/mark", environ=PUT)["action"] == "mark"
    assert ours.match("/p1/servers/new/preview", environ=POST)["action"] == "preview"


def test_resource_parent_resource() -> None:
    m = Mapper()
    m.resource("location", "locations", parent_resource={"member_name": "region", "collection_name": "regions"})
    url = URLGenerator(m, {})
    assert url("region_locations", region_id=13) == "/regions/13/locations"
    assert url("region_new_location", region_id=13) == "/regions/13/locations/new"
    assert url("region_location", region_id=13, id=60) == "/regions/13/locations/60"
    assert url("region_edit_location", region_id=13, id=60) == "/regions/13/locations/60/edit"
    match, route = m.routematch("/regions/13/locations/60", environ=GET)
    assert match["region_id"] == "13" and route.parent_resource == {
        "member_name": "region",
        "collection_name": "regions",
    }
    assert route.member_name == "location" and route.collection_name == "locations"


def test_resource_requirements_apply_to_prefix_variables() -> None:
    m = Mapper()
    m.resource("message", "messages", path_prefix="{project_id}/", requirements={"project_id": r"\d+"})
    assert m.match("/01234/messages", environ=POST)["project_id"] == "01234"
    assert m.match("/foo/messages", environ=POST) is None


def test_resource_rejects_bad_parent_resource() -> None:
    with pytest.raises(ConfigValueError, match="parent_resource"):
        Mapper().resource("a", "as", parent_resource={"member_name": "x"})
    with pytest.raises(ConfigValueError, match="method for action"):
        Mapper().resource("a", "as", member={"x": 1})


# -- match / routematch inputs ------------------------------------------------------------------


def test_match_accepts_environ_and_asgi_scope() -> None:
    m = Mapper()
    m.resource("message", "messages")
    assert m.match(environ={"REQUEST_METHOD": "PUT", "PATH_INFO": "/messages/1"})["action"] == "update"
    scope = {"type": "http", "method": "DELETE", "path": "/v2/messages/1", "root_path": "/v2", "headers": []}
    assert m.match(environ=scope)["action"] == "delete"
    assert m.match(scope)["action"] == "delete"
    match, route = m.routematch(scope)
    assert route is m.matchlist[11] and match["id"] == "1"
    # root_path is only stripped at a "/" boundary.
    other = {"type": "http", "method": "GET", "path": "/v20/messages", "root_path": "/v2", "headers": []}
    assert m.match(other) is None


def test_match_needs_url_or_environ() -> None:
    m = Mapper()
    m.connect("/", controller="c")
    with pytest.raises(RoutesException, match="URL or environ"):
        m.match()
    with pytest.raises(RoutesException, match="PATH_INFO"):
        m.match(environ={"REQUEST_METHOD": "GET"})
    assert m.routematch("/nope") is None


def test_match_without_controller_scan_needs_create_regs() -> None:
    m = Mapper(controller_scan=None)
    m.connect("/{controller}/{action}")
    with pytest.raises(RoutesException, match="generate the regular expressions"):
        m.match("/a/b")
    m.create_regs(["blog", "admin"])
    assert m.match("/blog/view") == {"controller": "blog", "action": "view"}
    assert m.match("/other/view") is None


def test_connect_after_match_takes_effect() -> None:
    m = Mapper()
    m.connect("/a", controller="a")
    assert m.match("/b") is None
    m.connect("/b", controller="b")
    assert m.match("/b") == {"controller": "b"}


def test_prefix_is_stripped_before_matching() -> None:
    m = Mapper()
    m.prefix = "/app"
    m.connect("/x", controller="x")
    assert m.match("/app/x") == {"controller": "x"}
    assert m.match("/x") is None
    assert m.generate(controller="x") == "/app/x"


def test_debug_returns_matchlog_like_routes() -> None:
    ours, theirs = Mapper(), upstream.Mapper()
    for mapper in (ours, theirs):
        mapper.connect("/x/{a}", controller="a")
        mapper.connect("/b", controller="b")
        mapper.connect("/x/{a}/{b}", controller="ab")
        mapper.debug = True
    match, route, log = ours.match("/x/1/2")
    assert match == {"a": "1", "b": "2", "controller": "ab"} and route is ours.matchlist[2]
    assert [entry["regexp"] for entry in log] == [False, True]
    their_log = theirs.match("/x/1/2")[2]
    assert [(e["route"].routepath, e["regexp"]) for e in their_log] == [
        (e["route"].routepath, e["regexp"]) for e in log
    ]


# -- generation ------------------------------------------------------------------------------------


def test_generate_by_controller_action_quotes_and_queries() -> None:
    m = Mapper()
    m.resource("message", "messages")
    assert m.generate(controller="messages", action="show", id="a b") == "/messages/a%20b"
    assert m.generate(controller="messages", action="show", id="a/b") is None
    assert m.generate(controller="messages", action="index", q="x y", tags=["a", "b"]) == (
        "/messages?q=x+y&tags=a&tags=b"
    )
    assert m.generate(controller="messages", action="show", id=1, format="json") == "/messages/1.json"
    assert m.generate(controller="nope", action="show") is None


def test_generate_with_method_picks_route() -> None:
    m = Mapper()
    m.resource("message", "messages")
    assert m.generate(controller="messages", action="update", id=3, method="PUT") == "/messages/3"
    assert m.generate(controller="messages", action="update", id=3, method="GET") is None


def test_url_generator_script_name_qualified_anchor_static() -> None:
    m = Mapper()
    m.resource("message", "messages")
    url = URLGenerator(m, {"SCRIPT_NAME": "/v2", "HTTP_HOST": "api.example.com:8774"})
    assert url("message", id=1) == "/v2/messages/1"
    assert url("messages", q="x y") == "/v2/messages?q=x+y"
    assert url("formatted_message", id=1, format="json") == "/v2/messages/1.json"
    assert url("message", id=1, qualified=True) == "http://api.example.com:8774/v2/messages/1"
    assert url("message", id=1, protocol="https") == "https://api.example.com/v2/messages/1"
    assert url("message", id=1, host="other") == "http://other/v2/messages/1"
    assert url("message", id=1, anchor="top") == "/v2/messages/1#top"
    assert url("/static/a.css", v=2) == "/v2/static/a.css?v=2"
    assert url(controller="messages", action="show", id=4) == "/v2/messages/4"
    assert url(controller="messages", action="edit", id=4, page=2) == "/v2/messages/4/edit?page=2"
    with pytest.raises(GenerationException, match="Could not generate"):
        url("message")


def test_url_generator_from_asgi_scope_uses_root_path_and_host() -> None:
    m = Mapper()
    m.resource("message", "messages")
    scope = {
        "type": "http",
        "scheme": "https",
        "path": "/compute/v2/messages",
        "root_path": "/compute/v2",
        "headers": [(b"host", b"nova.example")],
        "server": ("10.0.0.1", 443),
    }
    url = URLGenerator(m, scope)
    assert url("message", id=5) == "/compute/v2/messages/5"
    assert url("messages", qualified=True) == "https://nova.example/compute/v2/messages"
    assert "SCRIPT_NAME" not in scope  # the scope is not mutated


def test_url_current_uses_route_memory() -> None:
    m = Mapper()
    m.connect("/{controller}/{action}/{id}")
    environ = {
        "SCRIPT_NAME": "",
        "wsgiorg.routing_args": ((), {"controller": "blog", "action": "view", "id": "2"}),
    }
    url = URLGenerator(m, environ)
    assert url.current(id=4) == "/blog/view/4"
    assert url.current(action="edit") == "/blog/edit/2"


def test_append_slash_and_explicit_false_generation() -> None:
    m = Mapper(explicit=False)
    m.append_slash = True
    m.connect("/pages/{id}")
    assert m.generate(id=3) == "/pages/3/"


def test_minimization_matches_and_generates_like_routes() -> None:
    def build(cls: Any) -> Any:
        mapper = cls(explicit=False)
        mapper.minimization = True
        mapper.connect(":controller/:action/:id")
        mapper.connect("archive/:year/:month", controller="blog", action="archive", month="1")
        mapper.create_regs(["blog", "admin/users"])
        return mapper

    ours, theirs = build(Mapper), build(upstream.Mapper)
    for path in [
        "/blog",
        "/blog/view",
        "/blog/view/3",
        "/admin/users/list",
        "/archive/2004",
        "/archive/2004/5",
        "/",
    ]:
        assert ours.match(path) == theirs.match(path), path
    for kwargs in [
        {"controller": "blog"},
        {"controller": "blog", "action": "view", "id": 3},
        {"controller": "blog", "action": "archive", "year": 2004},
        {"controller": "blog", "action": "archive", "year": 2004, "month": 6},
    ]:
        assert ours.generate(**kwargs) == theirs.generate(**kwargs), kwargs
    assert ours.match("/blog/view/3") == {"controller": "blog", "action": "view", "id": "3"}
    assert ours.generate(controller="blog", action="index") == "/blog"


def test_redirect_route_is_registered() -> None:
    m = Mapper()
    m.redirect("/old/{id}", "/new/{id}", _redirect_code="301 Moved Permanently")
    route = m.matchlist[0]
    assert route.redirect and route.redirect_status == "301 Moved Permanently"
    assert URLGenerator(m, {})(f"_redirect_{id(route)}", id=3) == "/new/3"


def test_extend_copies_routes_with_prefix() -> None:
    m = Mapper()
    m.extend([Route("index", "/index.htm", controller="home", action="index")], path_prefix="/sub")
    assert m.matchlist[0].routepath == "/sub/index.htm"
    assert m.match("/sub/index.htm") == {"controller": "home", "action": "index"}


def test_repr_of_route_and_mapper() -> None:
    m = Mapper()
    m.connect("home", "/", controller="main", action="index", conditions={"method": ["GET"]})
    assert repr(m.matchlist[0]) == "<Route 'home' '/' methods=['GET'] controller='main' action='index'>"
    assert repr(m) == "<Mapper routes=1 named=1>"


# -- the match index ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\d+", False),
        (r"[^/]+?", False),
        (r"[^\/]+(?<!\\)", False),
        (r"[a-z]+|\d+", False),
        (r".+?", True),
        (r"\S+", True),
        (r"[^a]+", True),
        (r"a/b", True),
        (r"(x)\1", True),
        (r"(", True),
    ],
)
def test_can_match_slash(pattern: str, expected: bool) -> None:
    assert can_match_slash(pattern) is expected


def test_index_narrows_candidates_for_big_tables() -> None:
    m = Mapper()
    for i in range(200):
        m.resource(f"s{i}", f"servers{i}", collection={"detail": "GET"}, member={"action": "POST"})
    m.create_regs()
    index = m._index
    assert isinstance(index, MatchIndex)
    assert len(index.ordered) == 200 * 18
    for path in ["/servers199/1/action", "/servers199.json", "/servers199/detail", "/servers199"]:
        assert 0 < len(index.candidates(path)) <= 20, path
    assert m.match("/servers199/1/action", environ=POST)["controller"] == "servers199"


def test_index_keeps_longest_prefix_first_order_of_routes() -> None:
    # Routes 2.5.1 tries longer static prefixes first, whatever the connect order.
    ours, theirs = Mapper(), upstream.Mapper()
    for mapper in (ours, theirs):
        mapper.connect("/{anything}", controller="catchall")
        mapper.connect("/foo", controller="foo")
        mapper.connect("/{a}/{b}", controller="two")
        mapper.connect("/x/{b}", controller="x")
    for path in ["/foo", "/bar", "/x/1", "/y/1", "/foo\n"]:
        assert ours.match(path) == theirs.match(path), path
    assert ours.match("/foo") == {"controller": "foo"}


def test_bytes_that_are_not_utf8_match_as_under_a_wsgi_server() -> None:
    """Servers put '\ufffd' in path for %E9 and %FF alike: two URLs, one id. raw_path keeps them apart."""
    from urllib.parse import unquote

    from asgipaste.routes import Mapper

    mapper = Mapper()
    mapper.resource("server", "servers")
    ids = []
    for raw in (b"/servers/%E9", b"/servers/%FF", b"/servers/%E2%98%83"):
        scope = {"type": "http", "method": "GET", "path": unquote(raw.decode()), "raw_path": raw,
                 "root_path": "", "query_string": b"", "headers": []}
        result = mapper.match(scope)
        assert result is not None
        ids.append(result["id"])
    assert ids == ["é", "ÿ", "☃"]  # latin-1 like waitress where not UTF-8; UTF-8 text where it is


def test_submapper_link_and_action_need_a_name_as_in_routes() -> None:
    """Routes raises (None + str); a route at /p/None must not appear instead."""
    import routes

    from asgipaste.routes import Mapper

    for mapper in (routes.Mapper(), Mapper()):
        sub = mapper.submapper(path_prefix="/p", controller="c")
        with pytest.raises(TypeError):
            sub.link()
        with pytest.raises(TypeError):
            sub.action()
