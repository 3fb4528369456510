"""The urlmap's longest-prefix lookup, against the plain walk it shortens (every segment of the path)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asgipaste.urlmap.asgi import _Entry, _longest, _Table

_SEGMENTS = st.sampled_from(["a", "b", "v2", "v2.1", "x"])
_KEYS = st.lists(_SEGMENTS, max_size=4).map(lambda parts: "".join("/" + p for p in parts))
_PATHS = st.one_of(
    st.lists(st.sampled_from(["a", "b", "v2", "v2.1", "x", ""]), max_size=6).map(
        lambda parts: "".join("/" + p for p in parts)
    ),
    st.text(alphabet="/abx2", max_size=8),  # no leading "/", doubled or trailing ones
)


def _walk(keys: dict[str, _Entry], path: str) -> tuple[str, _Entry] | None:
    """Paste's rule spelled out: the path itself, then each prefix ending before a "/"."""
    if path in keys:
        return path, keys[path]
    end = len(path)
    while (end := path.rfind("/", 0, end)) >= 0:
        if path[:end] in keys:
            return path[:end], keys[path[:end]]
    return None


@given(keys=st.lists(_KEYS, max_size=5, unique=True), path=_PATHS)
def test_longest_agrees_with_the_plain_walk(keys: list[str], path: str) -> None:
    table = _Table()
    for key in keys:
        table.add(_Entry((None, key), app=key, name=None))
    assert _longest(table, path) == _walk(dict(table), path)


def test_a_deep_path_under_a_shallow_key_is_one_lookup() -> None:
    table = _Table()
    table.add(_Entry((None, "/v2.1"), app="compute", name=None))
    assert table.depth == 1
    assert _longest(table, "/v2.1/servers/8f3a/action") == ("/v2.1", table["/v2.1"])
    assert _longest(table, "/v2.10/servers") is None
