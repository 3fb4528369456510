"""The seed blog's ``map.resource("message", "messages")`` table and routes-nova.md's examples."""

from __future__ import annotations

from typing import Any

import pytest
import routes as upstream

from asgipaste.routes import Mapper, URLGenerator

# The seed's table, verbatim: method, path, action, url(...) call.
SEED_TABLE = [
    ("GET", "/messages", "index", ("messages", {})),
    ("POST", "/messages", "create", ("messages", {})),
    ("GET", "/messages/new", "new", ("new_message", {})),
    ("PUT", "/messages/1", "update", ("message", {"id": 1})),
    ("DELETE", "/messages/1", "delete", ("message", {"id": 1})),
    ("GET", "/messages/1", "show", ("message", {"id": 1})),
    ("GET", "/messages/1/edit", "edit", ("edit_message", {"id": 1})),
]


@pytest.fixture
def mapper() -> Mapper:
    m = Mapper()
    m.resource("message", "messages")
    return m


@pytest.mark.parametrize(("method", "path", "action", "url_call"), SEED_TABLE)
def test_seed_table(mapper: Mapper, method: str, path: str, action: str, url_call: tuple[str, Any]) -> None:
    match = mapper.match(path, environ={"REQUEST_METHOD": method})
    assert match is not None
    assert match["controller"] == "messages"
    assert match["action"] == action
    if "/1" in path:
        assert match["id"] == "1"
    name, kwargs = url_call
    url = URLGenerator(mapper, {})
    assert url(name, **kwargs) == path


def test_seed_manual_connects_match_like_resource() -> None:
    """The seed's hand-written ``map.connect`` list routes the 7 rows the same way."""
    m = Mapper()
    get, post, put, delete = (dict(method=[x]) for x in ("GET", "POST", "PUT", "DELETE"))
    m.connect("messages", "/messages", controller="messages", action="create", conditions=post)
    m.connect("messages", "/messages", controller="messages", action="index", conditions=get)
    m.connect("formatted_messages", "/messages.{format}", controller="messages", action="index", conditions=get)
    m.connect("new_message", "/messages/new", controller="messages", action="new", conditions=get)
    m.connect("formatted_new_message", "/messages/new.{format}", controller="messages", action="new", conditions=get)
    m.connect("/messages/{id}", controller="messages", action="update", conditions=put)
    m.connect("/messages/{id}", controller="messages", action="delete", conditions=delete)
    m.connect("edit_message", "/messages/{id}/edit", controller="messages", action="edit", conditions=get)
    m.connect(
        "formatted_edit_message",
        "/messages/{id}.{format}/edit",
        controller="messages",
        action="edit",
        conditions=get,
    )
    m.connect("message", "/messages/{id}", controller="messages", action="show", conditions=get)
    m.connect("formatted_message", "/messages/{id}.{format}", controller="messages", action="show", conditions=get)
    for method, path, action, _ in SEED_TABLE:
        assert m.match(path, environ={"REQUEST_METHOD": method})["action"] == action


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/messages/1.json", {"id": "1", "format": "json"}),
        ("/messages/1.2.json", {"id": "1.2", "format": "json"}),
        ("/messages/a.b", {"id": "a", "format": "b"}),
        ("/messages/1.", {"id": "1."}),
        ("/messages/%E2%98%83", {"id": "%E2%98%83"}),
        ("/messages/1/", None),
    ],
)
def test_reference_formatted_splits(mapper: Mapper, path: str, expected: dict[str, str] | None) -> None:
    got = mapper.match(path, environ={"REQUEST_METHOD": "GET"})
    theirs = upstream.Mapper()
    theirs.resource("message", "messages")
    assert got == theirs.match(path, environ={"REQUEST_METHOD": "GET"})
    if expected is None:
        assert got is None
    else:
        assert got == {**expected, "controller": "messages", "action": "show"}


def test_reference_generation_examples(mapper: Mapper) -> None:
    assert mapper.generate(controller="messages", action="show", id="a/b") is None
    assert mapper.generate(controller="messages", action="show", id="a b") == "/messages/a%20b"
    url = URLGenerator(mapper, {"SCRIPT_NAME": "/v2"})
    assert url("message", id=1) == "/v2/messages/1"
    assert url("messages", q="x y") == "/v2/messages?q=x+y"
    assert URLGenerator(mapper, {})("formatted_message", id=1, format="json") == "/messages/1.json"


def test_reference_routematch_shape(mapper: Mapper) -> None:
    match, route = mapper.routematch("/messages/1.json", environ={"REQUEST_METHOD": "GET"})
    assert match == {"id": "1", "format": "json", "controller": "messages", "action": "show"}
    assert route.name == "formatted_message"


def test_reference_nova_server_resource_names() -> None:
    m = Mapper()
    m.resource(
        "server",
        "servers",
        controller="servers",
        collection={"detail": "GET"},
        member={"action": "POST"},
        parent_resource={"member_name": "project", "collection_name": "projects"},
    )
    names = {r.name for r in m.matchlist if r.name}
    assert {"project_servers", "project_server", "project_detail_servers", "project_action_server"} <= names
    assert m.match("/projects/p1/servers/detail", environ={"REQUEST_METHOD": "GET"}) == {
        "project_id": "p1",
        "controller": "servers",
        "action": "detail",
    }
