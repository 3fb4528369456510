"""Serving paths side by side over HTTP: what `asgipaste serve` costs or keeps, per server.

Each stack is served by `asgipaste serve` (server pinned to core 0 when taskset
exists) and loaded by wrk (core 1), interleaved over rounds; the table gives
req/s medians and the ratio to a raw ASGI callable on uvicorn in the same run.

    python -m benchmarks.bench_serving [--seconds 3] [--rounds 3] [--connections 32]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asgipaste.interop.detect import declare_asgi, declare_wsgi
from asgipaste.types import Environ, Receive, Scope, Send, StartResponse, WSGIApp
from benchmarks._timing import median, spread, table

REPO = Path(__file__).resolve().parents[1]
BODY = b"Hello, world!"

INI = """\
[pipeline:wsgi5]
pipeline = f1 f2 f3 f4 f5 hello

[composite:urlmap5]
use = egg:Paste#urlmap
/v2 = wsgi5

[app:hello]
use = call:benchmarks.bench_serving:wsgi_hello

[app:raw]
use = call:benchmarks.bench_serving:asgi_hello

[filter:f1]
use = call:benchmarks.bench_serving:passthrough
[filter:f2]
use = call:benchmarks.bench_serving:passthrough
[filter:f3]
use = call:benchmarks.bench_serving:passthrough
[filter:f4]
use = call:benchmarks.bench_serving:passthrough
[filter:f5]
use = call:benchmarks.bench_serving:passthrough

[server:uvicorn]
use = egg:asgipaste#uvicorn
host = 127.0.0.1
port = %(http_port)s
access_log = false
log_level = warning

[server:granian]
use = egg:asgipaste#granian
host = 127.0.0.1
port = %(http_port)s
"""

#: (label, app section, server section)
CASES = [
    ("raw ASGI callable / uvicorn (reference)", "raw", "uvicorn"),
    ("5 WSGI filters + app / granian WSGI-direct", "wsgi5", "granian"),
    ("5 WSGI filters + app / uvicorn (one adapter)", "wsgi5", "uvicorn"),
    ("urlmap /v2 -> 5 WSGI filters + app / granian ASGI", "urlmap5", "granian"),
    ("raw ASGI callable / granian ASGI", "raw", "granian"),
]


@declare_wsgi
def wsgi_hello(global_conf: dict[str, Any], **local_conf: str) -> WSGIApp:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
        return [BODY]

    return app


@declare_wsgi
def passthrough(global_conf: dict[str, Any], **local_conf: str) -> Any:
    def make(app: WSGIApp) -> WSGIApp:
        def layer(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
            return app(environ, start_response)

        return layer

    return make


@declare_asgi
def asgi_hello(global_conf: dict[str, Any], **local_conf: str) -> Any:
    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(BODY))],
    }
    body = {"type": "http.response.body", "body": BODY}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        await send(start)
        await send(body)

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pin(core: int, args: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *args] if shutil.which("taskset") else args


def _serve(ini: Path, app: str, server: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASGIPASTE_") and k != "PYTHONASYNCIODEBUG"}
    env["PYTHONPATH"] = str(REPO)
    args = [sys.executable, "-m", "asgipaste.cli", "serve", f"{ini}#{app}", f"http_port={port}", "--server", server]
    proc = subprocess.Popen(_pin(0, args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            # an answered request, not just a bound socket (granian binds before its worker runs)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{app} on {server} did not start")


def _wrk(port: int, seconds: int, connections: int) -> float:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}/v2/"]
    out = subprocess.run(_pin(1, args), capture_output=True, text=True, timeout=seconds + 30).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise RuntimeError(f"wrk failed:\n{out}")
    return float(match.group(1))


def measure(ini: Path, app: str, server: str, seconds: int, connections: int) -> float:
    port = _free_port()
    proc = _serve(ini, app, server, port)
    try:
        _wrk(port, 1, connections)  # warm-up
        return _wrk(port, seconds, connections)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def run(seconds: int = 3, rounds: int = 3, connections: int = 32) -> str:
    """The serving-path table as markdown (``run_all`` calls this)."""
    if not shutil.which("wrk"):
        return "wrk is not installed; nothing measured\n"
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "bench.ini"
        ini.write_text(INI)
        results: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
        for _ in range(rounds):
            for label, app, server in CASES:
                results[label].append(measure(ini, app, server, seconds, connections))
    reference = median(results[CASES[0][0]])
    rows = [
        [label, f"{median(values):,.0f}", spread(values, fmt="{:,.0f}"), f"{median(values) / reference:.2f}"]
        for label, values in results.items()
    ]
    return (
        f"wrk -t1 -c{connections} -d{seconds}s, {rounds} interleaved rounds, medians\n\n"
        + table(["stack / server", "req/s", "range", "x raw ASGI on uvicorn"], rows)
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed; nothing measured", file=sys.stderr)
        return 1
    print(run(args.seconds, args.rounds, args.connections), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
