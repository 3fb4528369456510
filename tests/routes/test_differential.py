"""Differential test: asgipaste.routes.Mapper against Routes 2.5.1 on a seeded corpus.

Same route tables, same requests: the match dict, the winning route (by its
position in ``matchlist``) and every generated URL must be identical.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import routes as upstream
from routes.util import GenerationException as UpstreamGenerationException
from routes.util import URLGenerator as UpstreamURLGenerator

from asgipaste.routes import GenerationException, Mapper, URLGenerator
from tests.routes.corpus import HOSTS, METHODS, VALUES, Table, build, make_table, paths_for

SEEDS = range(60)
MINIMIZED_SEEDS = range(1000, 1020)
PATHS_PER_TABLE = 45


def _route_pos(mapper: Any, route: Any) -> int | None:
    if route is None:
        return None
    for i, r in enumerate(mapper.matchlist):
        if r is route:
            return i
    raise AssertionError("winning route is not in the matchlist")


def _routematch(mapper: Any, path: str, environ: dict[str, Any]) -> tuple[str, Any]:
    try:
        result = mapper.routematch(path, environ)
    except Exception as exc:
        return ("error", type(exc).__name__)
    if result is None:
        return ("none", None)
    return ("match", (result[0], _route_pos(mapper, result[1])))


def _generate(call: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return ("ok", call(*args, **kwargs))
    except (GenerationException, UpstreamGenerationException):
        return ("no-url", None)
    except Exception as exc:
        return ("error", type(exc).__name__)


def _pair(table: Table) -> tuple[Any, Mapper]:
    return build(table, upstream.Mapper), build(table, Mapper)


def test_corpus_is_large_enough() -> None:
    tables = [make_table(s) for s in SEEDS]
    routes_total = sum(len(build(t, Mapper).matchlist) for t in tables)
    assert routes_total > 500
    assert len(SEEDS) * PATHS_PER_TABLE * 2 >= 2000


@pytest.mark.parametrize("seed", SEEDS)
def test_match_same_as_routes(seed: int) -> None:
    _check_matches(make_table(seed), seed)


@pytest.mark.parametrize("seed", MINIMIZED_SEEDS)
def test_minimized_tables_match_and_generate_same_as_routes(seed: int) -> None:
    table = make_table(seed)
    table.settings["minimization"] = True
    table.settings["explicit"] = seed % 2 == 0
    _check_matches(table, seed)
    _check_generation(table, seed)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_asgi_scope_matches_like_wsgi_environ(seed: int) -> None:
    """``match(scope)`` (path under root_path) equals Routes' ``match(environ)`` on PATH_INFO."""
    table = make_table(seed)
    theirs, ours = _pair(table)
    rng = random.Random(seed)
    for path in paths_for(table, rng, 30):
        if "%" in path or "\n" in path:
            continue  # ASGI paths are already percent-decoded; see docs/routes.md
        method = rng.choice(METHODS)
        host = rng.choice(HOSTS)
        scope = {
            "type": "http",
            "method": method,
            "path": "/mount" + path,
            "root_path": "/mount",
            "headers": [(b"host", host.encode())],
        }
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "HTTP_HOST": host, "SCRIPT_NAME": "/mount"}
        assert ours.match(scope) == theirs.match(environ=environ), (seed, path, method)


def _check_matches(table: Table, seed: int) -> None:
    theirs, ours = _pair(table)
    assert [(r.name, r.routepath) for r in ours.matchlist] == [(r.name, r.routepath) for r in theirs.matchlist]
    rng = random.Random(seed * 7919)
    checked = 0
    for path in paths_for(table, rng, PATHS_PER_TABLE):
        for method in rng.sample(METHODS, 2):
            environ = {"REQUEST_METHOD": method, "HTTP_HOST": rng.choice(HOSTS), "SCRIPT_NAME": ""}
            expected = _routematch(theirs, path, dict(environ))
            got = _routematch(ours, path, dict(environ))
            assert got == expected, (seed, path, method, environ["HTTP_HOST"], table.calls)
            checked += 1
    assert checked == PATHS_PER_TABLE * 2


@pytest.mark.parametrize("seed", SEEDS)
def test_generation_same_as_routes(seed: int) -> None:
    _check_generation(make_table(seed), seed)


def _check_generation(table: Table, seed: int) -> None:
    theirs, ours = _pair(table)
    rng = random.Random(seed * 104729)
    environ = {"SCRIPT_NAME": rng.choice(["", "/v2", "/a b"]), "HTTP_HOST": rng.choice(HOSTS)}
    their_url = UpstreamURLGenerator(theirs, dict(environ))
    our_url = URLGenerator(ours, dict(environ))
    for name, variables in table.names:
        for _ in range(3):
            kwargs: dict[str, Any] = {v: rng.choice(VALUES) for v in variables if rng.random() < 0.9}
            if rng.random() < 0.3:
                kwargs["q"] = rng.choice(["x y", "1", "é"])
            if rng.random() < 0.1:
                kwargs["qualified"] = True
            expected = _generate(their_url, name, **dict(kwargs))
            got = _generate(our_url, name, **dict(kwargs))
            assert got == expected, (seed, name, kwargs, table.calls)
    for controller, action, variables in table.gen_targets:
        kwargs = {v: rng.choice(VALUES) for v in variables if rng.random() < 0.7}
        if rng.random() < 0.3:
            kwargs["method"] = rng.choice(["GET", "POST", "PUT"])
        if rng.random() < 0.2:
            kwargs["page"] = rng.choice(["2", "x y"])
        expected = _generate(theirs.generate, controller=controller, action=action, **dict(kwargs))
        got = _generate(ours.generate, controller=controller, action=action, **dict(kwargs))
        assert got == expected, (seed, controller, action, kwargs, table.calls)
