"""The cost of crossing between WSGI and ASGI: asgipaste's joins vs a2wsgi, side by side.

(a) a fused stack of five WSGI filters and a WSGI app behind ONE WSGIAdapter, vs
    the same stack wrapped once by hand in a2wsgi's WSGIMiddleware, vs wrapping
    every layer (each filter its own a2wsgi crossing plus an a2wsgi bridge back);
(b) a WSGI filter in front of a Starlette app: WSGIAdapter + ASGIBridge vs the
    a2wsgi sandwich ``WSGIMiddleware(filter(ASGIMiddleware(app)))``;
(c) over real HTTP on uvicorn (one worker, pinned to one core, wrk on the other):
    a WSGI hello through WSGIAdapter (threads default and 0) and a2wsgi, the
    fused stack through WSGIAdapter, and a raw ASGI hello as the reference.

(a) and (b) run in-process (a hand-made receive/send, 20 requests at a time,
uvloop when available). Only ratios measured in this one run are reported.

    python benchmarks/bench_interop.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from a2wsgi import ASGIMiddleware, WSGIMiddleware  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from asgipaste.interop import ASGIBridge, WSGIAdapter  # noqa: E402
from benchmarks._stacks import WSGIPassThrough, wsgi_hello  # noqa: E402
from benchmarks._timing import median, spread, table  # noqa: E402

CONCURRENCY = 20
IN_PROCESS_SECONDS = 0.6  # per measurement
IN_PROCESS_ROUNDS = 5
HTTP_SECONDS = 2  # per wrk run
HTTP_ROUNDS = 5
HTTP_CONNECTIONS = 32


# -- the apps ---------------------------------------------------------------


async def raw_hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].removeprefix("lifespan.")
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")],
        }
    )
    await send({"type": "http.response.body", "body": b"Hello, world!"})


def fused_stack() -> Any:
    """Five pass-through WSGI filters around a WSGI hello, composed in WSGI."""
    app: Any = wsgi_hello
    for _ in range(5):
        app = WSGIPassThrough(app)
    return app


def naive_stack() -> Any:
    """Every WSGI layer crossing on its own: a2wsgi in, a2wsgi's bridge back out."""
    app: Any = WSGIMiddleware(wsgi_hello)
    for _ in range(5):
        app = WSGIMiddleware(WSGIPassThrough(ASGIMiddleware(app)))
    return app


def header_filter(app: Any) -> Any:
    def filtered(environ: Any, start_response: Any) -> Iterable[bytes]:
        def add(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, ("X-Filter", "1")], exc_info)

        return app(environ, add)

    return filtered


async def _starlette_hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("Hello, world!")


def starlette_app() -> Starlette:
    return Starlette(routes=[Route("/", _starlette_hello)])


# Import strings for the HTTP runs (uvicorn benchmarks.bench_interop:<name>).
adapter_hello = WSGIAdapter(wsgi_hello)
adapter_hello_loop = WSGIAdapter(wsgi_hello, threads=0)
adapter_fused = WSGIAdapter(fused_stack())
a2wsgi_hello = WSGIMiddleware(wsgi_hello)
a2wsgi_fused = WSGIMiddleware(fused_stack())


# -- in-process driver ------------------------------------------------------


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"user-agent", b"bench"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _per_request(app: Any, seconds: float) -> float:
    """Seconds per request with CONCURRENCY requests in flight, for about ``seconds``."""
    done = 0
    statuses: list[int] = []

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def worker(deadline: float) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await app(_scope(), _receive, send)
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(start + seconds) for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - start
    if set(statuses) != {200}:
        raise RuntimeError(f"benchmark app answered {sorted(set(statuses))}, not 200")
    return elapsed / done


def _in_process(apps: dict[str, Any]) -> dict[str, list[float]]:
    async def measure() -> dict[str, list[float]]:
        results: dict[str, list[float]] = {name: [] for name in apps}
        for app in apps.values():  # warm up thread pools and caches
            await _per_request(app, 0.1)
        for _ in range(IN_PROCESS_ROUNDS):  # interleaved, so drift hits all alike
            for name, app in apps.items():
                results[name].append(await _per_request(app, IN_PROCESS_SECONDS / IN_PROCESS_ROUNDS * 2))
        return results

    return _run_loop(measure)


