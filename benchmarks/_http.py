"""Shared HTTP harness: servers pinned to core 0, wrk pinned to core 1, medians over rounds.

Method (as in the reference's anchor-throughput notes): each server is its own
process tree, started with ``taskset -c 0`` on a free 127.0.0.1 port and
polled until it answers; the load generator is ``wrk -t1 -cN -dDs --latency``
under ``taskset -c 1``. Every server of a comparison is started once, warmed
up, then measured in interleaved rounds (A B C, A B C, ...) so drift on a
shared machine hits all alike; the figure is the median of the rounds, with
the spread (min-max) beside it, and ratios are taken round by round against
the reference server. Servers are stopped with SIGTERM to their process group
(SIGKILL after 5 s, and the row is named in ``NOT_STOPPED`` and
on stderr). The machines are shared, so each run first waits (up to
5 s, 60 s per comparison) for both cores to be free of other work; runs that
start on a busy core anyway are counted under the table.

When wrk is not installed, a bounded asyncio + httpx loop stands in (its
ceiling is far lower than wrk's; the output says so).

Environment: ``ASGIPASTE_BENCH_SECONDS`` (default 3) per round,
``ASGIPASTE_BENCH_ROUNDS`` (default 3), ``ASGIPASTE_BENCH_CONNECTIONS``
(default 32, the throughput benchmarks' connection count).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import http.client
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SERVER_CORE = "0"
CLIENT_CORE = "1"
POST_BODY_BYTES = 1_048_576


def seconds() -> float:
    return float(os.environ.get("ASGIPASTE_BENCH_SECONDS", "3"))


def round_count() -> int:
    return int(os.environ.get("ASGIPASTE_BENCH_ROUNDS", "3"))


def connections() -> int:
    return int(os.environ.get("ASGIPASTE_BENCH_CONNECTIONS", "32"))


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def have_taskset() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def load_generator() -> str:
    """One line saying what generated the load (for the tables' method notes)."""
    if have_wrk():
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.strip()
        version = out.splitlines()[0] if out else "wrk"
        return f"{version.split(' [')[0]} (`wrk -t1 -cN -dDs --latency`)"
    return "asyncio + httpx fallback (wrk not installed: absolute figures are the client's ceiling)"


@dataclass
class Server:
    """How to start one server: ``argv`` may contain ``{port}``; ``path`` is what is requested."""

    label: str
    argv: list[str]
    path: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    #: called with the base URL (``http://127.0.0.1:PORT``) once the server answers (e.g. to create a record)
    setup: Callable[[str], None] | None = None


@dataclass
class Load:
    """What the client sends: GET by default, or POST of ``body_bytes`` bytes."""

    connections: int
    method: str = "GET"
    body_bytes: int = 0
    timeout: str = "2s"


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses plus socket errors (timeouts included)
    #: the server's CPU time per request in µs (every process of its group, all threads);
    #: nan where unmeasured. Steal time on a shared VM moves req/s, much less this.
    cpu_us: float = math.nan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pinned(core: str, argv: Sequence[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if have_taskset() else list(argv)


#: Seconds a server gets to leave after SIGTERM before it is SIGKILLed and reported.
STOP_GRACE = 5.0
#: One line per server that did not leave on SIGTERM within STOP_GRACE (label, time, what was done).
NOT_STOPPED: list[str] = []
_LIVE: set[Running] = set()  # started and not yet stopped (stopped at exit or on SIGTERM of the harness)


def stop_all() -> None:
    """Stop every server still running (the harness is leaving)."""
    for item in list(_LIVE):
        item.stop()


atexit.register(stop_all)


class Running:
    """A started server process group; :meth:`stop` ends it (and only it)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{server.path}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        env = {**os.environ, "PYTHONPATH": str(ROOT), **server.env}
        argv = [part.replace("{port}", str(self.port)) for part in server.argv]
        self.proc = subprocess.Popen(
            _pinned(SERVER_CORE, argv), cwd=ROOT, env=env, stdout=self.log, stderr=self.log,
            start_new_session=True,
        )
        _LIVE.add(self)

    def cpu_seconds(self) -> float:
        """User + system CPU time of every process in the server's group so far (Linux /proc; 0.0 elsewhere)."""
        ticks = 0
        try:
            entries = os.listdir("/proc")
            per_second = os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, AttributeError):
            return 0.0
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:  # gone meanwhile
                continue
            fields = text[text.rindex(")") + 2 :].split()  # from field 3 (state) on
            if int(fields[2]) == self.proc.pid:  # field 5: the process group
                ticks += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
        return ticks / per_second

    def log_tail(self, limit: int = 2000) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-limit:]

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.server.label}: exited with {self.proc.returncode}\n{self.log_tail()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", self.server.path, headers=self.server.headers)
                status = conn.getresponse().status
                if status < 500:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"{self.server.label}: not ready after {timeout:.0f} s\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the process group; SIGKILL after :data:`STOP_GRACE` s, and the row is reported.

        The group is killed as a whole afterwards too, so a worker that outlives
        its parent (a forked child ignoring SIGTERM) does not linger either.
        """
        _LIVE.discard(self)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            started = time.monotonic()
            try:
                self.proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
                NOT_STOPPED.append(
                    f"{self.server.label}: still running {time.monotonic() - started:.1f} s after SIGTERM, SIGKILLed"
                )
                print(f"benchmark harness: {NOT_STOPPED[-1]}", file=sys.stderr, flush=True)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # leftovers of the group, if any
        self.log.close()


@contextlib.contextmanager
def running(servers: Sequence[Server]) -> Iterator[dict[str, Running]]:
    """Start every server, wait until each answers, yield them by label; stop them all after."""
    started: dict[str, Running] = {}
    try:
        for server in servers:
            started[server.label] = Running(server)
        for item in started.values():
            item.wait_ready()
            if item.server.setup is not None:
                item.server.setup(f"http://127.0.0.1:{item.port}")
        yield started
    finally:
        for item in started.values():
            try:
                item.stop()
            except Exception as exc:  # keep stopping the others
                NOT_STOPPED.append(f"{item.server.label}: could not be stopped ({exc})")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> Sample:
    """req/s, p50, p99 and error count from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rps and p50 and p99):
        raise RuntimeError(f"unreadable wrk output:\n{output}")
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    return Sample(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), errors)


