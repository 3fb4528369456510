"""Loading time and memory: generated INI files of 100 and 1,000 sections,
asgipaste vs PasteDeploy, side by side in one run.

The file is a urlmap over pipelines of three filters and an app (the shape of
issue 7). PasteDeploy resolves every section name by scanning all sections,
so it grows faster than the file; asgipaste indexes sections once.

    python benchmarks/bench_loading.py
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import paste.deploy  # noqa: E402

import asgipaste  # noqa: E402
from benchmarks._stacks import generated_ini  # noqa: E402
from benchmarks._timing import median, spread, table  # noqa: E402

SIZES = (100, 1000)
ROUNDS = 5


def _time_load(load: object, uri: str) -> float:
    start = time.perf_counter()
    load(uri)  # type: ignore[operator]
    return time.perf_counter() - start


def _memory(load: object, uri: str) -> int:
    gc.collect()
    tracemalloc.start()
    app = load(uri)  # type: ignore[operator]
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del app
    return size


def run() -> str:
    rows = []
    ours_by_size: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            path = Path(tmp) / f"gen{size}.ini"
            path.write_text(generated_ini(size))
            uri = f"config:{path}"
            ours: list[float] = []
            theirs: list[float] = []
            asgipaste.loadapp(uri)  # warm imports
            paste.deploy.loadapp(uri)
            for _ in range(ROUNDS):
                ours.append(_time_load(asgipaste.loadapp, uri))
                theirs.append(_time_load(paste.deploy.loadapp, uri))
            ours_by_size[size] = median(ours)
            mem_ours = _memory(asgipaste.loadapp, uri)
            mem_theirs = _memory(paste.deploy.loadapp, uri)
            rows.append([
                str(size),
                f"{median(ours) * 1e3:.1f} ({spread(ours, 1e3)})",
                f"{median(theirs) * 1e3:.1f} ({spread(theirs, 1e3)})",
                f"**{median(theirs) / median(ours):.1f}×**",
                f"{mem_ours / 1024:.0f} KiB",
                f"{mem_theirs / 1024:.0f} KiB",
            ])
    growth = ours_by_size[1000] / ours_by_size[100]
    out = table(
        ["sections", "asgipaste ms (spread)", "PasteDeploy ms (spread)", "PasteDeploy / asgipaste",
         "asgipaste memory", "PasteDeploy memory"],
        rows,
    )
    return out + f"\n\nasgipaste growth from 100 to 1,000 sections: {growth:.1f}× (10× is linear).\n"


if __name__ == "__main__":
    print(run())
