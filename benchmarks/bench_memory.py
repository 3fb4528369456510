"""Memory at scale: idle keep-alive connections plus in-flight 1 s requests, per in-flight request.

Each server is one process group pinned to core 0 serving the five-filter
urlmap stack over a leaf that waits 1 s (``asyncio.sleep`` on the ASGI stack,
``time.sleep`` on the WSGI one). The client (this process, asyncio, core 1)
then, for one server at a time:

1. reads the server's resident memory (RSS summed over its process group) after
   one warm-up request: *base*;
2. opens ``IDLE`` keep-alive connections (each has one quick request answered,
   a 404 of the urlmap) and leaves them idle: *idle*;
3. opens ``INFLIGHT`` more connections: *connected*;
4. sends one request on each of those and samples RSS while they wait: *in flight*
   (the highest sample), then reads every answer.

Memory per in-flight request = (in flight − connected) / INFLIGHT; per idle
connection = (idle − base) / IDLE. The WSGI servers get as many threads as
there are in-flight requests (waitress ``--threads``, gunicorn gthread
``--threads``), so that every request is in flight at once as on the async
server; their connection limits are raised to hold all connections.
Goal (issue 14): asgipaste's per-in-flight-request memory ≤ 1/10 of theirs.

Scale: ``ASGIPASTE_BENCH_IDLE`` (default 10,000) and ``ASGIPASTE_BENCH_INFLIGHT``
(default 1,000); ``--quick`` runs 2,000 + 200. The file-descriptor limit is
raised to its hard limit first, and the scale is cut to fit it (the page says
what was run).

    python benchmarks/bench_memory.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _http as h  # noqa: E402
from benchmarks._charts import bar  # noqa: E402
from benchmarks._timing import table  # noqa: E402
from benchmarks.apps.targets import stack_ini  # noqa: E402

RAW_U = "raw ASGI 1 s leaf / uvicorn (no asgipaste)"
ASGI_U = "asgipaste ASGI stack / uvicorn"
WAITRESS = "PasteDeploy / waitress"
GTHREAD = "PasteDeploy / gunicorn gthread"
PATH = "/v2/x"


def scale() -> tuple[int, int, str]:
    """``(idle, in_flight, note)`` fitted to the file-descriptor limit."""
    idle = int(os.environ.get("ASGIPASTE_BENCH_IDLE", "10000"))
    inflight = int(os.environ.get("ASGIPASTE_BENCH_INFLIGHT", "1000"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    room = soft - 500  # this process holds every client socket
    note = ""
    if idle + inflight > room:
        factor = room / (idle + inflight)
        note = (f" Scaled down from {idle:,} + {inflight:,} to fit the file-descriptor limit ({soft:,}).")
        idle, inflight = int(idle * factor), int(inflight * factor)
    return idle, inflight, note


def _rss_kib(pgid: int) -> int:
    """Resident memory of every process in group ``pgid`` (KiB)."""
    return _group(pgid)[0]


def _group(pgid: int) -> tuple[int, int]:
    """``(RSS KiB, threads)`` summed over every process in group ``pgid``."""
    total = threads = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) != pgid:  # field 5 of stat: process group
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total, threads


_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _keep_alive(port: int) -> _Conn:
    """A connection that has had one quick request answered (a 404 of the urlmap) and stays open."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /idle HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return reader, writer


async def _open(port: int, count: int, *, keep_alive: bool = False) -> list[_Conn]:
    conns: list[_Conn] = []
    for start in range(0, count, 500):
        size = min(500, count - start)
        batch = await asyncio.gather(*(_keep_alive(port) if keep_alive else asyncio.open_connection("127.0.0.1", port)
                                       for _ in range(size)), return_exceptions=True)
        conns += [c for c in batch if not isinstance(c, BaseException)]
    return conns


async def _answer(reader: asyncio.StreamReader) -> bool:
    try:
        line = await asyncio.wait_for(reader.readline(), 60)
    except (TimeoutError, OSError):
        return False
    return line.startswith(b"HTTP/1.1 200") or line.startswith(b"HTTP/1.0 200")