def _script(load: Load, headers: dict[str, str]) -> str | None:
    if load.method == "GET" and not headers:
        return None
    lines = [f'wrk.method = "{load.method}"']
    if load.body_bytes:
        lines.append(f'wrk.body = string.rep("x", {load.body_bytes})')
        lines.append('wrk.headers["Content-Type"] = "application/octet-stream"')
    for name, value in headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    return "\n".join(lines) + "\n"


def run_wrk(url: str, load: Load, duration: float, headers: dict[str, str]) -> Sample:
    script = _script(load, headers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        argv = ["wrk", "-t1", f"-c{load.connections}", f"-d{duration:g}s", "--latency", "--timeout", load.timeout]
        if script is not None:
            lua.write(script)
            lua.flush()
            argv += ["-s", lua.name]
        out = subprocess.run(
            _pinned(CLIENT_CORE, [*argv, url]), capture_output=True, text=True, timeout=duration + 60
        )
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()}")
    return parse_wrk(out.stdout)


async def _httpx_load(url: str, load: Load, duration: float, headers: dict[str, str]) -> Sample:
    import httpx

    latencies: list[float] = []
    errors = 0
    body = b"x" * load.body_bytes if load.body_bytes else None
    limits = httpx.Limits(max_connections=load.connections, max_keepalive_connections=load.connections)
    deadline = time.monotonic() + duration
    async with httpx.AsyncClient(limits=limits, timeout=float(load.timeout.rstrip("s"))) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    response = await client.request(load.method, url, content=body, headers=headers)
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(load.connections)))
        elapsed = time.monotonic() - began
    latencies.sort()
    if not latencies:
        return Sample(0.0, 0.0, 0.0, errors)
    return Sample(
        len(latencies) / elapsed, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)], errors
    )


def _core_busy(core: int, interval: float = 0.3) -> float:
    """Fraction of ``interval`` that ``core`` spent busy (from /proc/stat); 0.0 where unreadable."""

    def read() -> tuple[int, int]:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith(f"cpu{core} "):
                values = [int(v) for v in line.split()[1:]]
                idle = values[3] + (values[4] if len(values) > 4 else 0)
                return sum(values), idle
        raise OSError(f"no cpu{core} in /proc/stat")

    try:
        total0, idle0 = read()
        time.sleep(interval)
        total1, idle1 = read()
    except OSError:
        return 0.0
    total = total1 - total0
    return 0.0 if total <= 0 else 1.0 - (idle1 - idle0) / total