def _run_loop(main: Callable[[], Any]) -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(main())
    return uvloop.run(main())


# -- over HTTP --------------------------------------------------------------


def _pin(core: int) -> list[str]:
    return ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


class _Server:
    """A uvicorn subprocess; ``cpu()`` is the CPU seconds it has used so far (Linux)."""

    def __init__(self, url: str, pid: int) -> None:
        self.url = url
        self.pid = pid

    def cpu(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # utime and stime (fields 14 and 15 of stat; all threads included), in clock ticks.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    # Below Linux's ephemeral range (32768+), where other processes asking for
    # port 0 on this shared machine cannot be handed the same port meanwhile.
    # (uvicorn --fd would avoid the race but treats the socket as AF_UNIX and
    # leaves Nagle on, which caps a benchmark at a few hundred req/s.)
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 30000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 30000")


@contextlib.contextmanager
def _uvicorn(app_name: str) -> Iterator[_Server]:
    port = _free_port()
    command = [
        *_pin(0),
        sys.executable,
        "-m",
        "uvicorn",
        f"benchmarks.bench_interop:{app_name}",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--lifespan",
        "on",
    ]
    # taskset execs python, so the pid is the server's own.
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 15
        while True:  # until our app answers
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.read() != b"Hello, world!":
                        raise RuntimeError(f"{app_name} answered something else")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"uvicorn {app_name} did not start: {err}") from None
                time.sleep(0.05)
        yield _Server(url, process.pid)
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn {app_name} died during the run")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


def _wrk(url: str, seconds: int = HTTP_SECONDS) -> tuple[int, float]:
    """``(requests, seconds)`` of one wrk run (whole seconds: wrk takes no fractions)."""
    command = [*_pin(1), "wrk", "-t1", f"-c{HTTP_CONNECTIONS}", f"-d{seconds}s", url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    if "Non-2xx" in out.stdout:
        raise RuntimeError(f"non-2xx answers from {url}:\n{out.stdout}")
    match = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out.stdout)
    if not match:
        raise RuntimeError(f"cannot read wrk output:\n{out.stdout}")
    elapsed = float(match.group(2)) / (1000 if match.group(3) == "ms" else 1)
    return int(match.group(1)), elapsed


def _httpx_loop(url: str, seconds: int = HTTP_SECONDS) -> tuple[int, float]:
    """Fallback load generator: HTTP_CONNECTIONS concurrent httpx clients, time-bounded."""
    import httpx

    async def main() -> tuple[int, float]:
        count = 0

        async def worker(client: httpx.AsyncClient, deadline: float) -> None:
            nonlocal count
            while time.monotonic() < deadline:
                response = await client.get(url)
                response.raise_for_status()
                count += 1

        limits = httpx.Limits(max_connections=HTTP_CONNECTIONS)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            start = time.monotonic()
            await asyncio.gather(*(worker(client, start + seconds) for _ in range(HTTP_CONNECTIONS)))
            return count, time.monotonic() - start

    result: tuple[int, float] = asyncio.run(main())
    return result


def _over_http(names: list[str]) -> tuple[dict[str, list[float]], dict[str, list[float]], str]:
    """Per app: req/s per round, and server CPU seconds per request per round."""
    load = _wrk if shutil.which("wrk") else _httpx_loop
    tool = "wrk" if load is _wrk else "httpx (wrk not installed)"
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(HTTP_ROUNDS):
        for name in names:
            with _uvicorn(name) as server:
                load(server.url, 1)  # warm-up: threads started, caches filled
                before = server.cpu()
                requests, elapsed = load(server.url)
                after = server.cpu()
                rates[name].append(requests / elapsed)
                if before is not None and after is not None:
                    cpu[name].append((after - before) / requests)
    return rates, cpu, tool


