"""Per-request overhead of an asgipaste-loaded pure-ASGI stack vs the same
middleware nested by hand, in-process, side by side in one run.

The loader returns exactly the objects the factories built: a pipeline of
ASGI filters is the middleware nested as a user would nest it, with nothing
added per request. Goal (issue 3): loaded / by hand ≤ 1.05.

    python benchmarks/bench_pipeline.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asgipaste  # noqa: E402
from asgipaste.urlmap import URLMap  # noqa: E402
from benchmarks._stacks import PassThrough, five_filter_ini, hello  # noqa: E402
from benchmarks._timing import median, rounds, spread, table  # noqa: E402

BATCH = 4000
ROUNDS = 15

PIPELINE_INI = """
[pipeline:main]
pipeline = f0 f1 f2 f3 f4 hello
[app:hello]
use = call:benchmarks._stacks:app_factory
""" + "".join(f"[filter:f{i}]\nuse = call:benchmarks._stacks:filter_factory\n" for i in range(5))


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Any) -> None:
    return None


def _scope(path: str) -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
            "headers": [(b"host", b"localhost")], "server": ("localhost", 80), "client": ("127.0.0.1", 1)}


def _measure(loop: asyncio.AbstractEventLoop, app: Any, path: str) -> Callable[[], float]:
    async def batch() -> float:
        start = time.perf_counter()
        for _ in range(BATCH):
            await app(_scope(path), _receive, _send)
        return (time.perf_counter() - start) / BATCH

    return lambda: loop.run_until_complete(batch())


def _by_hand_nested() -> Any:
    app: Any = hello
    for _ in range(5):
        app = PassThrough(app)
    return app


def run() -> str:
    loop = asyncio.new_event_loop()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pipeline_ini = Path(tmp) / "pipeline.ini"
        pipeline_ini.write_text(PIPELINE_INI)
        urlmap_ini = Path(tmp) / "urlmap.ini"
        urlmap_ini.write_text(five_filter_ini(wsgi=False))
        by_hand_map = URLMap()
        by_hand_map["/v2"] = _by_hand_nested()
        cases = {
            "pipeline of 5 ASGI filters": (
                asgipaste.loadapp(f"config:{pipeline_ini}"), _by_hand_nested(), "/"),
            "urlmap /v2 → 5 ASGI filters": (
                asgipaste.loadapp(f"config:{urlmap_ini}"), by_hand_map, "/v2/x"),
        }
        for label, (loaded, by_hand, path) in cases.items():
            results = rounds({"loaded": _measure(loop, loaded, path),
                              "by hand": _measure(loop, by_hand, path)}, ROUNDS)
            ratio = median(results["loaded"]) / median(results["by hand"])
            rows.append([label, f"{median(results['loaded']) * 1e6:.2f} ({spread(results['loaded'], 1e6, '{:.2f}')})",
                         f"{median(results['by hand']) * 1e6:.2f} ({spread(results['by hand'], 1e6, '{:.2f}')})",
                         f"**{ratio:.3f}×**"])
    loop.close()
    return table(["stack", "asgipaste-loaded µs/request", "nested by hand µs/request", "loaded / by hand"], rows)


if __name__ == "__main__":
    print(run())