CONTENDED: list[str] = []  # labels of runs that started while other work kept the cores busy
_WAIT_BUDGET = [60.0]  # seconds left to wait for quiet cores in the current comparison


def wait_for_quiet(label: str, limit: float = 5.0, threshold: float = 0.25) -> None:
    """Wait (at most ``limit`` s, 60 s per comparison) until neither core is busy with other work.

    The machines are shared: another process on the server's or the client's
    core distorts a run. Every run waits alike, so no candidate is favoured; a
    run that starts on a busy core anyway is counted and the table says so.
    """
    started = time.monotonic()
    deadline = started + min(limit, _WAIT_BUDGET[0])
    while True:
        busy = max(_core_busy(int(SERVER_CORE)), _core_busy(int(CLIENT_CORE), 0.1))
        if busy < threshold:
            break
        if time.monotonic() >= deadline:
            CONTENDED.append(label)
            break
    _WAIT_BUDGET[0] = max(0.0, _WAIT_BUDGET[0] - (time.monotonic() - started))


def measure(item: Running, load: Load, duration: float, *, gate: bool = True) -> Sample:
    headers = item.server.headers
    if gate:
        wait_for_quiet(item.server.label)
    cpu_before = item.cpu_seconds()
    if have_wrk():
        sample = run_wrk(item.url, load, duration, headers)
    else:
        sample = asyncio.run(_httpx_load(item.url, load, duration, headers))
    served = sample.rps * duration
    if served > 0:
        sample.cpu_us = (item.cpu_seconds() - cpu_before) / served * 1e6
    return sample


def compare(
    servers: Sequence[Server], load: Load, *, rounds: int | None = None, duration: float | None = None
) -> dict[str, list[Sample]]:
    """Every server's samples over interleaved rounds (after a short warm-up each)."""
    CONTENDED.clear()
    _WAIT_BUDGET[0] = 60.0
    rounds = round_count() if rounds is None else rounds
    duration = seconds() if duration is None else duration
    results: dict[str, list[Sample]] = {server.label: [] for server in servers}
    with running(servers) as started:
        for item in started.values():
            measure(item, load, min(2.0, duration), gate=False)  # warm-up: imports, caches, lazily spawned threads
        for _ in range(rounds):
            for label, item in started.items():
                time.sleep(0.2)  # let the previous run's connections drain
                results[label].append(measure(item, load, duration))
    return results


def start_failed(label: str, error: Exception) -> str:
    """One paragraph: which server failed and the last lines it logged."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()] or [type(error).__name__]
    detail = lines[0] if len(lines) == 1 else f"{lines[0]}: {' / '.join(lines[-3:])}"
    return f"{label}: could not be measured ({detail})"


def median_of(samples: Sequence[Sample], attr: str) -> float:
    return float(statistics.median(getattr(s, attr) for s in samples))


def span(values: Sequence[float], fmt: str) -> str:
    return f"{fmt.format(min(values))}–{fmt.format(max(values))}"


def ratios(samples: Sequence[Sample], reference: Sequence[Sample]) -> list[float]:
    """Round-by-round req/s ratios against the reference (same round, same drift)."""
    return [s.rps / r.rps for s, r in zip(samples, reference, strict=True) if r.rps > 0]


def cpu_ratios(samples: Sequence[Sample], reference: Sequence[Sample]) -> list[float]:
    """Round-by-round reference CPU per request over this row's: like req/s ratios, higher is faster."""
    return [r.cpu_us / s.cpu_us for s, r in zip(samples, reference, strict=True) if s.cpu_us > 0 and r.cpu_us > 0]


