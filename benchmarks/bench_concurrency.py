"""200 concurrent clients, each request waiting 50 ms of I/O: async vs thread-bound servers.

The leaf waits 50 ms (``await asyncio.sleep(0.05)`` on ASGI, ``time.sleep(0.05)``
on WSGI, as a legacy app blocks on its database) behind the five-filter urlmap
stack of the HTTP benchmark. A server that can keep 200 requests waiting at
once answers about 200 / 0.05 s = 4,000 req/s; a thread-bound one answers
about threads / 0.05 s. Servers (one process each, pinned to core 0; wrk on
core 1, see :mod:`benchmarks._http`):

* raw ASGI callable on uvicorn (the reference);
* asgipaste's async stack (ASGI filters and leaf) on uvicorn;
* the same stack as legacy WSGI layers, loaded by asgipaste (fused: one
  crossing through its WSGIAdapter with the default thread count on uvicorn;
  none on granian, which serves the WSGI tree on its WSGI interface);
* PasteDeploy's build of the WSGI INI on gunicorn sync, gunicorn gthread
  (8 threads), waitress (its default 4 threads) and granian's WSGI interface
  (its default blocking threads).

Goal (issue 7): asgipaste's async stack within 5% of raw ASGI in throughput and p99.

    python benchmarks/bench_concurrency.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from asgipaste.interop import DEFAULT_THREADS  # noqa: E402
from benchmarks import _http as h  # noqa: E402
from benchmarks.apps.targets import stack_ini  # noqa: E402

CLIENTS = 200
REFERENCE = "raw ASGI, asyncio.sleep / uvicorn"
ASYNC_STACK = "asgipaste async stack / uvicorn"


def _servers(files: h.IniFiles) -> list[h.Server]:
    asgi = files.write("sleep-asgi.ini", stack_ini("sleep", wsgi=False))
    wsgi_text = stack_ini("sleep", wsgi=True)
    wsgi = files.write("sleep-wsgi.ini", wsgi_text)
    wsgi_granian = files.write("sleep-wsgi-granian.ini", wsgi_text + h.GRANIAN_SERVER)
    paste = {"BENCH_PASTE_INI": str(wsgi)}
    app = "benchmarks.apps.paste_wsgi:app"
    return [
        h.Server(REFERENCE, h.uvicorn("benchmarks.apps.targets:asgi_sleep"), "/v2/x"),
        h.Server(ASYNC_STACK, h.uvicorn("asgipaste.serve:app", lifespan="on"), "/v2/x",
                 {"ASGIPASTE_CONFIG": str(asgi)}),
        h.Server(f"asgipaste legacy WSGI ({DEFAULT_THREADS} threads) / uvicorn",
                 h.uvicorn("asgipaste.serve:app", lifespan="on"), "/v2/x", {"ASGIPASTE_CONFIG": str(wsgi)}),
        h.Server("asgipaste legacy WSGI / granian (WSGI interface)", h.asgipaste_serve(wsgi_granian), "/v2/x"),
        h.Server("PasteDeploy / gunicorn sync", h.gunicorn(app), "/v2/x", paste),
        h.Server("PasteDeploy / gunicorn gthread, 8 threads", h.gunicorn(app, "gthread", 8), "/v2/x", paste),
        h.Server("PasteDeploy / waitress, 4 threads", h.waitress(app), "/v2/x", paste),
        h.Server("PasteDeploy / granian WSGI, default threads", h.granian(app, "wsgi"), "/v2/x", paste),
    ]


def run() -> str:
    files = h.IniFiles()
    started = time.monotonic()
    header = [
        "## Concurrency: 200 clients, 50 ms of I/O per request",
        "",
        f"Method: as the HTTP benchmarks ({h.load_generator()}, server on core 0, client on core 1), "
        f"{CLIENTS} connections, wrk's 2 s timeout (a timed-out request counts as an error), "
        f"{h.round_count()} interleaved rounds of {h.seconds():g} s. The ceiling is "
        f"{CLIENTS} / 0.05 s = 4,000 req/s; a thread-bound server sits near threads / 0.05 s.",
        "",
    ]
    try:
        results = h.compare(_servers(files), h.Load(CLIENTS))
    except Exception as exc:
        return "\n".join([*header, h.start_failed("concurrency", exc), ""])
    finally:
        files.close()
    rps = statistics.median(h.ratios(results[ASYNC_STACK], results[REFERENCE]))
    p99 = statistics.median(
        a.p99_ms / r.p99_ms for a, r in zip(results[ASYNC_STACK], results[REFERENCE], strict=True)
    )
    goals = [
        h.goal("asgipaste async stack / raw ASGI, throughput", rps, 0.95),
        h.goal("asgipaste async stack / raw ASGI, p99", p99, 1.05, higher_is_better=False),
    ]
    return "\n".join([
        *header,
        h.results_table(results, REFERENCE),
        "",
        "Goals (median of round-by-round ratios):",
        "",
        *goals,
        "",
        f"_{len(results)} servers, {time.monotonic() - started:.0f} s._",
        "",
    ])


if __name__ == "__main__":
    print(run())
