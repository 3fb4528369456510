"""Run every benchmark and write ``docs/benchmarks.md``.

    python benchmarks/run_all.py            # default rounds (about 15 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # 1 s rounds, 2 of them, memory at 2,000 + 200: a smoke run
    python benchmarks/run_all.py --only http,concurrency --out /tmp/bench.md

Each module's ``run() -> str`` returns its markdown section. A module that is
missing or fails is skipped with a note; when the previous ``docs/benchmarks.md``
had that module's section, it is kept (marked as from an earlier run) rather
than lost. The page starts with the date, the machine (cores, CPU, load
average, Python, package versions) and the method shared by the HTTP tables.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import os
import platform
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOC = ROOT / "docs" / "benchmarks.md"
PACKAGES = ("asgipaste", "uvicorn", "starlette", "granian", "gunicorn", "waitress", "PasteDeploy", "Paste",
            "a2wsgi", "Routes", "WebOb", "httptools", "uvloop", "httpx")


@dataclass(frozen=True)
class Bench:
    name: str  # benchmarks.bench_<name>
    title: str  # the ## heading used when the module's text has none (and to find an old section)


BENCHES = (
    Bench("mixed", "Headline: urlmap + 5 filters on every stack, mixed trees included"),
    Bench("real", "Real stacks (oslo.middleware, nova INI, Kinto)"),
    Bench("memory", "Memory at scale: idle keep-alive connections plus in-flight 1 s requests"),
    Bench("loading", "Loading INI files (asgipaste vs PasteDeploy)"),
    Bench("pipeline", "Pipeline overhead (loaded vs hand-nested)"),
    Bench("urlmap", "urlmap dispatch"),
    Bench("routes", "Routes matching"),
    Bench("interop", "WSGI/ASGI interop (fusion, adapter, bridge)"),
    Bench("serving", "Serving paths (asgipaste serve)"),
    Bench("http", "HTTP throughput and latency"),
    Bench("concurrency", "Concurrency: 200 clients, 50 ms of I/O per request"),
    Bench("demo_load", "Load test (bundled compute API)"),
)


_RUN_FOOTERS = ("_Total run time", "_Every server started", "_Servers that did not leave")


def _sections(text: str) -> dict[str, str]:
    """``## `` heading -> the whole section (heading included) of a markdown page."""
    out: dict[str, str] = {}
    heading = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(_RUN_FOOTERS):  # the page's own footer lines belong to no section
            continue
        if line.startswith("## "):
            if heading is not None:
                out[heading] = "\n".join(lines).rstrip() + "\n"
            heading, lines = line[3:].strip(), [line]
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        out[heading] = "\n".join(lines).rstrip() + "\n"
    return out


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    from benchmarks import _http

    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    versions = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
    return "\n".join([
        f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} cores ({_cpu_model()}), {platform.system()} {platform.release()}, "
        f"load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}",
        f"- Python {platform.python_version()} ({sys.executable})",
        f"- packages: {versions}",
        f"- load generator: {_http.load_generator()}",
    ])


METHOD = """\
Every figure that matters is a **ratio measured side by side in the same run**; absolute
numbers are context only (the machines here are shared, and other work on them moves absolute
figures by 2x between runs). In-process benchmarks interleave their candidates and report the
median with the spread (min–max). The HTTP benchmarks start each server as one process pinned to
core 0 (`taskset -c 0`), wait for it to answer, and drive it with `wrk -t1 -cN -dDs --latency`
pinned to core 1; all servers of a table are measured in interleaved rounds (A B C, A B C, ...)
after a warm-up, and each ratio is taken round by round against the table's reference row. Each
run first waits (briefly) for both cores to be free of other processes; a table notes how many of
its runs started on a busy core anyway. Spreads wider than a few percent mean the machine was busy:
read those rows as indications, and rerun.
Lengthen the rounds with `ASGIPASTE_BENCH_SECONDS` and `ASGIPASTE_BENCH_ROUNDS`. Every server is
stopped with SIGTERM to its process group; one still running 5 s later is SIGKILLed and named at the
end of this page. Charts are Mermaid `xychart-beta` blocks written by the same command (no plotting
library needed), each beside the table it draws."""


def run_one(bench: Bench, old: dict[str, str]) -> tuple[str, str]:
    """``(section, status line)`` for one benchmark module."""
    started = time.monotonic()
    try:
        module = importlib.import_module(f"benchmarks.bench_{bench.name}")
        runner = getattr(module, "run", None)
        if not callable(runner):
            raise AttributeError(f"benchmarks.bench_{bench.name} has no run()")
        text = str(runner()).strip()
    except Exception as exc:  # one broken benchmark must not lose the others' tables
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        traceback.print_exc(file=sys.stderr)
        kept = old.get(bench.title)
        note = f"_Skipped in this run ({reason})._"
        if kept is not None:
            body = kept.rstrip() + f"\n\n{note} _The section above is from an earlier run._\n"
        else:
            body = f"## {bench.title}\n\n{note}\n"
        return body, f"{bench.name}: skipped ({reason})"
    if not text.startswith("## "):
        text = f"## {bench.title}\n\n{text}"
    return text + "\n", f"{bench.name}: {time.monotonic() - started:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 s rounds, 2 rounds, memory at 2,000 + 200 connections (a smoke run)")
    parser.add_argument("--only", default="", help="comma-separated names: " + ",".join(b.name for b in BENCHES))
    parser.add_argument("--out", type=Path, default=DOC, help="markdown file to write (default docs/benchmarks.md)")
    args = parser.parse_args(argv)
    if args.quick:
        os.environ.setdefault("ASGIPASTE_BENCH_SECONDS", "1")
        os.environ.setdefault("ASGIPASTE_BENCH_ROUNDS", "2")
        os.environ.setdefault("ASGIPASTE_DEMO_LOAD_SECONDS", "5")
        os.environ.setdefault("ASGIPASTE_BENCH_IDLE", "2000")
        os.environ.setdefault("ASGIPASTE_BENCH_INFLIGHT", "200")
    # SIGTERM (or Ctrl-C) of the harness stops every server it started (benchmarks._http.stop_all at exit)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - {b.name for b in BENCHES}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    old = _sections(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    started = time.monotonic()
    command = "python benchmarks/run_all.py" + (" --quick" if args.quick else "")
    command += f" --only {','.join(sorted(wanted))}" if wanted else ""
    kept = " Sections not named by `--only` are kept from the previous run." if wanted else ""
    parts = ["# Benchmarks", "", f"Generated by `{command}`.{kept}", "", machine(), "", METHOD, ""]
    statuses = []
    for bench in BENCHES:
        if wanted and bench.name not in wanted:
            if bench.title in old:  # a partial run keeps the other sections as they were
                parts.append(old[bench.title])
            continue
        print(f"running {bench.name} ...", file=sys.stderr, flush=True)
        section, status = run_one(bench, old)
        print(f"  {status}", file=sys.stderr, flush=True)
        statuses.append(status)
        parts.append(section)
    emitted = {line[3:].strip() for part in parts for line in part.splitlines() if line.startswith("## ")}
    known = {b.title for b in BENCHES} | emitted
    parts += [text for heading, text in old.items() if heading not in known]  # sections others wrote by hand
    from benchmarks import _http

    parts.append(f"_Total run time {time.monotonic() - started:.0f} s: {'; '.join(statuses)}._\n")
    parts.append(f"_{_http.stop_report()}_\n")
    for line in _http.NOT_STOPPED:
        print(f"did not leave on SIGTERM: {line}", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
