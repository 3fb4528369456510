"""Issue 14's headline table: ``/v2`` under a urlmap and 5 pass-through filters, every stack in one run.

All rows are measured in one interleaved comparison (see :mod:`benchmarks._http`),
ratios round by round against raw ASGI on uvicorn. The mixed tree
(:func:`benchmarks.apps.mixed.mixed_ini`) has the same WSGI branch as the
all-WSGI tree at ``/v2`` beside an ASGI branch at ``/a``; each branch is its
own row. On granian three ways of serving the mixed tree are measured:

* its ASGI interface (what ``egg:asgipaste#granian`` picks for a mixed tree
  by default): the WSGI branch crosses into a WSGIAdapter;
* its WSGI interface with ``interface = wsgi``: the tree's WSGI form, the WSGI
  branch served as is and the ASGI branch bridged to a loop of the process's own;
* its WSGI interface, the whole tree as one ``WSGIView`` (the WSGI branch
  crosses twice: :data:`benchmarks.apps.mixed.whole_view`).

    python benchmarks/bench_mixed.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _http as h  # noqa: E402
from benchmarks.apps.mixed import mixed_ini  # noqa: E402
from benchmarks.apps.targets import stack_ini  # noqa: E402

RAW = "raw ASGI / uvicorn"
HAND = "5 ASGI filters nested by hand / uvicorn"
ASGI_U = "asgipaste 5 ASGI filters / uvicorn"
STARLETTE = "Starlette Mount + 5 middleware / uvicorn"
WSGI_U = "asgipaste 5 WSGI filters (legacy) / uvicorn"
WSGI0_U = "asgipaste legacy, wsgi_threads = 0 / uvicorn"
MIX_W_U = "asgipaste mixed, WSGI branch / uvicorn"
MIX_A_U = "asgipaste mixed, ASGI branch / uvicorn"
MIX_W_U_NOFREEZE = "asgipaste mixed, WSGI branch / uvicorn, ASGIPASTE_GC_FREEZE=0"
PD_WAITRESS = "PasteDeploy / waitress 4 thr"
PD_GRANIAN = "PasteDeploy / granian WSGI"
WSGI_G = "asgipaste legacy WSGI / granian (WSGI-direct)"
RAW_G = "raw ASGI / granian"
ASGI_G = "asgipaste 5 ASGI filters / granian"
MIX_W_G = "asgipaste mixed, WSGI branch / granian ASGI"
MIX_A_G = "asgipaste mixed, ASGI branch / granian ASGI"
MIX_W_GB = "asgipaste mixed, WSGI branch / granian WSGI (interface = wsgi)"
MIX_A_GB = "asgipaste mixed, ASGI branch / granian WSGI (interface = wsgi)"
MIX_W_GV = "mixed, WSGI branch / granian WSGI, whole WSGIView"


def servers(files: h.IniFiles) -> list[h.Server]:
    asgi = files.write("asgi.ini", stack_ini("hello", wsgi=False))
    wsgi_text = stack_ini("hello", wsgi=True)
    wsgi = files.write("wsgi.ini", wsgi_text)
    wsgi0 = files.write("wsgi0.ini", wsgi_text.replace("use = egg:Paste#urlmap\n",
                                                       "use = egg:Paste#urlmap\nwsgi_threads = 0\n", 1))
    mixed = files.write("mixed.ini", mixed_ini())
    asgi_g = files.write("asgi-granian.ini", stack_ini("hello", wsgi=False) + h.GRANIAN_SERVER)
    wsgi_g = files.write("wsgi-granian.ini", wsgi_text + h.GRANIAN_SERVER)
    mixed_g = files.write("mixed-granian.ini", mixed_ini() + h.GRANIAN_SERVER)
    mixed_gw = files.write("mixed-granian-wsgi.ini", mixed_ini() + h.GRANIAN_SERVER + "interface = wsgi\n")
    v2, a = "/v2/x", "/a/x"
    serve = h.uvicorn("asgipaste.serve:app", lifespan="on")
    paste = {"BENCH_PASTE_INI": str(wsgi)}
    paste_app = "benchmarks.apps.paste_wsgi:app"
    mix_env = {"BENCH_MIXED_INI": str(mixed)}
    return [
        h.Server(RAW, h.uvicorn("benchmarks.apps.targets:asgi_hello"), v2),
        h.Server(HAND, h.uvicorn("benchmarks.apps.mixed:hand_nested"), v2),
        h.Server(ASGI_U, serve, v2, {"ASGIPASTE_CONFIG": str(asgi)}),
        h.Server(STARLETTE, h.uvicorn("benchmarks.apps.starlette_app:mount_hello", lifespan="on"), v2),
        h.Server(WSGI_U, serve, v2, {"ASGIPASTE_CONFIG": str(wsgi)}),
        h.Server(WSGI0_U, serve, v2, {"ASGIPASTE_CONFIG": str(wsgi0)}),
        h.Server(MIX_W_U, serve, v2, {"ASGIPASTE_CONFIG": str(mixed)}),
        h.Server(MIX_A_U, serve, a, {"ASGIPASTE_CONFIG": str(mixed)}),
        # the same without gc.freeze() after loading: the p99 tail it removes
        h.Server(MIX_W_U_NOFREEZE, serve, v2, {"ASGIPASTE_CONFIG": str(mixed), "ASGIPASTE_GC_FREEZE": "0"}),
        h.Server(PD_WAITRESS, h.waitress(paste_app), v2, paste),
        h.Server(PD_GRANIAN, h.granian(paste_app, "wsgi"), v2, paste),
        h.Server(WSGI_G, h.asgipaste_serve(wsgi_g), v2),
        h.Server(RAW_G, h.granian("benchmarks.apps.targets:asgi_hello", "asginl"), v2),
        h.Server(ASGI_G, h.asgipaste_serve(asgi_g), v2),
        h.Server(MIX_W_G, h.asgipaste_serve(mixed_g), v2),
        h.Server(MIX_A_G, h.asgipaste_serve(mixed_g), a),
        h.Server(MIX_W_GB, h.asgipaste_serve(mixed_gw), v2),
        h.Server(MIX_A_GB, h.asgipaste_serve(mixed_gw), a),
        h.Server(MIX_W_GV, h.granian("benchmarks.apps.mixed:whole_view", "wsgi"), v2, mix_env),
    ]


def _ratio(results: dict[str, list[h.Sample]], label: str, against: str, attr: str = "rps") -> float | None:
    if label not in results or against not in results:
        return None
    pairs = [(getattr(s, attr), getattr(r, attr)) for s, r in zip(results[label], results[against], strict=True)]
    values = [s / r for s, r in pairs if r > 0]
    return statistics.median(values) if values else None


GOALS = [
    # (text, row, against, attribute, threshold, higher is better)
    ("asgipaste ASGI urlmap + 5 filters / nested by hand (uvicorn)", ASGI_U, HAND, "rps", 0.98, True),
    ("asgipaste ASGI urlmap + 5 filters on granian / raw ASGI on granian", ASGI_G, RAW_G, "rps", 0.90, True),
    ("legacy WSGI stack on uvicorn / raw ASGI on uvicorn", WSGI_U, RAW, "rps", 0.65, True),
    ("legacy WSGI stack, wsgi_threads = 0, on uvicorn / raw ASGI on uvicorn", WSGI0_U, RAW, "rps", 0.85, True),
    ("legacy WSGI tree on granian / PasteDeploy on granian WSGI", WSGI_G, PD_GRANIAN, "rps", 1.0, True),
    ("mixed tree's WSGI branch / all-WSGI tree (uvicorn), throughput", MIX_W_U, WSGI_U, "rps", 0.95, True),
    ("mixed tree's WSGI branch / all-WSGI tree (uvicorn), p99", MIX_W_U, WSGI_U, "p99_ms", 1.5, False),
    ("mixed tree's WSGI branch on granian ASGI / raw ASGI on uvicorn", MIX_W_G, RAW, "rps", 0.80, True),
    ("mixed tree's ASGI branch on granian ASGI / raw ASGI on granian", MIX_A_G, RAW_G, "rps", 0.85, True),
    ("mixed tree's WSGI branch on granian WSGI (interface = wsgi) / raw ASGI on uvicorn", MIX_W_GB, RAW, "rps",
     0.80, True),
    ("mixed tree's ASGI branch on granian WSGI (interface = wsgi) / raw ASGI on granian", MIX_A_GB, RAW_G, "rps",
     0.85, True),
]


def goal_lines(results: dict[str, list[h.Sample]]) -> list[str]:
    out = []
    for text, label, against, attr, threshold, higher in GOALS:
        value = _ratio(results, label, against, attr)
        if value is not None:
            by_cpu = h.cpu_ratio(results, label, against) if attr == "rps" else None
            out.append(h.goal(text, value, threshold, higher_is_better=higher, by_cpu=by_cpu))
    return out


def run() -> str:
    started = time.monotonic()
    files = h.IniFiles()
    try:
        results = h.compare(servers(files), h.Load(h.connections()))
    finally:
        files.close()
    return "\n".join([
        "## Headline: urlmap + 5 filters on every stack, mixed trees included",
        "",
        f"`/v2/x` under a urlmap and five pass-through filters, {h.connections()} connections, "
        f"{h.round_count()} interleaved rounds of {h.seconds():g} s, every row in this one comparison; ratios "
        "round by round against raw ASGI on uvicorn. \"nested by hand\" is the five ASGI filters nested by hand "
        "under a one-line `/v2` prefix check (the limit for asgipaste's ASGI path). The mixed tree has the same "
        "WSGI branch as the legacy tree at `/v2` beside an ASGI branch (five ASGI filters) at `/a`. On granian the "
        "mixed tree is served three ways: its ASGI interface (what `egg:asgipaste#granian` picks by default); its "
        "WSGI interface with `interface = wsgi` (the tree's WSGI form: WSGI branch as is, ASGI branch bridged to a "
        "loop); its WSGI interface with the whole tree as one `WSGIView` (the WSGI form before it was pushed down "
        "to the branches: `benchmarks.apps.mixed:whole_view`).",
        "",
        h.results_table(results, RAW),
        "",
        h.results_charts(results, "urlmap + 5 filters"),
        "",
        "Goals of issue 14 (median of round-by-round ratios):",
        "",
        *goal_lines(results),
        "",
        f"_{len(results)} servers, {time.monotonic() - started:.0f} s._",
        "",
    ])


if __name__ == "__main__":
    print(run())
