"""Load test of the bundled compute API: a mixed read/write workload, then a check that nothing was lost.

The demo (``asgipaste/demo/api-paste.ini``) is started the way a user starts
it, ``asgipaste serve api-paste.ini auth_strategy=keystone api_rate_limit=false
sqlite_db=...`` (the ``keystone_nolimit`` pipeline: ``faultwrap sizelimit
authtoken keystonecontext``, every request validating its token against
SQLite), in its own process on 127.0.0.1. Concurrent httpx clients then run,
for a fixed time, a mix of 30 % creates, 35 % lists, 20 % shows of a server
the client created, 10 % renames and 5 % deletes. Afterwards every page of
``/servers/detail`` is read back: every acknowledged create must be listed
(unless the client deleted it), with the last acknowledged name, and nothing
deleted may come back.

Environment: ``ASGIPASTE_DEMO_LOAD_SECONDS`` (default 30),
``ASGIPASTE_DEMO_LOAD_CLIENTS`` (default 16).

    python benchmarks/bench_demo_load.py      # prints the section and writes it to docs/benchmarks.md
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from asgipaste.demo import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "Load test (bundled compute API)"
ENV_SECONDS = "ASGIPASTE_DEMO_LOAD_SECONDS"
ENV_CLIENTS = "ASGIPASTE_DEMO_LOAD_CLIENTS"
TOKEN = "admin:demo"  # seeded by the INI's auth_tokens
PROJECT = "demo"

# (operation, share of the mix)
MIX = (("create", 0.30), ("list", 0.35), ("show", 0.20), ("update", 0.10), ("delete", 0.05))
EXPECTED = {"create": 202, "list": 200, "show": 200, "update": 200, "delete": 204}


def load_seconds() -> float:
    return float(os.environ.get(ENV_SECONDS, "30"))


def load_clients() -> int:
    return int(os.environ.get(ENV_CLIENTS, "16"))


@dataclass
class LoadReport:
    """What one run did and found."""

    seconds: float
    clients: int
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    by_operation: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: int = 0  # 5xx answers
    transport_errors: int = 0  # no answer at all
    unexpected: list[str] = field(default_factory=list)  # answers other than the expected status
    acknowledged_creates: int = 0
    deleted: int = 0
    listed: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged but missing, or with a stale name
    resurrected: list[str] = field(default_factory=list)  # deleted but listed
    client_cpu: float | None = None  # CPU seconds the load generator used during the run
    server_cpu: float | None = None  # CPU seconds the server process used during the run

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.transport_errors or self.unexpected or self.lost or self.resurrected)

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.1f} s ({self.rps:.0f} req/s), "
            f"p50 {self.percentile_ms(0.5):.1f} ms, p99 {self.percentile_ms(0.99):.1f} ms, "
            f"{self.server_errors} 5xx, {self.transport_errors} transport errors, "
            f"{len(self.unexpected)} unexpected, {self.acknowledged_creates} creates acknowledged, "
            f"{self.deleted} deleted, {self.listed} listed, {len(self.lost)} lost, "
            f"{len(self.resurrected)} resurrected"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """A running demo: its base URL and process id."""

    base: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """user+system CPU seconds of the server process so far (Linux ``/proc``; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def demo_server(db: Path, *, strategy: str = "keystone", rate_limit: bool = False) -> Iterator[Served]:
    """``asgipaste serve`` of the bundled INI in its own process group; yields it once it answers."""
    port = _free_port()
    argv = [
        sys.executable, "-m", "asgipaste.cli", "serve", str(DEFAULT_CONFIG),
        f"auth_strategy={strategy}", f"api_rate_limit={'true' if rate_limit else 'false'}", f"sqlite_db={db}",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASGIPASTE_") and k != "PYTHONASYNCIODEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            yield Served(_wait_ready(proc, log, f"http://127.0.0.1:{port}"), proc.pid)
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen[bytes], log: IO[bytes], base: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"the demo did not start:\n{log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _choose(rng: random.Random) -> str:
    roll = rng.random()
    for operation, share in MIX:
        if roll < share:
            return operation
        roll -= share
    return MIX[-1][0]


async def drive(base: str, seconds: float, clients: int, *, seed: int = 0, server: Served | None = None) -> LoadReport:
    """Run the mix against ``base`` for ``seconds`` with ``clients`` concurrent clients, then verify."""
    report = LoadReport(seconds=seconds, clients=clients)
    servers = f"/v2/{PROJECT}/servers"
    headers = {"X-Auth-Token": TOKEN}
    alive: dict[str, str] = {}  # id -> last acknowledged name
    deleted: set[str] = set()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30.0, limits=limits) as client:

        async def worker(number: int, deadline: float) -> None:
            rng = random.Random(seed * 1000 + number)
            mine: list[str] = []
            serial = 0
            while time.monotonic() < deadline:
                operation = _choose(rng) if mine else "create"
                serial += 1
                name = f"load-{number}-{serial}"
                target = rng.choice(mine) if mine else ""
                if operation == "create":
                    body = {"server": {"name": name, "flavorRef": str(rng.randint(1, 5))}}
                    request = client.build_request("POST", servers, json=body)
                elif operation == "list":
                    request = client.build_request("GET", servers, params={"limit": 50})
                elif operation == "show":
                    request = client.build_request("GET", f"{servers}/{target}")
                elif operation == "update":
                    request = client.build_request("PUT", f"{servers}/{target}", json={"server": {"name": name}})
                else:
                    request = client.build_request("DELETE", f"{servers}/{target}")
                started = time.perf_counter()
                try:
                    response = await client.send(request)
                except httpx.HTTPError as exc:
                    report.transport_errors += 1
                    report.unexpected.append(f"{operation}: {type(exc).__name__}: {exc}")
                    continue
                report.latencies.append(time.perf_counter() - started)
                report.by_operation[operation] += 1
                report.statuses[response.status_code] += 1
                if response.status_code >= 500:
                    report.server_errors += 1
                if response.status_code != EXPECTED[operation]:
                    report.unexpected.append(f"{operation} {target}: {response.status_code} {response.text[:200]}")
                    continue
                if operation == "create":
                    server_id = response.json()["server"]["id"]
                    mine.append(server_id)
                    alive[server_id] = name
                    report.acknowledged_creates += 1
                elif operation == "update":
                    alive[target] = name
                elif operation == "delete":
                    mine.remove(target)
                    del alive[target]
                    deleted.add(target)

        server_before = server.cpu_seconds() if server else None
        client_before = time.process_time()
        begin = time.monotonic()
        deadline = begin + seconds
        await asyncio.gather(*(worker(number, deadline) for number in range(clients)))
        report.seconds = time.monotonic() - begin
        report.client_cpu = time.process_time() - client_before
        server_after = server.cpu_seconds() if server else None
        if server_before is not None and server_after is not None:
            report.server_cpu = server_after - server_before
        report.deleted = len(deleted)

        listed: dict[str, str] = {}
        params: dict[str, str | int] = {"limit": 1000}
        while True:
            page = await client.get(f"{servers}/detail", params=params)
            page.raise_for_status()
            items = page.json()["servers"]
            listed.update((item["id"], item["name"]) for item in items)
            if len(items) < 1000:
                break
            params = {"limit": 1000, "marker": items[-1]["id"]}
    report.listed = len(listed)
    report.lost = sorted(sid for sid, name in alive.items() if listed.get(sid) != name)
    report.resurrected = sorted(deleted & set(listed))
    return report


def measure(seconds: float | None = None, clients: int | None = None) -> LoadReport:
    """Start the demo on a fresh database, drive it, stop it."""
    duration = load_seconds() if seconds is None else seconds
    count = load_clients() if clients is None else clients
    with tempfile.TemporaryDirectory() as tmp, demo_server(Path(tmp) / "load.sqlite") as served:
        return asyncio.run(drive(served.base, duration, count, server=served))


def run() -> str:
    """Run the load test and return the markdown section for ``docs/benchmarks.md``."""
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    report = measure()
    mix = ", ".join(f"{int(share * 100)} % {operation}" for operation, share in MIX)
    ops = ", ".join(f"{operation} {report.by_operation[operation]}" for operation, _ in MIX)
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(report.statuses.items()))
    rows = [
        ("requests", f"{report.requests}"),
        ("duration", f"{report.seconds:.1f} s, {report.clients} concurrent clients"),
        ("throughput", f"{report.rps:.0f} req/s"),
        ("latency p50 / p99", f"{report.percentile_ms(0.5):.1f} ms / {report.percentile_ms(0.99):.1f} ms"),
        (
            "errors",
            f"{report.server_errors} 5xx, {report.transport_errors} transport, "
            f"{len(report.unexpected)} unexpected status",
        ),
        (
            "writes",
            f"{report.acknowledged_creates} creates acknowledged, {report.deleted} deleted, "
            f"{report.listed} listed afterwards, {len(report.lost)} lost, {len(report.resurrected)} resurrected",
        ),
        ("CPU busy during the run", _cpu(report)),
        ("operations", ops),
        ("statuses", statuses),
    ]
    cpu = os.cpu_count() or 1
    busy = "" if load_before is None else f" (1-minute load average {load_before:.1f} when it started)"
    lines = [
        f"## {SECTION}",
        "",
        "`python benchmarks/bench_demo_load.py`: `asgipaste serve asgipaste/demo/api-paste.ini "
        "auth_strategy=keystone api_rate_limit=false sqlite_db=...` (one uvicorn worker; the "
        "`keystone_nolimit` pipeline, every request checks its token in SQLite) driven over loopback "
        f"by {report.clients} concurrent httpx clients in one asyncio process for {report.seconds:.0f} s "
        f"on a {cpu}-core machine{busy}. Mix: {mix}. Afterwards every page of `/servers/detail` is read back "
        "and each acknowledged create must be there with its last acknowledged name.",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
        "Latency includes the client's own event loop: client and server share the machine's two cores, and "
        "the CPU row shows which side was the limit (100 % = one core). SQLite calls run one at a time on one "
        "connection in a worker thread.",
        "",
    ]
    return "\n".join(lines)


def _cpu(report: LoadReport) -> str:
    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value / report.seconds:.0f} %"

    return f"load generator {share(report.client_cpu)}, server {share(report.server_cpu)}"


def write_section(text: str, doc: Path = DOC) -> None:
    """Replace (or append) this benchmark's ``## `` section of ``doc``, leaving the rest alone."""
    heading = f"## {SECTION}"
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new_lines = lines[:start] + text.rstrip("\n").splitlines() + ([""] if end < len(lines) else []) + lines[end:]
        new = "\n".join(new_lines) + "\n"
    else:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    section = run()
    print(section)
    write_section(section)
