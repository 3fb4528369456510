"""Property-based tests: generated INI documents and request paths.

* Any generated INI document either loads or raises :class:`ConfigError`
  (``loadapp`` and ``appconfig``); nothing else escapes.
* The urlmap never crashes on any path (encoded slashes, ``..``, unicode,
  overlong, empty) and never routes across a ``/`` boundary: the entry it
  picks is the longest key equal to the (slash-collapsed) path or a prefix of
  it ending at a ``/``, and the child's ``root_path`` is exactly that key.

Generated ``use`` values only name factories from a safe list (the corpus'
factories and missing modules): a fuzzer must not call arbitrary functions.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asgipaste import ConfigError, appconfig, loadapp
from asgipaste.urlmap import URLMap

F = "tests.reliability.factories"
SAFE_USES = [
    f"call:{F}:app_factory", f"call:{F}:returns_none", f"call:{F}:raises", f"call:{F}:no_args",
    f"call:{F}:composite_raises", "call:benchmarks._stacks:filter_factory",
    "call:benchmarks._stacks:app_factory", "call:benchmarks._stacks:wsgi_app_factory",
    "call:no_such_module_xyz:f", "call:nocolon", "egg:Paste#urlmap", "egg:asgipaste#urlmap",
    "egg:asgipaste#nothing", "egg:NoSuchDistXyz", "config:missing.ini", "config:", "main", "other", "",
]
SECTION_KINDS = ["app", "filter", "pipeline", "composite", "filter-app", "server", "application", "weird", ""]
NAMES = st.sampled_from(["main", "other", "f", "api", "", "ü", "a:b", "x y"])
# Text that exercises the dialect: interpolation, separators, comments, unicode, brackets.
TEXT = st.lists(st.sampled_from([*"ab/_-.%()s:=#;[] ü€\t\\", "%(", ")s", "%%", "%(here)s", "%(x)s"]),
               max_size=12).map("".join)
KEYS = st.one_of(
    st.sampled_from(["use", "pipeline", "next", "filter-with", "require", "set x", "get y", "wsgi_threads",
                     "/", "/v2", "v2", "domain example.com /x", "not_found_app", "paste.app_factory"]),
    TEXT.filter(lambda k: k.strip() != ""),
)


def _value(draw: Any, key: str) -> str:
    if key == "use":
        return str(draw(st.sampled_from(SAFE_USES)))
    value = str(draw(TEXT))
    if "call:" in value or "egg:" in value:  # never an arbitrary factory
        value = value.replace("call:", "c").replace("egg:", "e")
    if draw(st.booleans()):  # a continuation line
        value += "\n  " + str(draw(TEXT)).replace("call:", "c").replace("egg:", "e")
    return value


@st.composite
def ini_documents(draw: Any) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(SECTION_KINDS))
        name = draw(NAMES)
        header = "DEFAULT" if kind == "" and draw(st.booleans()) else f"{kind}:{name}" if kind else name
        lines.append(f"[{header}]")
        for _ in range(draw(st.integers(0, 4))):
            key = draw(KEYS).replace("\n", " ").replace("[", "(")
            sep = draw(st.sampled_from([" = ", ": ", "=", " :"]))
            lines.append(f"{key}{sep}{_value(draw, key)}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(document=ini_documents(), name=st.sampled_from(["main", "other", "f"]))
@pytest.mark.timeout(60)
def test_generated_ini_loads_or_raises_config_error(document: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.ini"
        path.write_text(document, encoding="utf-8")
        for loader in (loadapp, appconfig):
            try:
                loader(f"config:{path}", name=name)
            except ConfigError as err:
                assert err.message.strip()
                assert err.file, f"no file in {err!s} for:\n{document}"


# --- the urlmap ---------------------------------------------------------------------------------

KEYS_MAPPED = ["/", "/v2", "/v2/admin", "/a", "/ü", "/x.y", "/a b"]


def _normalised(key: str) -> str:
    return "" if key == "/" else key


def _expected(path: str) -> str | None:
    norm = re.sub("/{2,}", "/", path)
    best = None
    for key in map(_normalised, KEYS_MAPPED):
        if (norm == key or norm.startswith(key + "/")) and (best is None or len(key) > len(best)):
            best = key
    return best


def _recorder(key: str, seen: list[tuple[str, dict[str, Any]]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((key, scope))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


PATH_PARTS = st.sampled_from(
    ["/", "//", "v2", "admin", "..", ".", "%2F", "%2f", "%00", "ü", "a b", "x.y", "v2evil", "a", "%", "?", "#", ";"]
)
PATHS = st.one_of(
    st.lists(PATH_PARTS, max_size=12).map("".join),
    st.text(max_size=64),
    st.integers(1000, 20000).map(lambda n: "/v2/" + "a" * n),
    st.just(""),
)


@settings(max_examples=400, deadline=1000)
@given(raw=PATHS, root=st.sampled_from(["", "/mount"]))
@pytest.mark.timeout(60)
def test_urlmap_never_crosses_a_slash_boundary_or_crashes(raw: str, root: str) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    urlmap = URLMap()
    for key in KEYS_MAPPED:
        urlmap[key] = _recorder(_normalised(key), seen)
    path = root + unquote(raw, errors="replace")
    raw_path = (root + quote(raw, safe="/%;")).encode("ascii")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": raw_path, "root_path": root, "query_string": b"", "headers": [],
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(urlmap(scope, receive, send))
    assert sent and sent[0]["type"] == "http.response.start"
    # A path outside root_path is taken as relative to it (hypercorn's shape; normalize_root_path).
    under = path == root or path.startswith(root + "/")
    expected = _expected(path[len(root):] if under else path)
    if expected is None:
        assert not seen and sent[0]["status"] == 404
        return
    assert len(seen) == 1
    key, child = seen[0]
    assert key == expected, f"{path!r} reached {key!r}, expected {expected!r}"
    assert child["root_path"] == root + key
    assert child["path"].startswith(child["root_path"])
    rest = child["path"][len(child["root_path"]):]
    assert rest == "" or rest.startswith("/"), f"{path!r}: crossed a boundary into {key!r} with {rest!r}"
