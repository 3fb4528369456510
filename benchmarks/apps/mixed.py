"""Targets for the mixed-tree and headline benchmarks (``bench_mixed``).

* :data:`hand_nested`: the limit for asgipaste's ASGI path: the five
  pass-through ASGI filters of :mod:`benchmarks._stacks` nested by hand over
  the hello leaf, under a one-line ``/v2`` prefix check that rewrites
  ``root_path``/``path`` as any correct mount must.
* :func:`mixed_ini`: the mixed tree: ``/v2`` -> five WSGI filters -> WSGI hello
  (the same branch as the all-WSGI tree) beside ``/a`` -> five ASGI filters ->
  ASGI hello.
* :data:`whole_view` (built from ``$BENCH_MIXED_INI``): the mixed tree as one
  :class:`asgipaste.interop.loop_host.WSGIView`, for granian's WSGI interface:
  what a WSGI server got before the WSGI form was pushed down to the branches.
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


def _whole_view() -> Any:
    from asgipaste import load_stack
    from asgipaste.interop.loop_host import WSGIView

    return WSGIView(load_stack("config:" + os.path.abspath(os.environ["BENCH_MIXED_INI"])).asgi)


#: the whole mixed tree as one WSGIView (the WSGI form before it was pushed down to the branches)
whole_view: Any = _whole_view() if os.environ.get("BENCH_MIXED_INI") else None