async def _measure(item: h.Running, idle: int, inflight: int) -> dict[str, float]:
    pgid = item.proc.pid
    base = _rss_kib(pgid)
    idle_conns = await _open(item.port, idle, keep_alive=True)
    await asyncio.sleep(1.0)
    after_idle = _rss_kib(pgid)
    busy = await _open(item.port, inflight)
    await asyncio.sleep(0.5)
    connected = _rss_kib(pgid)
    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{item.port}\r\n\r\n".encode()
    sent = time.monotonic()
    for _, writer in busy:
        writer.write(request)
    await asyncio.gather(*(writer.drain() for _, writer in busy), return_exceptions=True)
    answers = asyncio.gather(*(_answer(reader) for reader, _ in busy))
    peak, threads = connected, 0
    while time.monotonic() - sent < 0.95 and not answers.done():
        await asyncio.sleep(0.1)
        rss, count = _group(pgid)
        peak, threads = max(peak, rss), max(threads, count)
    ok = sum(await answers)
    elapsed = time.monotonic() - sent
    still_open = sum(1 for reader, _ in idle_conns if not reader.at_eof())
    if item.proc.poll() is not None:
        tail = [line for line in item.log_tail(600).splitlines() if line.strip()][-2:]
        raise RuntimeError(f"exited with {item.proc.returncode} after {len(idle_conns)} connections: "
                           + " / ".join(tail))
    for _, writer in [*idle_conns, *busy]:
        writer.close()
    return {"base": base, "idle": after_idle, "connected": connected, "peak": peak, "ok": ok,
            "threads": threads, "opened_idle": len(idle_conns), "opened_busy": len(busy), "still_open": still_open,
            "elapsed": elapsed}


#: waitress watches its sockets with select(): it exits past 1,024 file descriptors
WAITRESS_MAX_CONNECTIONS = 900


def servers(files: h.IniFiles, idle: int, inflight: int) -> list[tuple[h.Server, int, int, str]]:
    """``(server, idle, in flight, note)``: waitress runs at a scale it can hold, the others at ``idle + inflight``."""
    asgi = files.write("slow-asgi.ini", stack_ini("slow", wsgi=False))
    wsgi = files.write("slow-wsgi.ini", stack_ini("slow", wsgi=True))
    paste = {"BENCH_PASTE_INI": str(wsgi)}
    app = "benchmarks.apps.paste_wsgi:app"
    limit = idle + inflight + 100
    uvicorn = [*h.uvicorn("asgipaste.serve:app", lifespan="on"), "--timeout-keep-alive", "120",
               "--backlog", "4096"]
    w_idle, w_inflight, w_note = idle, inflight, ""
    if idle + inflight > WAITRESS_MAX_CONNECTIONS:
        factor = WAITRESS_MAX_CONNECTIONS / (idle + inflight)
        w_idle, w_inflight = int(idle * factor), int(inflight * factor)
        w_note = (f" (run at {w_idle:,} + {w_inflight:,}: waitress uses select() and exits with "
                  f"\"filedescriptor out of range\" past 1,024 sockets)")
    waitress = h.waitress(app, threads=w_inflight)
    waitress[-1:-1] = [f"--connection-limit={w_idle + w_inflight + 100}", "--channel-timeout=120",
                       "--backlog=4096"]
    gthread = [*h.gunicorn(app, "gthread", threads=inflight)]
    gthread[gthread.index("-w"):gthread.index("-w")] = ["--worker-connections", str(limit), "--keep-alive", "120",
                                                         "--backlog", "4096"]
    raw = [*h.uvicorn("benchmarks.apps.targets:asgi_slow"), "--timeout-keep-alive", "120", "--backlog", "4096"]
    return [
        (h.Server(RAW_U, raw, PATH), idle, inflight, ""),
        (h.Server(ASGI_U, uvicorn, PATH, {"ASGIPASTE_CONFIG": str(asgi)}), idle, inflight, ""),
        (h.Server(WAITRESS, waitress, PATH, paste), w_idle, w_inflight, w_note),
        (h.Server(GTHREAD, gthread, PATH, paste), idle, inflight, ""),
    ]


def parked_thread_kib(files: h.IniFiles, threads: int) -> float:
    """Resident KiB one parked worker thread costs a WSGI server: waitress with ``threads`` threads against 4.

    A thread-per-request server needs one thread per in-flight request, so this
    is part of what an in-flight request costs it, though the thread exists
    before the request arrives (and so is not in the per-request column).
    """
    wsgi = files.write("thread-cost.ini", stack_ini("hello", wsgi=True))
    rss = {}
    for count in (4, threads):
        server = h.Server(f"waitress {count} threads", h.waitress("benchmarks.apps.paste_wsgi:app", threads=count),
                          PATH, {"BENCH_PASTE_INI": str(wsgi)})
        with h.running([server]) as started:
            time.sleep(1.0)
            rss[count] = _rss_kib(started[server.label].proc.pid)
    return (rss[threads] - rss[4]) / (threads - 4)


