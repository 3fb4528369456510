"""Differential: an exported module and ``loadapp`` over the same INI build the same thing.

For every app load of the PasteDeploy parity corpus (``tests/loader``), the
seed nova file, the bundled demo and a few mixed trees: export, delete the
INI files, import the module, and compare with the loader's stack: the same
factory calls in the same order with the same configuration
(``recorder.CALLS``, and every call the builder makes, whatever the
factory), the same graph (kinds, protocols, joins, lines), the
same objects with the same WSGI thread settings, and the same answers.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import recorder

from asgipaste import load_stack
from tests.export.conftest import (
    answers,
    delete,
    export,
    factory_calls,
    graph_shape,
    import_module,
    object_shape,
    write_files,
)
from tests.loader.test_differential import CORPUS
from tests.mixed.conftest import NOVA_INI

R = "egg:FakeASGIApp#recorded"
W = "egg:FakeASGIApp#recorded_wsgi"

#: Trees the parity corpus does not cover: thread settings, protocol overrides, filter-with on
#: WSGI apps, get/set through pipelines, command-line globals and cross-file use of a WSGI app.
MIXED: dict[str, tuple[dict[str, str], str, str | None, dict[str, str] | None]] = {
    "threads_and_overrides": (
        {"a.ini": f"""
            [DEFAULT]
            region = eu
            [composite:main]
            use = egg:Paste#urlmap
            / = legacy
            /api = api
            /raw = raw
            [pipeline:legacy]
            pipeline = wf w1
            set tier = gold
            wsgi_threads = 3
            [filter:wf]
            use = egg:FakeASGIApp#recorded_wsgi
            get tier = tier
            [app:w1]
            use = {W}
            where = %(region)s/%(here)s
            [pipeline:api]
            pipeline = af w2
            [filter:af]
            use = {R}
            [app:w2]
            use = {W}
            wsgi_threads = 0
            filter-with = wf2
            [filter:wf2]
            use = egg:FakeASGIApp#recorded_wsgi
            n = 2
            [app:raw]
            use = {W}
            asgipaste.protocol = wsgi
            secret = %(db_password)s
            """},
        "a.ini",
        None,
        {"db_password": "hunter2", "region": "us"},
    ),
    "use_quirks": (
        {"a.ini": f"""
            [app:main]
            use = fa
            set colour = blue
            extra = 1
            [filter-app:fa]
            paste.filter_factory = recorder:filter_factory
            next = inner
            opt = x
            [app:inner]
            paste.app_factory = recorder:app_factory
            filter-with = f
            a = 1
            [app:egg_inner]
            use = {R}
            filter-with = f
            [composite:top2]
            use = egg:FakeASGIApp#recorded_map
            /x = egg_inner
            app.y = uses_egg_inner
            [app:uses_egg_inner]
            use = egg_inner
            b = 2
            [filter:f]
            paste.filter_factory = recorder:filter_factory
            """},
        "a.ini",
        None,
        None,
    ),
    "cross_file_wsgi": (
        {
            "site/top.ini": """
                [DEFAULT]
                debug = true
                [app:main]
                use = config:../lib/base.ini#wsgi
                set colour = red
                extra = 1
                """,
            "lib/base.ini": f"""
                [DEFAULT]
                debug = false
                root = %(here)s/root
                [app:wsgi]
                use = {W}
                path = %(root)s/x
                """,
        },
        "site/top.ini",
        None,
        None,
    ),
}

_REQUESTS = [("GET", "/", {}), ("GET", "/a/b", {}), ("POST", "/v2/x", {}), ("GET", "/api/x", {}), ("GET", "/raw", {})]


def _app_loads() -> list[tuple[str, int]]:
    return [
        (case, index)
        for case, (_, loads) in sorted(CORPUS.items())
        for index, load in enumerate(loads)
        if load[0] == "app"
    ]


def _compare(ini: Path, name: str | None, global_conf: dict[str, Any] | None, tmp_path: Path, *drop: Path) -> Any:
    """Load, export, delete the files, import; the two stacks' calls and shapes must be equal."""
    uri = f"config:{ini}"
    recorder.CALLS.clear()
    with factory_calls() as their_calls:
        stack = load_stack(uri, name=name, global_conf=global_conf)
    theirs = list(recorder.CALLS)
    path = export(ini, tmp_path / "out", name, global_conf)
    delete(*drop)
    recorder.CALLS.clear()
    with factory_calls() as our_calls:
        module = import_module(path)
    ours = list(recorder.CALLS)
    assert ours == theirs
    assert our_calls == their_calls and their_calls
    assert graph_shape(module.stack.graph) == graph_shape(stack.graph)
    assert object_shape(module.app) == object_shape(stack.asgi)
    assert hasattr(module, "wsgi_app") == (stack.wsgi is not None)
    if stack.wsgi is not None:
        assert type(module.wsgi_app) is type(stack.wsgi)
    return stack, module


@pytest.mark.asyncio
@pytest.mark.parametrize(("case", "index"), _app_loads())
async def test_parity_corpus(case: str, index: int, tmp_path: Path) -> None:
    files, loads = CORPUS[case]
    write_files(tmp_path / "ini", files)
    _, file, name, global_conf = loads[index]
    stack, module = _compare(tmp_path / "ini" / file, name, global_conf, tmp_path, tmp_path / "ini")
    assert not (tmp_path / "ini").exists()
    assert await answers(module.app, _REQUESTS) == await answers(stack.asgi, _REQUESTS)


@pytest.mark.asyncio
@pytest.mark.parametrize("case", sorted(MIXED))
async def test_mixed_trees(case: str, tmp_path: Path) -> None:
    files, file, name, global_conf = MIXED[case]
    write_files(tmp_path / "ini", files)
    stack, module = _compare(tmp_path / "ini" / file, name, global_conf, tmp_path, tmp_path / "ini")
    assert await answers(module.app, _REQUESTS) == await answers(stack.asgi, _REQUESTS)


_NOVA_REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/v2/servers", {}),
    ("GET", "/v2/servers", {"X-Auth-Token": "alice:proj"}),
    ("GET", "/v3/x", {"X-Auth-Token": "a:b"}),
    ("GET", "/v1.1", {"X-Auth-Token": "a:b"}),
    ("GET", "/services/Cloud/x", {}),
    ("GET", "/nowhere", {}),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["osapi_compute", "metadata", "ec2", "openstack_compute_api_v2"])
async def test_seed_nova_file(name: str, tmp_path: Path) -> None:
    ini = tmp_path / "api-paste.ini"
    shutil.copy(NOVA_INI, ini)
    stack, module = _compare(ini, name, None, tmp_path, ini)
    assert await answers(module.app, _NOVA_REQUESTS) == await answers(stack.asgi, _NOVA_REQUESTS)


_DEMO_REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/v2", {}),
    ("GET", "/v2/servers", {"X-Auth-Token": "demo:demo"}),
    ("GET", "/v2/demo/servers", {"X-Auth-Token": "demo:demo"}),
    ("GET", "/tutorial/firstapp", {}),
    ("GET", "/tutorial/secondapp", {}),
    ("GET", "/v3/servers", {}),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["main", "metadata", "osapi_compute"])
async def test_bundled_demo(name: str, tmp_path: Path) -> None:
    import asgipaste.demo

    ini = tmp_path / "api-paste.ini"
    shutil.copy(Path(asgipaste.demo.__file__).parent / "api-paste.ini", ini)
    stack, module = _compare(ini, name, None, tmp_path, ini)
    assert await answers(module.app, _DEMO_REQUESTS) == await answers(stack.asgi, _DEMO_REQUESTS)
