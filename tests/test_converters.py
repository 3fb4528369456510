"""asbool/asint/aslist against PasteDeploy's own converters (differential)."""

from __future__ import annotations

from typing import Any

import pytest
from paste.deploy import converters as upstream

from asgipaste import converters

BOOL_INPUTS: list[Any] = [
    "true", "yes", "on", "y", "t", "1", " TRUE ", "Yes",
    "false", "no", "off", "n", "f", "0", " Off ",
    "", "maybe", "2", 1, 0, None, [], [1],
]
INT_INPUTS: list[Any] = [" 7 ", "0", "-3", 1.5, "1.5", "0x10", None, "", "abc", True]
LIST_INPUTS: list[tuple[Any, ...]] = [
    (" a  b ",), ("a\n b\n\n c",), ("a,,b", ","), (" a , b ", ",", False), ("",), (None,),
    ((1, 2),), ([1],), (5,), ("a b", None, False),
]


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # compare type and message
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("value", BOOL_INPUTS)
def test_asbool_matches_pastedeploy(value: Any) -> None:
    assert outcome(converters.asbool, value) == outcome(upstream.asbool, value)


@pytest.mark.parametrize("value", INT_INPUTS)
def test_asint_matches_pastedeploy(value: Any) -> None:
    assert outcome(converters.asint, value) == outcome(upstream.asint, value)


@pytest.mark.parametrize("args", LIST_INPUTS)
def test_aslist_matches_pastedeploy(args: tuple[Any, ...]) -> None:
    assert outcome(converters.aslist, *args) == outcome(upstream.aslist, *args)


def test_aslist_returns_same_sequence_object() -> None:
    seq = [1, 2]
    assert converters.aslist(seq) is seq