def run() -> str:
    idle, inflight, note = scale()
    files = h.IniFiles()
    rows = []
    per_request: dict[str, float] = {}
    with_thread: dict[str, float] = {}
    failures = []
    thread_kib: float | None = None
    try:
        try:
            thread_kib = parked_thread_kib(files, min(inflight, WAITRESS_MAX_CONNECTIONS))
        except Exception as exc:
            failures.append(h.start_failed("waitress thread cost", exc))
        for server, n_idle, n_inflight, note_row in servers(files, idle, inflight):
            try:
                with h.running([server]) as started:
                    item = started[server.label]
                    time.sleep(1.5)  # a request's worth of warm-up (wait_ready) has been served: let it finish
                    got = asyncio.run(_measure(item, n_idle, n_inflight))
            except Exception as exc:
                failures.append(h.start_failed(server.label, exc))
                continue
            per = (got["peak"] - got["connected"]) / max(1, n_inflight)
            per_idle = (got["idle"] - got["base"]) / max(1, n_idle)
            per_request[server.label] = per
            threaded = server.label in (WAITRESS, GTHREAD)
            if thread_kib is not None:
                with_thread[server.label] = per + (thread_kib if threaded else 0.0)
            rows.append([
                server.label + note_row, f"{got['base'] / 1024:.0f} MiB", f"{got['idle'] / 1024:.0f} MiB",
                f"{got['peak'] / 1024:.0f} MiB", f"{got['threads']:.0f}", f"{per_idle:.1f} KiB", f"**{per:.1f} KiB**",
                "n/a" if thread_kib is None else f"**{with_thread[server.label]:.1f} KiB**",
                f"{got['peak'] / (n_idle + n_inflight):.1f} KiB",
                f"{got['ok']:.0f} / {n_inflight} in {got['elapsed']:.1f} s",
                f"{got['opened_idle']:.0f} opened, {got['still_open']:.0f} still open",
            ])
    finally:
        files.close()
    parts = [
        "## Memory at scale: idle keep-alive connections plus in-flight 1 s requests",
        "",
        f"Run here: **{idle:,} idle connections plus {inflight:,} in-flight requests** of 1 s each, per server, "
        f"through the five-filter urlmap stack.{note} Resident memory summed over the server's process group; "
        "per in-flight request = (RSS while the requests wait − RSS with their connections open) / in-flight "
        f"count. The WSGI servers run {inflight:,} threads so that every request is in flight at once, as on the "
        "async server (with their defaults, 4 waitress threads or 1 gthread worker's threads, the rest would "
        "queue, not run).",
        "",
        table(["server", "base RSS", "+ idle conns", "+ in flight (peak)", "threads", "per idle conn",
               "per in-flight request", "with the thread it needs", "peak RSS / connection", "answered 200",
               "idle connections"], rows),
        "",
        "The WSGI servers' threads exist before the requests arrive (waitress starts them all; gunicorn's "
        "gthread pool grows while the idle connections make their first request), so their per-request "
        "figure is what a request adds on top of a parked thread. A thread-per-request server needs one "
        "thread per in-flight request, though: "
        + ("the thread's own cost could not be measured in this run. " if thread_kib is None else
           f"a parked thread costs **{thread_kib:.1f} KiB** resident (waitress with "
           f"{min(inflight, WAITRESS_MAX_CONNECTIONS):,} threads against 4, before any load), which the "
           "\"with the thread it needs\" column adds to the two WSGI servers; the async servers need none. ")
        + "\"peak RSS / connection\" is the whole process group's memory divided by every open connection. "
        "The raw ASGI row is uvicorn alone with the same 1 s leaf (every path answers it, the idle requests "
        "included): what the server itself costs, before asgipaste's urlmap and filters.",
        "",
    ]
    parts += [f"{line}\n" for line in failures]
    if per_request:
        parts += [bar("memory per in-flight request", list(per_request), list(per_request.values()), "KiB"), ""]
    ours = per_request.get(ASGI_U)
    for other in (WAITRESS, GTHREAD):
        theirs = per_request.get(other)
        if ours is not None and theirs:
            parts.append(h.goal(f"asgipaste per in-flight request / {other}", ours / theirs, 0.1,
                                higher_is_better=False))
        theirs_threaded = with_thread.get(other)
        if ours is not None and theirs_threaded:
            parts.append(h.goal(f"asgipaste per in-flight request / {other}, its thread included",
                                ours / theirs_threaded, 0.1, higher_is_better=False))
    parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    print(run())
