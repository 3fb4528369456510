"""Loading's shortcuts give what the slow, general calls they skip would give."""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgipaste.interop.detect import declare_asgi, declared_protocol
from asgipaste.loader.build import _fits, _signature
from asgipaste.loader.references import lookup_object


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
