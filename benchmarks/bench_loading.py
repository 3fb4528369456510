"""Loading time and memory: generated INI files of 100 and 1,000 sections,
asgipaste vs PasteDeploy, side by side in one run.

The file is a urlmap over pipelines of three filters and an app (the shape of
issue 7). PasteDeploy resolves every section name by scanning all sections,
so it grows faster than the file; asgipaste indexes sections once.

    python benchmarks/bench_loading.py
"""

from __future__ import annotations

import gc
import os
import subprocess
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
IMPORT_ROUNDS = 7
_IMPORT = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


def _import_seconds(module: str) -> float:
    """Seconds ``import module`` takes in a fresh interpreter (this checkout first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: from cached bytecode, like site-packages' paste
    out = subprocess.run([sys.executable, "-c", _IMPORT.format(module)], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def import_times() -> tuple[str, float]:
    """Markdown for ``import asgipaste`` vs ``import paste.deploy``, and the ratio (goal ≤ 1.5)."""
    ours: list[float] = []
    theirs: list[float] = []
    _import_seconds("asgipaste")  # writes this checkout's __pycache__ (a shell may set PYTHONDONTWRITEBYTECODE)
    _import_seconds("paste.deploy")
    for _ in range(IMPORT_ROUNDS):  # interleaved, fresh interpreters
        ours.append(_import_seconds("asgipaste"))
        theirs.append(_import_seconds("paste.deploy"))
    ratio = median(ours) / median(theirs)
    text = table(["import", "ms (spread)"], [
        ["`import asgipaste`", f"{median(ours) * 1e3:.1f} ({spread(ours, 1e3)})"],
        ["`import paste.deploy`", f"{median(theirs) * 1e3:.1f} ({spread(theirs, 1e3)})"],
    ])
    return text + f"\n\n`import asgipaste` / `import paste.deploy`: **{ratio:.2f}×** " \
        f"({IMPORT_ROUNDS} fresh interpreters each, interleaved, after one that writes the bytecode cache; " \
        f"medians).", ratio


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
    from benchmarks import _http as h
    from benchmarks._charts import lines

    rows = []
    ours_by_size: dict[int, float] = {}
    theirs_by_size: dict[int, float] = {}
    ratio_by_size: dict[int, float] = {}
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
            theirs_by_size[size] = median(theirs)
            ratio_by_size[size] = median(theirs) / median(ours)
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
    out += f"\n\nasgipaste growth from 100 to 1,000 sections: {growth:.1f}× (10× is linear).\n\n"
    out += lines("loading time against section count", [str(s) for s in SIZES],
                 {"asgipaste": [ours_by_size[s] * 1e3 for s in SIZES],
                  "PasteDeploy": [theirs_by_size[s] * 1e3 for s in SIZES]}, "ms", "sections") + "\n\n"
    out += h.goal("PasteDeploy / asgipaste loading time at 100 sections", ratio_by_size[100], 3.0) + "\n"
    out += h.goal("PasteDeploy / asgipaste loading time at 1,000 sections", ratio_by_size[1000], 8.0) + "\n\n"
    imports, import_ratio = import_times()
    out += "### Import time\n\n" + imports + "\n\n"
    out += h.goal("`import asgipaste` / `import paste.deploy`", import_ratio, 1.5, higher_is_better=False) + "\n"
    return out


if __name__ == "__main__":
    print(run())
