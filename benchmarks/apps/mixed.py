"""Targets for the mixed-tree and headline benchmarks (``bench_mixed``).

* :data:`hand_nested`: the limit for asgipaste's ASGI path: the five
  pass-through ASGI filters of :mod:`benchmarks._stacks` nested by hand over
  the hello leaf, under a one-line ``/v2`` prefix check that rewrites
  ``root_path``/``path`` as any correct mount must.
* :func:`mixed_ini`: the mixed tree: ``/v2`` -> five WSGI filters -> WSGI hello
  (the same branch as the all-WSGI tree) beside ``/a`` -> five ASGI filters ->
  ASGI hello.
* :data:`bridged` (built from ``$BENCH_MIXED_INI``): the mixed tree the other
  way round, for granian's WSGI interface: a WSGI urlmap whose WSGI branch is
  the fused WSGI pipeline itself (no crossing) and whose ASGI branch runs on a
  loop of the process's own through :class:`asgipaste.interop.loop_host.WSGIView`.
"""

from __future__ import annotations

import os
from typing import Any

from benchmarks._stacks import PassThrough
from benchmarks.apps.targets import asgi_hello


def _nest() -> Any:
    app: Any = asgi_hello
    for _ in range(5):
        app = PassThrough(app)
    return app


_inner = _nest()


async def hand_nested(scope: Any, receive: Any, send: Any) -> None:
    path = scope.get("path", "")
    if scope["type"] == "http" and (path == "/v2" or path.startswith("/v2/")):
        await _inner({**scope, "root_path": scope.get("root_path", "") + "/v2", "path": path[3:]}, receive, send)
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def mixed_ini() -> str:
    """``/v2`` WSGI branch (five WSGI filters) beside ``/a`` ASGI branch (five ASGI filters)."""
    lines = ["[composite:main]", "use = egg:Paste#urlmap", "/v2 = api", "/a = asgiapi",
             "[pipeline:api]", "pipeline = w0 w1 w2 w3 w4 wleaf",
             "[pipeline:asgiapi]", "pipeline = a0 a1 a2 a3 a4 aleaf",
             "[app:wleaf]", "use = call:benchmarks.apps.targets:wsgi_factory", "kind = hello",
             "[app:aleaf]", "use = call:benchmarks.apps.targets:asgi_factory", "kind = hello"]
    for i in range(5):
        lines += [f"[filter:w{i}]", "use = call:benchmarks._stacks:wsgi_filter_factory",
                  f"[filter:a{i}]", "use = call:benchmarks._stacks:filter_factory"]
    return "\n".join(lines) + "\n"


def _bridged() -> Any:
    from asgipaste import load_stack
    from asgipaste.interop.loop_host import WSGIView
    from asgipaste.urlmap.asgi import URLMap
    from asgipaste.urlmap.wsgi import WSGIURLMap

    uri = "config:" + os.path.abspath(os.environ["BENCH_MIXED_INI"])
    wsgi_branch = load_stack(uri, name="api").wsgi
    if wsgi_branch is None:
        raise RuntimeError("the /v2 branch is not WSGI all the way down")
    table = URLMap()
    table["/v2"] = wsgi_branch
    table["/a"] = WSGIView(load_stack(uri, name="asgiapi").asgi, name="asgiapi")
    return WSGIURLMap(table)


bridged: Any = _bridged() if os.environ.get("BENCH_MIXED_INI") else None


def _whole_view() -> Any:
    from asgipaste import loadapp

    return loadapp("config:" + os.path.abspath(os.environ["BENCH_MIXED_INI"]), protocol="wsgi")


#: the whole mixed tree as ``loadapp(..., protocol="wsgi")`` hands it to a WSGI server (one WSGIView)
whole_view: Any = _whole_view() if os.environ.get("BENCH_MIXED_INI") else None