# -- report -----------------------------------------------------------------


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×"


def section_a() -> str:
    apps = {
        "fused stack, one WSGIAdapter (asgipaste)": WSGIAdapter(fused_stack()),
        "same stack wrapped once by hand in a2wsgi": WSGIMiddleware(fused_stack()),
        "every layer its own a2wsgi crossing + bridge (naive)": naive_stack(),
    }
    results = _in_process(apps)
    ours = median(next(iter(results.values())))
    rows = [
        [name, f"{median(values) * 1e6:.0f} ({spread(values, 1e6, '{:.0f}')})", _ratio(median(values), ours)]
        for name, values in results.items()
    ]
    return "### (a) Five WSGI filters + WSGI app, in-process\n\n" + table(
        ["stack", "µs per request (range)", "× asgipaste"], rows
    )


def section_b() -> str:
    inner = starlette_app()
    apps = {
        "WSGI filter → ASGIBridge → Starlette, in WSGIAdapter (asgipaste)": WSGIAdapter(
            header_filter(ASGIBridge(inner))
        ),
        "a2wsgi sandwich WSGIMiddleware(filter(ASGIMiddleware(app)))": WSGIMiddleware(
            header_filter(ASGIMiddleware(starlette_app()))
        ),
        "Starlette app alone (no WSGI filter), for reference": inner,
    }
    results = _in_process(apps)
    ours = median(next(iter(results.values())))
    rows = [
        [name, f"{median(values) * 1e6:.0f} ({spread(values, 1e6, '{:.0f}')})", _ratio(median(values), ours)]
        for name, values in results.items()
    ]
    return "### (b) A WSGI filter in front of a Starlette app, in-process\n\n" + table(
        ["stack", "µs per request (range)", "× asgipaste"], rows
    )


def section_c() -> str:
    labels = {
        "raw_hello": "raw ASGI hello (reference)",
        "adapter_hello": "WSGI hello, WSGIAdapter (40 threads)",
        "adapter_hello_loop": "WSGI hello, WSGIAdapter threads=0",
        "adapter_fused": "5 WSGI filters + hello, one WSGIAdapter",
        "a2wsgi_hello": "WSGI hello, a2wsgi WSGIMiddleware",
        "a2wsgi_fused": "5 WSGI filters + hello, a2wsgi once",
    }
    rates, cpu, tool = _over_http(list(labels))
    have_cpu = all(cpu.values())
    rows = []
    for name, values in rates.items():
        row = [
            labels[name],
            f"{median(values):,.0f} ({spread(values, 1, '{:,.0f}')})",
            _ratio(median(values), median(rates["raw_hello"])),
            _ratio(median(values), median(rates["a2wsgi_hello"])),
        ]
        if have_cpu:
            # Requests per CPU-second of the server: what a saturated core
            # would serve, whatever else the machine is running.
            row += [
                f"{median(cpu[name]) * 1e6:.0f}",
                _ratio(median(cpu["raw_hello"]), median(cpu[name])),
                _ratio(median(cpu["a2wsgi_hello"]), median(cpu[name])),
            ]
        rows.append(row)
    header = ["stack", "req/s (range)", "× raw ASGI", "× a2wsgi"]
    if have_cpu:
        header += ["server CPU µs/req", "× raw ASGI (CPU)", "× a2wsgi (CPU)"]
    return (
        f"### (c) Over HTTP: uvicorn, 1 worker, {HTTP_CONNECTIONS} connections, {tool}, "
        f"{HTTP_ROUNDS} rounds of {HTTP_SECONDS} s, median\n\n"
        + table(header, rows)
        + "\n\nThe CPU columns divide the server process's CPU time by the requests served: on a"
        " shared, busy machine they are the steadier measure (throughput of a saturated core)."
    )


def run() -> str:
    """All three sections as one markdown report."""
    return "\n\n".join([section_a(), section_b(), section_c()]) + "\n"


if __name__ == "__main__":
    print(run())