def fmt_ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def results_table(results: dict[str, list[Sample]], reference: str) -> str:
    """Markdown: req/s median (spread), × reference median (spread), p50, p99, errors."""
    from benchmarks._timing import table

    rows = []
    for label, samples in results.items():
        rel = ratios(samples, results[reference])
        by_cpu = cpu_ratios(samples, results[reference])
        cpu = [s.cpu_us for s in samples if s.cpu_us > 0]
        rows.append([
            label,
            f"{median_of(samples, 'rps'):,.0f} ({span([s.rps for s in samples], '{:,.0f}')})",
            f"{statistics.median(rel):.2f} ({span(rel, '{:.2f}')})",
            f"{statistics.median(cpu):,.1f}" if cpu else "–",
            f"{statistics.median(by_cpu):.2f} ({span(by_cpu, '{:.2f}')})" if by_cpu else "–",
            fmt_ms(median_of(samples, "p50_ms")),
            fmt_ms(median_of(samples, "p99_ms")),
            str(sum(s.errors for s in samples)),
        ])
    out = table(["stack / server", "req/s (spread)", f"× {reference}", "server CPU µs/req", "× by CPU",
                 "p50", "p99", "errors"], rows)
    if CONTENDED:
        runs = sum(len(samples) for samples in results.values())
        out += (f"\n\n_{len(CONTENDED)} of {runs} runs started while a core was still busy after a bounded "
                f"wait (another server of this table draining, or other work on the machine)._")
    return out


def goal(
    name: str, value: float, threshold: float, *, higher_is_better: bool = True, by_cpu: float | None = None
) -> str:
    """One goal line; ``by_cpu``, the same ratio from server CPU per request, is shown beside (not judged)."""
    ok = value >= threshold if higher_is_better else value <= threshold
    sign = "≥" if higher_is_better else "≤"
    cpu = f"; by server CPU per request: {by_cpu:.2f}" if by_cpu is not None else ""
    return f"- **{'PASS' if ok else 'FAIL'}** {name}: {value:.2f} (goal {sign} {threshold:g}{cpu})"


def cpu_ratio(results: dict[str, list[Sample]], label: str, against: str) -> float | None:
    """Median round-by-round CPU ratio of ``label`` against ``against`` (None when unmeasured)."""
    if label not in results or against not in results:
        return None
    values = cpu_ratios(results[label], results[against])
    return statistics.median(values) if values else None


# --- server command lines -------------------------------------------------------------------


def uvicorn(target: str, *, lifespan: str = "off") -> list[str]:
    return [PY, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", "{port}",
            "--log-level", "warning", "--no-access-log", "--lifespan", lifespan]


def granian(target: str, interface: str) -> list[str]:
    return [PY, "-m", "granian", "--interface", interface, "--host", "127.0.0.1", "--port", "{port}",
            "--workers", "1", "--log-level", "warning", target]


def gunicorn(target: str, worker: str = "sync", threads: int = 1) -> list[str]:
    argv = [PY, "-m", "gunicorn", "-w", "1", "-k", worker, "-b", "127.0.0.1:{port}", "--log-level", "warning"]
    if worker == "gthread":
        argv += ["--threads", str(threads)]
    return [*argv, target]


def waitress(target: str, threads: int = 4) -> list[str]:
    return [PY, "-m", "waitress", "--host", "127.0.0.1", "--port", "{port}", f"--threads={threads}", target]


def asgipaste_serve(ini: Path) -> list[str]:
    """``asgipaste serve INI``: the INI's own ``[server:main]`` picks the server."""
    return [PY, "-c", "import sys; from asgipaste.cli import main; sys.exit(main())",
            "serve", str(ini), "--port", "{port}", "--log-level", "warning"]


GRANIAN_SERVER = "\n[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = 8000\n"


class IniFiles:
    """INI files written to one temporary directory for a benchmark's lifetime."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="asgipaste-bench-")
        self.path = Path(self._dir.name)

    def write(self, name: str, text: str) -> Path:
        path = self.path / name
        path.write_text(text)
        return path

    def close(self) -> None:
        self._dir.cleanup()


def results_charts(results: dict[str, list[Sample]], title: str) -> str:
    """Two Mermaid charts of a results table: median req/s and median p99 per stack / server."""
    from benchmarks._charts import bar

    labels = list(results)
    rps = [median_of(results[label], "rps") for label in labels]
    p99 = [median_of(results[label], "p99_ms") for label in labels]
    return "\n\n".join([bar(f"{title}: throughput", labels, rps, "req/s"),
                        bar(f"{title}: p99 latency", labels, p99, "p99 ms")])


def stop_report() -> str:
    """A line for the page: which servers did not leave on SIGTERM (or that all did)."""
    if not NOT_STOPPED:
        return "Every server started by this run left on SIGTERM within 5 s."
    return "Servers that did not leave on SIGTERM within 5 s (SIGKILLed): " + "; ".join(NOT_STOPPED) + "."
