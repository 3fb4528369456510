"""HTTP throughput and p50/p99 latency: asgipaste vs PasteDeploy-on-WSGI vs hand-written ASGI.

One worker process per server, pinned to core 0; wrk pinned to core 1 (see
:mod:`benchmarks._http` for the method). Scenarios:

* (a) a hello app alone (13 bytes);
* (b) ``/v2`` of a urlmap over a pipeline of five pass-through filters and the
  hello app (``benchmarks._stacks.five_filter_ini``'s stack, built by
  :func:`benchmarks.apps.targets.stack_ini` with a lifespan-safe leaf);
* (c) the bundled compute API's ``GET /v2/demo/servers`` (noauth token);
* (d) the (b) stack with a 100 KB response leaf, and with a 1 MB POST echo leaf.

Servers: the stack loaded by asgipaste (ASGI layers; the same layers as legacy
WSGI, fused and crossed once) on uvicorn and on granian (``egg:asgipaste#granian``,
which picks granian's WSGI interface when the tree is WSGI all the way down);
the same INI loaded by PasteDeploy (with Paste's WSGI urlmap) on gunicorn sync,
waitress (4 threads) and granian's WSGI interface; a raw ASGI callable on
uvicorn (the reference) and on granian; a hand-written Starlette app
(``Route`` for (a), ``Mount("/v2")`` + five pure-ASGI middleware otherwise).

    python benchmarks/bench_http.py            # ASGIPASTE_BENCH_SECONDS / _ROUNDS lengthen it
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
from benchmarks.apps.targets import stack_ini  # noqa: E402

REFERENCE = "raw ASGI / uvicorn"
STARLETTE = "Starlette / uvicorn"
ASGI_UVICORN = "asgipaste ASGI / uvicorn"
WSGI_UVICORN = "asgipaste legacy WSGI / uvicorn"
ASGI_GRANIAN = "asgipaste ASGI / granian"
WSGI_GRANIAN = "asgipaste legacy WSGI / granian"
PD_GUNICORN = "PasteDeploy / gunicorn sync"
PD_WAITRESS = "PasteDeploy / waitress 4 thr"
PD_GRANIAN = "PasteDeploy / granian WSGI"
DEMO_TOKEN = {"X-Auth-Token": "demo:demo"}


def _contenders(files: h.IniFiles, name: str, asgi_ini: str, wsgi_ini: str, leaf: str, *,
                five: bool, full: bool = True) -> list[h.Server]:
    """Every server of one scenario; ``full=False`` leaves out the granian-ASGI reference rows."""
    asgi = files.write(f"{name}-asgi.ini", asgi_ini)
    wsgi = files.write(f"{name}-wsgi.ini", wsgi_ini)
    asgi_granian = files.write(f"{name}-asgi-granian.ini", asgi_ini + h.GRANIAN_SERVER)
    wsgi_granian = files.write(f"{name}-wsgi-granian.ini", wsgi_ini + h.GRANIAN_SERVER)
    path = "/v2/x" if five else "/"
    paste = {"BENCH_PASTE_INI": str(wsgi)}
    paste_app = "benchmarks.apps.paste_wsgi:app"
    starlette = f"benchmarks.apps.starlette_app:mount_{leaf}" if five else "benchmarks.apps.starlette_app:route_hello"
    servers = [
        h.Server(REFERENCE, h.uvicorn(f"benchmarks.apps.targets:asgi_{leaf}"), path),
        h.Server("raw ASGI / granian", h.granian(f"benchmarks.apps.targets:asgi_{leaf}", "asginl"), path),
        h.Server(STARLETTE, h.uvicorn(starlette, lifespan="on"), path),
        h.Server(ASGI_UVICORN, h.uvicorn("asgipaste.serve:app", lifespan="on"), path,
                 {"ASGIPASTE_CONFIG": str(asgi)}),
        h.Server(WSGI_UVICORN, h.uvicorn("asgipaste.serve:app", lifespan="on"), path,
                 {"ASGIPASTE_CONFIG": str(wsgi)}),
        h.Server(ASGI_GRANIAN, h.asgipaste_serve(asgi_granian), path),
        h.Server(WSGI_GRANIAN, h.asgipaste_serve(wsgi_granian), path),
        h.Server(PD_GUNICORN, h.gunicorn(paste_app), path, paste),
        h.Server(PD_WAITRESS, h.waitress(paste_app), path, paste),
        h.Server(PD_GRANIAN, h.granian(paste_app, "wsgi"), path, paste),
    ]
    if not full:
        servers = [s for s in servers if s.label not in ("raw ASGI / granian", ASGI_GRANIAN)]
    return servers


def _median_ratio(results: dict[str, list[h.Sample]], label: str, against: str) -> float | None:
    if label not in results or against not in results:
        return None
    rel = h.ratios(results[label], results[against])
    return statistics.median(rel) if rel else None


def _goals(results: dict[str, list[h.Sample]]) -> list[str]:
    checks = [
        ("asgipaste pure-ASGI stack / hand-written Starlette (uvicorn)", ASGI_UVICORN, STARLETTE, 0.9),
        ("asgipaste legacy-WSGI stack on uvicorn / PasteDeploy on gunicorn sync", WSGI_UVICORN, PD_GUNICORN, 1.0),
        ("asgipaste legacy-WSGI stack on uvicorn / PasteDeploy on waitress", WSGI_UVICORN, PD_WAITRESS, 1.0),
        ("asgipaste legacy-WSGI stack on granian / PasteDeploy on granian WSGI", WSGI_GRANIAN, PD_GRANIAN, 0.95),
    ]
    lines = []
    for text, label, against, threshold in checks:
        value = _median_ratio(results, label, against)
        if value is not None:
            lines.append(h.goal(text, value, threshold))
    return lines


def _scenario(title: str, servers: list[h.Server], load: h.Load, note: str = "") -> tuple[str, list[str]]:
    started = time.monotonic()
    try:
        results = h.compare(servers, load)
    except Exception as exc:  # a server that cannot start is reported, not hidden
        return f"### {title}\n\n{h.start_failed(title, exc)}\n", []
    reference = REFERENCE if REFERENCE in results else next(iter(results))
    goals = _goals(results)
    parts = [f"### {title}", "", h.results_table(results, reference), ""]
    if note:
        parts += [note, ""]
    if goals:
        parts += ["Goals (median of round-by-round ratios):", "", *goals, ""]
    parts.append(f"_{len(servers)} servers, {time.monotonic() - started:.0f} s._\n")
    return "\n".join(parts), goals


def run() -> str:
    conns = h.connections()
    files = h.IniFiles()
    sections = [
        "## HTTP throughput and latency",
        "",
        f"Method: each server one process pinned to core 0 (`taskset -c 0`), load from "
        f"{h.load_generator()} pinned to core 1, {conns} connections, {h.round_count()} interleaved rounds "
        f"of {h.seconds():g} s after a warm-up; medians with the spread (min–max) of the rounds; ratios "
        f"are taken round by round against the first row. \"legacy WSGI\" is the same INI built from "
        f"WSGI filters and a WSGI app: asgipaste fuses them and crosses to ASGI once (WSGIAdapter); "
        f"`egg:asgipaste#granian` serves a tree that is WSGI all the way down on granian's WSGI "
        f"interface directly, and anything else on its ASGI interface. PasteDeploy rows load the WSGI "
        f"INI with PasteDeploy itself (Paste's WSGI urlmap).",
        "",
    ]
    all_goals: list[str] = []
    try:
        hello_asgi = stack_ini("hello", wsgi=False, filters=0, urlmap=False)
        hello_wsgi = stack_ini("hello", wsgi=True, filters=0, urlmap=False)
        scenarios = [
            ("(a) hello app", _contenders(files, "hello", hello_asgi, hello_wsgi, "hello", five=False),
             h.Load(conns), "The legacy-WSGI hello is one WSGI app: on granian it is served WSGI-direct."),
            ("(b) five filters under a urlmap, /v2",
             _contenders(files, "five", stack_ini("hello", wsgi=False), stack_ini("hello", wsgi=True), "hello",
                         five=True),
             h.Load(conns),
             "A urlmap whose entries are all WSGI is built in WSGI, so the legacy-WSGI tree is WSGI all the "
             "way down: one crossing on uvicorn, none on granian (its WSGI interface)."),
            ("(d) 100 KB response (the (b) stack)",
             _contenders(files, "big", stack_ini("big", wsgi=False), stack_ini("big", wsgi=True), "big",
                         five=True, full=False),
             h.Load(conns), ""),
            ("(d) 1 MB POST echo (the (b) stack)",
             _contenders(files, "echo", stack_ini("echo", wsgi=False), stack_ini("echo", wsgi=True), "echo",
                         five=True, full=False),
             h.Load(min(conns, 8), method="POST", body_bytes=h.POST_BODY_BYTES, timeout="5s"),
             f"{min(conns, 8)} connections, each POSTing 1 MiB and reading it back."),
        ]
        for title, servers, load, note in scenarios:
            text, goals = _scenario(title, servers, load, note)
            sections.append(text)
            all_goals += [f"{line} — {title}" for line in goals]
        sections.append(_demo(files, conns))
    finally:
        files.close()
    if all_goals:
        sections += ["### Goal summary", "", *all_goals, ""]
    return "\n".join(sections)


def _demo(files: h.IniFiles, conns: int) -> str:
    """(c): the bundled compute API on uvicorn and on granian (no PasteDeploy equivalent exists)."""
    try:
        from asgipaste.demo import DEFAULT_CONFIG
    except ImportError as exc:
        return f"### (c) compute API\n\nskipped: the bundled demo does not import ({exc})\n"
    text = Path(DEFAULT_CONFIG).read_text()
    uvicorn_db = files.path / "uvicorn.sqlite"
    granian_db = files.path / "granian.sqlite"
    uvicorn_ini = files.write("demo-uvicorn.ini", text.replace("\nsqlite_db =\n", f"\nsqlite_db = {uvicorn_db}\n"))
    granian_ini = files.write(
        "demo-granian.ini", text.replace("\nsqlite_db =\n", f"\nsqlite_db = {granian_db}\n") + h.GRANIAN_SERVER
    )
    path = "/v2/demo/servers"
    servers = [
        h.Server("compute API / asgipaste on uvicorn", h.uvicorn("asgipaste.serve:app", lifespan="on"), path,
                 {"ASGIPASTE_CONFIG": str(uvicorn_ini)}, DEMO_TOKEN),
        h.Server("compute API / asgipaste on granian", h.asgipaste_serve(granian_ini), path, {}, DEMO_TOKEN),
    ]
    text_out, _ = _scenario(
        "(c) compute API, GET /v2/demo/servers", servers, h.Load(conns),
        "faultwrap → sizelimit → noauth → ratelimit → Routes-dispatched controller → SQLite; "
        "reference is the first row (there is no PasteDeploy build of this ASGI app).",
    )
    return text_out


if __name__ == "__main__":
    print(run())
