"""The docstring examples of asgipaste.routes, and a property test of matching against Routes."""

from __future__ import annotations

import doctest
import importlib
from typing import Any

import pytest
import routes as upstream
from hypothesis import given, settings
from hypothesis import strategies as st

from asgipaste.routes import Mapper

MODULES = [
    "asgipaste.routes",
    "asgipaste.routes.config",
    "asgipaste.routes.controller",
    "asgipaste.routes.dispatch",
    "asgipaste.routes.faults",
    "asgipaste.routes.gencache",
    "asgipaste.routes.index",
    "asgipaste.routes.mapper",
    "asgipaste.routes.minimize",
    "asgipaste.routes.resources",
    "asgipaste.routes.route",
    "asgipaste.routes.submapper",
    "asgipaste.routes.urlgen",
    "asgipaste.routes.util",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def _build(cls: Any) -> Any:
    m = cls()
    m.connect("home", "/", controller="home")
    m.connect("/{anything}", controller="catchall", conditions={"method": ["GET"]})
    m.connect("/files/*path", controller="files")
    m.connect("/d/{year:\\d+}-{month}", controller="dates")
    m.connect("/p/{name}.html", controller="pages")
    m.resource("message", "messages", member={"mark": "POST"}, collection={"rss": "GET"})
    m.resource("server", "servers", path_prefix="/{project_id}", collection={"detail": "GET"})
    m.resource("note", "notes", parent_resource={"member_name": "message", "collection_name": "messages"})
    return m


OURS, THEIRS = _build(Mapper), _build(upstream.Mapper)
SEGMENT = st.one_of(
    st.sampled_from(["messages", "servers", "notes", "new", "edit", "detail", "rss", "mark", "files", "d", "p"]),
    st.text(alphabet="ab1.-%E2x/", min_size=0, max_size=6),
)


@settings(max_examples=400, deadline=None)
@given(
    segments=st.lists(SEGMENT, min_size=0, max_size=5),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    suffix=st.sampled_from(["", "/", ".json", ".", "\n"]),
)
def test_random_paths_match_like_routes(segments: list[str], method: str, suffix: str) -> None:
    path = "/" + "/".join(segments) + suffix
    environ = {"REQUEST_METHOD": method}
    ours = OURS.routematch(path, dict(environ))
    theirs = THEIRS.routematch(path, dict(environ))
    if theirs is None:
        assert ours is None
    else:
        assert ours is not None
        assert ours[0] == theirs[0]
        assert OURS.matchlist.index(ours[1]) == THEIRS.matchlist.index(theirs[1])
