"""Loading's shortcuts give what the slow, general calls they skip would give."""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgipaste.errors import ConfigError
from asgipaste.interop.detect import declare_asgi, declared_protocol
from asgipaste.loader.build import _fits, _signature
from asgipaste.loader.plan import Node
from asgipaste.loader.references import APP, FILTER, SERVER, FactoryRef, ObjectType, lookup_object
from asgipaste.loader.resolve import ConfigLoader


def _a(global_conf, **local): ...  # type: ignore[no-untyped-def]
def _b(global_conf, x, y=1): ...  # type: ignore[no-untyped-def]
def _c(loader, global_conf, z=2, **local): ...  # type: ignore[no-untyped-def]
def _d(): ...  # type: ignore[no-untyped-def]
def _e(global_conf, /, **local): ...  # type: ignore[no-untyped-def]
def _f(*args, **kwargs): ...  # type: ignore[no-untyped-def]
def _g(global_conf, *, k, **local): ...  # type: ignore[no-untyped-def]


class _Factory:
    def __init__(self, app, global_conf=None, **local): ...  # type: ignore[no-untyped-def]


FACTORIES = [_a, _b, _c, _d, _e, _f, _g, _Factory]
NAMES = ["global_conf", "x", "y", "z", "k", "loader", "app", "local", "other"]


def _binds(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


@given(st.sampled_from(FACTORIES), st.integers(0, 4), st.sets(st.sampled_from(NAMES), max_size=4))
def test_the_shape_check_agrees_with_bind(factory: Any, nargs: int, keys: set[str]) -> None:
    signature, shape = _signature(factory)
    assert signature is not None
    args, kwargs = tuple(range(nargs)), dict.fromkeys(keys, "v")
    if shape is not None:
        assert _fits(shape, args, kwargs) == _binds(signature, args, kwargs)


def test_only_simple_signatures_get_a_shape() -> None:
    assert [_signature(f)[1] is not None for f in FACTORIES] == [True, True, True, True, False, False, False, True]


def test_lookup_object_takes_imported_modules_from_sys_modules() -> None:
    assert lookup_object("os.path:join") is sys.modules["os.path"].join
    assert lookup_object("json") is sys.modules["json"]
    with pytest.raises(ModuleNotFoundError):
        lookup_object("no_such_module_here:x")


def test_a_plain_function_declares_as_before() -> None:
    def plain(environ, start_response): ...  # type: ignore[no-untyped-def]

    assert declared_protocol(plain) is None
    assert declared_protocol(declare_asgi(plain)) == "asgi"
    assert declared_protocol(functools.partial(plain)) == "asgi"
    plain.__asgipaste_protocol__ = "nope"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="must be 'asgi' or 'wsgi'"):
        declared_protocol(plain)


class _NoCallShortcut(ConfigLoader):
    """ConfigLoader resolving every ``use = call:`` through get_context and loadcontext."""

    def _call_node(self, object_type: ObjectType, use: str, global_conf: dict[str, Any]) -> Node | None:
        return None


_USE_VALUES = [
    "call:json:dumps", "call:os.path:join", "call:nocolon", "CALL:json:dumps", "Call:json:dumps",
    "call:json:dumps#name", "call:", "call::", "call: json:dumps", "call:json:dumps ", "config:missing.ini",
    "egg:Paste#urlmap",
]
_SECTION_KINDS = ["app", "filter", "composite", "server", "filter-app"]


def _describe(node: Node) -> Any:
    return (
        node.kind, node.object_type.name, node.protocol, node.global_conf, node.local_conf, node.ref, node.section,
        node.line, node.file, node.wsgi_threads, node.protocol_override, node.loader.filename,
        _describe(node.next_node) if node.next_node else None,
        _describe(node.filter_node) if node.filter_node else None,
    )


def _resolve(loader_type: type[ConfigLoader], path: str, object_type: ObjectType, name: str) -> Any:
    try:
        return _describe(loader_type(path).get_context(object_type, name))
    except ConfigError as exc:
        return type(exc), str(exc)


@given(
    st.sampled_from(_SECTION_KINDS),
    st.sampled_from(_USE_VALUES),
    st.lists(st.sampled_from(["set shared = 1", "x = %(here)s", "wsgi_threads = 2", "level = 1",
                              "asgipaste.protocol = asgi", "get g = shared"]), max_size=3, unique=True),
    st.booleans(),
)
def test_the_call_shortcut_makes_the_node_get_context_would(
    tmp_path_factory: Any, kind: str, use: str, extra: list[str], defaults: bool
) -> None:
    lines = ["[DEFAULT]", "shared = 0"] if defaults else []
    lines += [f"[{kind}:main]", f"use = {use}", *extra]
    if kind == "filter-app":
        lines += ["next = inner", "[app:inner]", "use = call:json:dumps"]
    path = tmp_path_factory.mktemp("call") / "x.ini"
    path.write_text("\n".join(lines) + "\n")
    object_type = {"filter": FILTER, "server": SERVER}.get(kind, APP)
    assert _resolve(ConfigLoader, str(path), object_type, "main") == _resolve(
        _NoCallShortcut, str(path), object_type, "main"
    )


def test_the_call_shortcut_is_taken_and_shares_refs(tmp_path: Any) -> None:
    path = tmp_path / "x.ini"
    path.write_text("[app:a]\nuse = call:json:dumps\n[app:b]\nuse = call:json:dumps\n")
    loader = ConfigLoader(str(path))
    a, b = loader.get_context(APP, "a"), loader.get_context(APP, "b")
    assert a.loader is loader and a.ref is b.ref and a.ref == FactoryRef("json:dumps")


_DOUBLED = ObjectType("doubled", APP.egg_protocols, (("app",), ("app", "composite")))
_HEADERS = [f"{prefix}:{name}" for prefix in ("app", "application", "composite", "pipeline", "filter", "server",
                                              "filter-app", "other") for name in ("main", "a", " a", "b")]


@given(
    st.sets(st.sampled_from([*_HEADERS, "app", "filter"]), max_size=6),
    st.sampled_from([APP, FILTER, SERVER, _DOUBLED]),
    st.sampled_from([None, "main", "a", "b", "c"]),
)
def test_the_section_shortcut_finds_what_the_walk_finds(
    tmp_path_factory: Any, headers: set[str], object_type: ObjectType, name: str | None
) -> None:
    path = tmp_path_factory.mktemp("find") / "x.ini"
    path.write_text("".join(f"[{h}]\nk = v\n" for h in sorted(headers)))
    loader = ConfigLoader(str(path))

    def outcome(find: Any) -> Any:
        try:
            return find(object_type, name)
        except ConfigError as exc:
            return type(exc), str(exc)

    assert outcome(loader.find_config_section) == outcome(loader._walk_sections)
